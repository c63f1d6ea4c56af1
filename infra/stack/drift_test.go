package stack

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Drift tests compare the synthesized template with the wiring table both ways, so
// neither can change without the other.

func TestDriftRoutes(t *testing.T) {
	// GIVEN the stack synthesized from the wiring table
	s := synthCached(t, "dev", devProps())

	// WHEN the route keys of the template and of the table are collected
	want := map[string]bool{}
	for _, r := range wiring.Routes() {
		want[r.Pattern()] = true
	}
	got := map[string]bool{}
	for _, r := range s.ofType("AWS::ApiGatewayV2::Route") {
		got[r.Properties["RouteKey"].(string)] = true
	}

	// THEN they are the same set
	if missing, extra := setDiff(want, got); len(missing)+len(extra) > 0 {
		t.Errorf("routes in wiring but not in the template: %v; in the template but not in wiring: %v", missing, extra)
	}
}

func TestDriftEnvironment(t *testing.T) {
	// GIVEN the stack synthesized from the wiring table
	s := synthCached(t, "dev", devProps())

	for _, row := range wiring.Functions {
		t.Run(row.Name, func(t *testing.T) {
			// WHEN the function's environment is read from the template
			fn := s.resource(t, s.logicalID(t, functionID(row.Name)), "AWS::Lambda::Function")
			vars := map[string]any{}
			if env, ok := fn.Properties["Environment"].(map[string]any); ok {
				vars, _ = env["Variables"].(map[string]any)
			}

			// THEN its keys are exactly the row's Env names and the stage, which the
			// shared framework reads for the Failures metric's dimension
			if vars[app.StageVariable] != "dev" || stageVariable != app.StageVariable {
				t.Errorf("%s = %v, want dev (stageVariable %s)", app.StageVariable, vars[app.StageVariable], stageVariable)
			}
			want, got := map[string]bool{app.StageVariable: true}, map[string]bool{}
			for _, e := range row.Env {
				want[e.Name] = true
			}
			for k := range vars {
				got[k] = true
			}
			if missing, extra := setDiff(want, got); len(missing)+len(extra) > 0 {
				t.Fatalf("env vars missing: %v; not in the row: %v", missing, extra)
			}

			// AND each value comes from the source the row names
			for _, e := range row.Env {
				var expected any = e.Value
				switch {
				case e.Table != "":
					expected = ref(s.logicalID(t, tableID(e.Table)))
				case e.Queue != "":
					expected = ref(s.logicalID(t, queueID(e.Queue)))
				case e.Key != "":
					// "<version>=<KMS key ARN>" per kept version, or the secret's ARN.
					if got, want := renderRefs(t, s, vars[e.Name]), expectedKeyRef(e.Key, wiring.SigningKeys); got != want {
						t.Errorf("%s = %s, want %s", e.Name, got, want)
					}
					continue
				case e.API:
					// The API's endpoint attribute.
					want := jsonString(map[string]any{"Fn::GetAtt": []any{s.logicalID(t, "Api"), "ApiEndpoint"}})
					if jsonString(vars[e.Name]) != want {
						t.Errorf("%s = %s, want the API's endpoint", e.Name, jsonString(vars[e.Name]))
					}
					continue
				}
				if !sameJSON(vars[e.Name], expected) {
					t.Errorf("%s = %s, want %s", e.Name, jsonString(vars[e.Name]), jsonString(expected))
				}
			}
		})
	}
}

func TestDriftGrants(t *testing.T) {
	// GIVEN the stacks synthesized from the wiring table and from the fixture rows
	for _, c := range []struct {
		name  string
		props StackProps
	}{
		{"dev", devProps()},
		{"fixture", fixtureProps()},
		{"rotating", rotatingProps()},
	} {
		s := synthCached(t, c.name, c.props)
		keys := c.props.withDefaults().SigningKeys
		for _, row := range c.props.withDefaults().Functions {
			t.Run(c.name+"/"+row.Name, func(t *testing.T) {
				// WHEN the role's statements are read back as (resource, action) pairs
				got := grantedPairs(t, s, row.Name)

				// THEN they are exactly what the row implies
				if missing, extra := setDiff(expectedPairsWith(row, keys), got); len(missing)+len(extra) > 0 {
					t.Errorf("grants missing: %v\ngrants the row does not list: %v", missing, extra)
				}
			})
		}
	}
}

// TestDriftGrantsDetectsChanges proves the grant check can fail: a grant added behind
// the table's back, or a row whose grant the stack lacks, both show up.
func TestDriftGrantsDetectsChanges(t *testing.T) {
	tests := []struct {
		name        string
		props       StackProps
		mutate      func(awscdk.Stack)
		row         string
		wantExtra   string
		wantMissing string
	}{
		{
			name:  "extra table grant added to a role",
			props: devProps(),
			mutate: func(stack awscdk.Stack) {
				// health reads the surveys table (deep health), never writes it.
				role := stack.Node().FindChild(jsii.String(roleID("health"))).(awsiam.Role)
				table := stack.Node().FindChild(jsii.String(tableID("surveys"))).(awsdynamodb.Table)
				role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Actions:   jsii.Strings("dynamodb:PutItem"),
					Resources: &[]*string{table.TableArn()},
				}))
			},
			row:       "health",
			wantExtra: "table:surveys dynamodb:PutItem",
		},
		{
			name:        "row grant the stack lacks",
			props:       StackProps{Stage: "dev", Functions: withoutTable(wiring.Functions, "followup-dispatcher", "followups")},
			row:         "followup-dispatcher",
			wantMissing: "table:followups dynamodb:PutItem",
		},
		{
			name:  "extra key grant added to a role",
			props: devProps(),
			mutate: func(stack awscdk.Stack) {
				// The customers function may read the webhook secret, not sign unsubscribe links.
				role := stack.Node().FindChild(jsii.String(roleID("customers"))).(awsiam.Role)
				key := stack.Node().FindChild(jsii.String(macKeyID("unsubscribe", 1))).(awskms.Key)
				role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Actions:   jsii.Strings("kms:GenerateMac"),
					Resources: &[]*string{key.KeyArn()},
				}))
			},
			row:       "customers",
			wantExtra: "mac:unsubscribe@1 kms:GenerateMac",
		},
		{
			name:        "row key grant the stack lacks",
			props:       StackProps{Stage: "dev", Functions: withoutKey(wiring.Functions, "followup-sender", "webhook")},
			row:         "followup-sender",
			wantMissing: "secret:webhook secretsmanager:GetSecretValue",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// GIVEN a stack that differs from the wiring table
			s := synth(t, tt.props, tt.mutate)
			row, _ := wiring.FunctionByName(tt.row)

			// WHEN its grants are compared with the real row
			missing, extra := setDiff(expectedPairs(row), grantedPairs(t, s, tt.row))

			// THEN the difference is reported
			if tt.wantExtra != "" && !slices.Contains(extra, tt.wantExtra) {
				t.Errorf("extra grants %v, want %q among them", extra, tt.wantExtra)
			}
			if tt.wantMissing != "" && !slices.Contains(missing, tt.wantMissing) {
				t.Errorf("missing grants %v, want %q among them", missing, tt.wantMissing)
			}
		})
	}
}

// withoutTable copies the functions, dropping one table grant (and its env vars) of one row.
func withoutTable(fns []wiring.Function, fn, table string) []wiring.Function {
	out := make([]wiring.Function, len(fns))
	for i, f := range fns {
		out[i] = f
		if f.Name != fn {
			continue
		}
		out[i].Tables = map[string]wiring.Access{}
		for k, v := range f.Tables {
			if k != table {
				out[i].Tables[k] = v
			}
		}
		out[i].Env = nil
		for _, e := range f.Env {
			if e.Table != table {
				out[i].Env = append(out[i].Env, e)
			}
		}
	}
	return out
}

// withoutKey copies the functions, dropping one signing key grant (and its env vars)
// of one row.
func withoutKey(fns []wiring.Function, fn, key string) []wiring.Function {
	out := make([]wiring.Function, len(fns))
	for i, f := range fns {
		out[i] = f
		if f.Name != fn {
			continue
		}
		out[i].Keys = map[string]wiring.Access{}
		for k, v := range f.Keys {
			if k != key {
				out[i].Keys[k] = v
			}
		}
		out[i].Env = nil
		for _, e := range f.Env {
			if e.Key != key {
				out[i].Env = append(out[i].Env, e)
			}
		}
	}
	return out
}

// expectedPairs is what a row implies with the wiring table's signing keys.
func expectedPairs(row wiring.Function) map[string]bool {
	return expectedPairsWith(row, wiring.SigningKeys)
}

// expectedPairsWith is what a row implies, written out independently of the stack
// code: "<kind>:<name> <action>" for every resource and action. A MAC key's versions
// are "mac:<name>@<version>", its current version first in keys.
func expectedPairsWith(row wiring.Function, keys []wiring.SigningKey) map[string]bool {
	pairs := map[string]bool{}
	add := func(res string, actions ...string) {
		for _, a := range actions {
			pairs[res+" "+a] = true
		}
	}
	add("logs:"+row.Name, "logs:CreateLogStream", "logs:PutLogEvents")
	for name, access := range row.Tables {
		add("table:"+name, "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem")
		if t, _ := wiring.TableByName(name); len(t.Indexes) > 0 {
			add("table:"+name+"/index/*", "dynamodb:Query")
		}
		// The tables share one key: Decrypt to read any, Encrypt too to write one.
		add("key:tables", "kms:Decrypt")
		if access == wiring.ReadWrite {
			add("table:"+name, "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem")
			add("key:tables", "kms:Encrypt", "kms:GenerateDataKey*")
		}
	}
	for _, name := range row.Scans {
		add("table:"+name, "dynamodb:Scan")
	}
	for _, ch := range row.Sends {
		switch ch {
		case "email":
			add("ses:identity/*", "ses:SendEmail")
			add("ses:configuration-set/*", "ses:SendEmail")
		case "sms":
			add("*", "sns:Publish")
			add("deny:sns:*", "sns:Publish") // direct SMS only: no topic, no endpoint
		}
	}
	if row.Trigger.Schedule != nil {
		add("failures:scheduled", "sqs:SendMessage") // its failed runs' destination, shared
	}
	for name, access := range row.Keys {
		var versions []int
		for _, k := range keys {
			if k.Name == name {
				versions = k.Versions
			}
		}
		switch access {
		case wiring.Sign:
			add(fmt.Sprintf("mac:%s@%d", name, versions[0]), "kms:GenerateMac")
		case wiring.Verify:
			for _, v := range versions {
				add(fmt.Sprintf("mac:%s@%d", name, v), "kms:VerifyMac")
			}
		case wiring.Read:
			add("secret:"+name, "secretsmanager:GetSecretValue")
		}
	}
	for name, access := range row.Queues {
		switch access {
		case wiring.Send:
			add("queue:"+name, "sqs:SendMessage")
		case wiring.Consume:
			add("queue:"+name, "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
				"sqs:GetQueueAttributes", "sqs:GetQueueUrl")
		case wiring.Inspect:
			add("queue:"+name, "sqs:GetQueueAttributes")
		}
	}
	return pairs
}

// grantedPairs reads every statement attached to the function's role (its policies and
// any inline or managed policy) and names each resource after the wiring entry it is.
func grantedPairs(t *testing.T, s *synthesized, fn string) map[string]bool {
	t.Helper()
	names := resourceNames(t, s)
	roleLID := s.logicalID(t, roleID(fn))
	role := s.resource(t, roleLID, "AWS::IAM::Role")
	if role.Properties["ManagedPolicyArns"] != nil {
		t.Errorf("role of %s has managed policies: %s", fn, jsonString(role.Properties["ManagedPolicyArns"]))
	}

	var statements []any
	if inline, ok := role.Properties["Policies"].([]any); ok {
		for _, p := range inline {
			statements = append(statements, p.(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any)...)
		}
	}
	for _, p := range s.ofType("AWS::IAM::Policy") {
		if slices.ContainsFunc(p.Properties["Roles"].([]any), func(r any) bool { return sameJSON(r, ref(roleLID)) }) {
			statements = append(statements, p.Properties["PolicyDocument"].(map[string]any)["Statement"].([]any)...)
		}
	}

	pairs := map[string]bool{}
	for _, st := range statements {
		st := st.(map[string]any)
		if st["Effect"] == "Deny" && st["Condition"] == nil && st["NotAction"] == nil && st["NotResource"] == nil {
			for _, res := range list(st["Resource"]) {
				for _, action := range list(st["Action"]) {
					pairs["deny:"+resourceName(names, res)+" "+action.(string)] = true
				}
			}
			continue
		}
		if st["Effect"] != "Allow" || st["Condition"] != nil || st["NotAction"] != nil || st["NotResource"] != nil {
			t.Errorf("role of %s: statement outside the expected shape: %s", fn, jsonString(st))
			continue
		}
		for _, res := range list(st["Resource"]) {
			for _, action := range list(st["Action"]) {
				pairs[resourceName(names, res)+" "+action.(string)] = true
			}
		}
	}
	return pairs
}

// resourceNames maps the logical ids a policy may reference to wiring names.
func resourceNames(t *testing.T, s *synthesized) map[string]string {
	names := map[string]string{}
	for _, tbl := range wiring.Tables {
		names[s.logicalID(t, tableID(tbl.Name))] = "table:" + tbl.Name
	}
	if s.stack.Node().TryFindChild(jsii.String(dataKeyID)) != nil {
		names[s.logicalID(t, dataKeyID)] = "key:tables"
	}
	if s.stack.Node().TryFindChild(jsii.String(runFailuresID)) != nil {
		names[s.logicalID(t, runFailuresID)] = "failures:scheduled"
	}
	for _, q := range wiring.Queues {
		names[s.logicalID(t, queueID(q.Name))] = "queue:" + q.Name
	}
	for _, d := range wiring.DeadLetterQueues(wiring.Queues) {
		names[s.logicalID(t, dlqID(d.Name))] = "dlq:" + d.Name
	}
	// Signing keys: whichever versions this stack keeps.
	for _, k := range wiring.SigningKeys {
		if s.stack.Node().TryFindChild(jsii.String(secretID(k.Name))) != nil {
			names[s.logicalID(t, secretID(k.Name))] = "secret:" + k.Name
		}
		for v := 1; v <= 9; v++ {
			if s.stack.Node().TryFindChild(jsii.String(macKeyID(k.Name, v))) != nil {
				names[s.logicalID(t, macKeyID(k.Name, v))] = fmt.Sprintf("mac:%s@%d", k.Name, v)
			}
		}
	}
	for _, f := range append(append([]wiring.Function{}, wiring.Functions...), fixtureFunctions()...) {
		if s.stack.Node().TryFindChild(jsii.String(logGroupID(f.Name))) != nil {
			names[s.logicalID(t, logGroupID(f.Name))] = "logs:" + f.Name
		}
	}
	return names
}

// resourceName names one policy resource: a GetAtt Arn of a known resource, or that
// joined with "/index/*". Anything else is returned raw and so matches nothing expected.
func resourceName(names map[string]string, res any) string {
	if res == "*" {
		return "*"
	}
	if m, ok := res.(map[string]any); ok {
		// A secret's ARN is its Ref.
		if r, ok := m["Ref"].(string); ok {
			if n, ok := names[r]; ok && strings.HasPrefix(n, "secret:") {
				return n
			}
		}
		// arn:<partition>:ses:<region>:<account>:<resource>, joined from pseudo parameters.
		if join, ok := m["Fn::Join"].([]any); ok && len(join) == 2 && join[0] == "" {
			if parts := join[1].([]any); len(parts) == 7 && parts[2] == ":ses:" {
				if last, ok := parts[6].(string); ok {
					return "ses" + last
				}
			}
		}
		// arn:<partition>:sns:*, every SNS ARN.
		if join, ok := m["Fn::Join"].([]any); ok && len(join) == 2 && join[0] == "" {
			if parts := join[1].([]any); len(parts) == 3 && parts[2] == ":sns:*" {
				return "sns:*"
			}
		}
		if ga, ok := m["Fn::GetAtt"].([]any); ok && len(ga) == 2 && ga[1] == "Arn" {
			if n, ok := names[ga[0].(string)]; ok {
				return n
			}
		}
		if join, ok := m["Fn::Join"].([]any); ok && len(join) == 2 && join[0] == "" {
			if parts := join[1].([]any); len(parts) == 2 && parts[1] == "/index/*" {
				return resourceName(names, parts[0]) + "/index/*"
			}
		}
	}
	return fmt.Sprintf("unrecognised(%s)", jsonString(res))
}

func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}
