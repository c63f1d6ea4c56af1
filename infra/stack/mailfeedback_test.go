package stack

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// SES's bounces and complaints reach the mail-feedback queue: the configuration set's
// event destination publishes them to an encrypted, TLS-only topic only SES (this
// account, this configuration set) may publish to, and the queue, subscribed with raw
// delivery off, lets only that topic send.
func TestBouncesAndComplaintsReachTheMailFeedbackQueue(t *testing.T) {
	// GIVEN prod on the aws channel
	s := synthCached(t, "prod", prodProps())
	cs := s.logicalID(t, "EmailConfigurationSet")
	topic := s.logicalID(t, "MailFeedbackTopic")
	key := s.logicalID(t, dataKeyID)
	queue := s.logicalID(t, queueID("mail-feedback"))
	dlq := s.logicalID(t, dlqID("mail-feedback-dlq"))
	configSetARN := map[string]any{"Fn::Join": []any{"", []any{"arn:", ref("AWS::Partition"), ":ses:", ref("AWS::Region"), ":",
		ref("AWS::AccountId"), ":configuration-set/", ref(cs)}}}
	sesConditions := map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": ref("AWS::AccountId"), "aws:SourceArn": configSetARN},
	}
	// (CDK's event destination writes the keys as "AWS:…"; condition keys ignore case)
	topicConditions := map[string]any{
		"StringEquals": map[string]any{"AWS:SourceAccount": ref("AWS::AccountId"), "AWS:SourceArn": configSetARN},
	}

	// THEN the configuration set sends BOUNCE and COMPLAINT events, and only those, to the topic
	s.template.ResourceCountIs(jsii.String("AWS::SES::ConfigurationSetEventDestination"), jsii.Number(1))
	s.template.HasResourceProperties(jsii.String("AWS::SES::ConfigurationSetEventDestination"), map[string]any{
		"ConfigurationSetName": ref(cs),
		"EventDestination": map[string]any{
			"Enabled":            true,
			"MatchingEventTypes": []any{"bounce", "complaint"},
			"SnsDestination":     map[string]any{"TopicARN": ref(topic)},
		},
	})
	// AND the topic is encrypted with the stack's one rotating key, which lets SES use it
	s.template.HasResourceProperties(jsii.String("AWS::SNS::Topic"), map[string]any{
		"KmsMasterKeyId": getAtt(key, "Arn"),
	})
	s.template.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]any{
		"EnableKeyRotation": true,
		"KeyPolicy": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{map[string]any{
			"Effect": "Allow", "Principal": map[string]any{"Service": "ses.amazonaws.com"},
			"Action": []any{"kms:Decrypt", "kms:GenerateDataKey*"}, "Resource": "*", "Condition": sesConditions,
		}})},
	})
	// AND its policy refuses plain HTTP and lets SES publish only for this account's configuration set
	s.template.HasResourceProperties(jsii.String("AWS::SNS::TopicPolicy"), map[string]any{
		"Topics": []any{ref(topic)},
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{
				"Effect": "Deny", "Action": "sns:Publish",
				"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
			}),
			assertions.Match_ObjectLike(&map[string]any{
				"Effect": "Allow", "Action": "sns:Publish",
				"Principal": map[string]any{"Service": "ses.amazonaws.com"}, "Resource": ref(topic), "Condition": topicConditions,
			}),
		})},
	})
	// AND no statement of it allows anyone without those conditions
	for id, r := range s.ofType("AWS::SNS::TopicPolicy") {
		if !sameJSON(r.Properties["Topics"], []any{ref(topic)}) {
			continue
		}
		for _, st := range r.Properties["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			if st := st.(map[string]any); st["Effect"] == "Allow" && !sameJSON(st["Condition"], topicConditions) {
				t.Errorf("%s allows without the SES conditions: %s", id, jsonString(st))
			}
		}
	}
	// AND the queue subscribes with raw delivery off (the function unwraps the envelope)
	s.template.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]any{
		"Protocol": "sqs", "TopicArn": ref(topic), "Endpoint": getAtt(queue, "Arn"),
		"RawMessageDelivery": false,
	})
	// AND what SNS cannot deliver goes to the queue's DLQ, which the topic may send to
	s.template.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]any{
		"TopicArn": ref(topic), "RedrivePolicy": map[string]any{"deadLetterTargetArn": getAtt(dlq, "Arn")},
	})
	s.template.HasResourceProperties(jsii.String("AWS::SQS::QueuePolicy"), map[string]any{
		"Queues": []any{ref(dlq)},
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{map[string]any{
			"Effect": "Allow", "Action": "sqs:SendMessage", "Principal": map[string]any{"Service": "sns.amazonaws.com"},
			"Resource": getAtt(dlq, "Arn"), "Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": ref(topic)}},
		}})},
	})
	// AND the queue's policy lets that topic, and nothing else, send to it
	s.template.HasResourceProperties(jsii.String("AWS::SQS::QueuePolicy"), map[string]any{
		"Queues": []any{ref(queue)},
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{map[string]any{
			"Effect": "Allow", "Action": "sqs:SendMessage", "Principal": map[string]any{"Service": "sns.amazonaws.com"},
			"Resource": getAtt(queue, "Arn"), "Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": ref(topic)}},
		}})},
	})
	// AND cdk-nag has nothing to say
	if findings := nagErrors(s.stack); len(findings) > 0 {
		t.Errorf("cdk-nag: %s", strings.Join(findings, "\n"))
	}
}

// The outbox channel sends no email through SES: no topic, no event destination.
func TestOutboxHasNoMailFeedbackTopic(t *testing.T) {
	s := synthCached(t, "dev", devProps())
	if n := len(s.ofType("AWS::SES::ConfigurationSetEventDestination")); n != 0 {
		t.Errorf("%d event destinations in an outbox stack", n)
	}
	if s.stack.Node().TryFindChild(jsii.String("MailFeedbackTopic")) != nil {
		t.Error("an outbox stack has the mail feedback topic")
	}
}
