package stack

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/rapport-crm/rapport/shared/wiring"
)

func TestProdNamesItsChannel(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]string
		want     string
	}{
		{"unset", map[string]string{}, "-c notifyChannel=aws"},
		{"outbox", map[string]string{"notifyChannel": "outbox"}, "outbox (the default) is a local and dev tool"},
		{"aws without a sender", map[string]string{"notifyChannel": "aws"}, "-c emailFrom="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// GIVEN prod with this channel setting
			p := prodProps()
			p.Settings = tt.settings

			// WHEN validated
			err := p.withDefaults().Validate()

			// THEN it refuses, naming what to set
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	// AND dev keeps the outbox default, and a typo is named anywhere
	if err := devProps().withDefaults().Validate(); err != nil {
		t.Errorf("dev: %v", err)
	}
	p := devProps()
	p.Settings = map[string]string{"notifyChannel": "ses"}
	if err := p.withDefaults().Validate(); err == nil || !strings.Contains(err.Error(), `notifyChannel "ses"`) {
		t.Errorf("typo: %v", err)
	}
	p = prodProps()
	p.SESIdentity = "other.example"
	if err := p.withDefaults().Validate(); err == nil || !strings.Contains(err.Error(), `sesIdentity "other.example"`) {
		t.Errorf("identity of another domain: %v", err)
	}
	p = prodProps()
	p.SendConcurrency = 1
	if err := p.withDefaults().Validate(); err == nil || !strings.Contains(err.Error(), "sendConcurrency 1") {
		t.Errorf("concurrency 1: %v", err)
	}
}

func TestSESConfigurationSetAndIdentity(t *testing.T) {
	// GIVEN prod on the aws channel with an identity for its domain
	p := prodProps()
	p.SESIdentity = "hotel.example"
	s := synth(t, p, nil)
	cs := s.logicalID(t, "EmailConfigurationSet")

	// THEN the stack makes a configuration set that suppresses bounces and complaints
	s.template.HasResourceProperties(jsii.String("AWS::SES::ConfigurationSet"), map[string]any{
		"SuppressionOptions": map[string]any{"SuppressedReasons": []any{"BOUNCE", "COMPLAINT"}},
		"ReputationOptions":  map[string]any{"ReputationMetricsEnabled": true},
	})
	// AND the domain's identity uses it
	s.template.HasResourceProperties(jsii.String("AWS::SES::EmailIdentity"), map[string]any{
		"EmailIdentity":              "hotel.example",
		"ConfigurationSetAttributes": map[string]any{"ConfigurationSetName": ref(cs)},
	})
	// AND the email deliverer is told its name
	vars := functionEnv(t, s, "followup-email")
	if !sameJSON(vars["NOTIFY_SES_CONFIGURATION_SET"], ref(cs)) || vars["NOTIFY_CHANNEL"] != "aws" {
		t.Errorf("followup-email environment %s", jsonString(vars))
	}
	// AND may send only as the configured sender through that configuration set
	s.template.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			map[string]any{
				"Effect": "Allow", "Action": "ses:SendEmail",
				"Resource": []any{
					sesTemplateARN("identity/noreply@hotel.example"),
					sesTemplateARN("identity/hotel.example"),
					map[string]any{"Fn::Join": []any{"", []any{"arn:", ref("AWS::Partition"), ":ses:", ref("AWS::Region"), ":",
						ref("AWS::AccountId"), ":configuration-set/", ref(cs)}}},
				},
			},
		})},
		"Roles": []any{ref(s.logicalID(t, roleID("followup-email")))},
	})
	// AND no other role may send email: followup-sender hands its emails over
	if got, want := rolesAllowing(t, s, "ses:SendEmail"), []string{s.logicalID(t, roleID("followup-email"))}; !slices.Equal(got, want) {
		t.Errorf("roles allowed ses:SendEmail: %v, want %v", got, want)
	}
	// AND cdk-nag has nothing to say
	if findings := nagErrors(s.stack); len(findings) > 0 {
		t.Errorf("cdk-nag: %s", strings.Join(findings, "\n"))
	}
}

// functionEnv is a function's environment variables in the template.
func functionEnv(t *testing.T, s *synthesized, fn string) map[string]any {
	t.Helper()
	f := s.resource(t, s.logicalID(t, functionID(fn)), "AWS::Lambda::Function")
	env, _ := f.Properties["Environment"].(map[string]any)
	vars, _ := env["Variables"].(map[string]any)
	return vars
}

// rolesAllowing lists, sorted, the logical ids of the roles a policy allows action.
func rolesAllowing(t *testing.T, s *synthesized, action string) []string {
	t.Helper()
	var roles []string
	for _, p := range s.ofType("AWS::IAM::Policy") {
		for _, st := range list(p.Properties["PolicyDocument"].(map[string]any)["Statement"]) {
			st := st.(map[string]any)
			if st["Effect"] == "Allow" && slices.Contains(list(st["Action"]), any(action)) {
				for _, r := range list(p.Properties["Roles"]) {
					roles = append(roles, r.(map[string]any)["Ref"].(string))
				}
			}
		}
	}
	slices.Sort(roles)
	return slices.Compact(roles)
}

func sesTemplateARN(resource string) any {
	return map[string]any{"Fn::Join": []any{"", []any{"arn:", ref("AWS::Partition"), ":ses:", ref("AWS::Region"), ":",
		ref("AWS::AccountId"), ":" + resource}}}
}

func TestOutboxMakesNoSESResources(t *testing.T) {
	// GIVEN dev on the outbox channel
	s := synthCached(t, "dev", devProps())

	// THEN nothing of SES is made (nothing would use it; aws-cn has no SES)
	for _, typ := range []string{"AWS::SES::ConfigurationSet", "AWS::SES::EmailIdentity"} {
		if n := len(s.ofType(typ)); n != 0 {
			t.Errorf("%d %s in an outbox stack", n, typ)
		}
	}
}

func TestSMSPublishOnlyToPhoneNumbers(t *testing.T) {
	// GIVEN prod
	s := synthCached(t, "prod", prodProps())

	// THEN the SMS deliverer may publish on "*" (direct SMS has no ARN) but is denied every SNS ARN
	s.template.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			map[string]any{"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"},
			map[string]any{"Sid": "NoTopicPublish", "Effect": "Deny", "Action": "sns:Publish",
				"Resource": map[string]any{"Fn::Join": []any{"", []any{"arn:", ref("AWS::Partition"), ":sns:*"}}}},
		})},
		"Roles": []any{ref(s.logicalID(t, roleID("followup-sms")))},
	})
	// AND no other role may publish: followup-sender hands its SMS over
	if got, want := rolesAllowing(t, s, "sns:Publish"), []string{s.logicalID(t, roleID("followup-sms"))}; !slices.Equal(got, want) {
		t.Errorf("roles allowed sns:Publish: %v, want %v", got, want)
	}
	// AND SNS has a role to write SMS delivery status logs with, for this account only
	s.template.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
		"AssumeRolePolicyDocument": map[string]any{"Statement": []any{map[string]any{
			"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": map[string]any{"Service": "sns.amazonaws.com"},
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": ref("AWS::AccountId")}},
		}}},
	})
}

func TestSenderConcurrency(t *testing.T) {
	for name, tt := range map[string]struct {
		props StackProps
		want  float64
	}{
		"default":    {prodProps(), 5},
		"configured": {func() StackProps { p := prodProps(); p.SendConcurrency = 20; return p }(), 20},
	} {
		t.Run(name, func(t *testing.T) {
			// GIVEN the stack
			s := synth(t, tt.props, nil)

			// THEN the deliverers' event source mappings have that maximum concurrency
			for fn, queue := range map[string]string{"followup-email": "emails", "followup-sms": "texts"} {
				s.template.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), map[string]any{
					"FunctionName":   ref(s.logicalID(t, functionID(fn))),
					"ScalingConfig":  map[string]any{"MaximumConcurrency": tt.want},
					"BatchSize":      10.0,
					"EventSourceArn": getAtt(s.logicalID(t, queueID(queue)), "Arn"),
				})
			}
		})
	}
}

func TestScheduledRunsNotRetried(t *testing.T) {
	// GIVEN the dev stack
	s := synthCached(t, "dev", devProps())

	for _, f := range wiring.Functions {
		if f.Trigger.Schedule == nil {
			continue
		}
		// THEN a failed scheduled run is not retried, and lands in the scheduled functions' one failure queue
		s.template.HasResourceProperties(jsii.String("AWS::Lambda::EventInvokeConfig"), map[string]any{
			"FunctionName":             ref(s.logicalID(t, functionID(f.Name))),
			"MaximumRetryAttempts":     0.0,
			"MaximumEventAgeInSeconds": float64(scheduleMaxEventAgeSeconds),
			"DestinationConfig": map[string]any{"OnFailure": map[string]any{
				"Destination": getAtt(s.logicalID(t, runFailuresID), "Arn"),
			}},
		})
	}
}

func TestQueueVisibilityLeavesRoomForTheWindow(t *testing.T) {
	// GIVEN each queue consumer of the wiring table
	for _, f := range wiring.Functions {
		qt := f.Trigger.Queue
		if qt == nil {
			continue
		}
		q, _ := wiring.QueueByName(qt.Queue)

		// THEN its queue's visibility timeout is at least 6 × its timeout + its window
		if need := 6*f.TimeoutSeconds + qt.WindowSeconds; q.VisibilityTimeoutSeconds < need {
			t.Errorf("%s: queue %s visibility %d s < %d s", f.Name, q.Name, q.VisibilityTimeoutSeconds, need)
		}
	}
	// AND the validation refuses one second less
	p := devProps().withDefaults()
	p.Queues = append([]wiring.Queue{}, p.Queues...)
	p.Queues[0].VisibilityTimeoutSeconds = 6*15 + 2 - 1
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "6 × the function timeout") {
		t.Errorf("Validate() = %v", err)
	}
}
