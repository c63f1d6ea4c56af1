package stack

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/rapport-crm/rapport/infra/indexplan"
	"github.com/rapport-crm/rapport/shared/wiring"
)

func TestFunctions(t *testing.T) {
	// GIVEN the stack synthesized from the wiring table
	s := synthCached(t, "dev", devProps())

	// THEN there is one function per row, and besides them only the console's deploy-time
	// handlers run code: CDK's bucket deployment and, in dev, the bucket's emptying
	rows, deployTime := 0, 0
	for id := range s.ofType("AWS::Lambda::Function") {
		if strings.HasPrefix(id, "CustomCDKBucketDeployment") || strings.HasPrefix(id, "CustomS3AutoDeleteObjects") {
			deployTime++
		} else {
			rows++
		}
	}
	if rows != len(wiring.Functions) || deployTime != 2 {
		t.Errorf("%d functions and %d deploy-time handlers, want %d (the wiring rows) and 2", rows, deployTime, len(wiring.Functions))
	}
	for _, row := range wiring.Functions {
		t.Run(row.Name, func(t *testing.T) {
			fn := s.resource(t, s.logicalID(t, functionID(row.Name)), "AWS::Lambda::Function").Properties

			// AND it is an arm64 provided.al2023 function sized by its row
			checks := map[string][2]any{
				"Architectures": {fn["Architectures"], []any{"arm64"}},
				"Runtime":       {fn["Runtime"], "provided.al2023"},
				"Handler":       {fn["Handler"], "bootstrap"},
				"Timeout":       {fn["Timeout"], float64(row.TimeoutSeconds)},
				"MemorySize":    {fn["MemorySize"], float64(row.MemoryMB)},
				"Role":          {fn["Role"], getAtt(s.logicalID(t, roleID(row.Name)), "Arn")},
			}
			for name, c := range checks {
				if !sameJSON(c[0], c[1]) {
					t.Errorf("%s = %s, want %s", name, jsonString(c[0]), jsonString(c[1]))
				}
			}

			// AND it logs to its own log group, which expires
			logs := fn["LoggingConfig"].(map[string]any)
			lgID := s.logicalID(t, logGroupID(row.Name))
			if !sameJSON(logs["LogGroup"], ref(lgID)) || logs["LogFormat"] != "JSON" {
				t.Errorf("LoggingConfig = %s, want JSON to %s", jsonString(logs), lgID)
			}
			if days := num(s.resource(t, lgID, "AWS::Logs::LogGroup").Properties["RetentionInDays"]); days != 30 {
				t.Errorf("log retention %v days, want 30 in dev", days)
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	// GIVEN stacks from the wiring table and from fixture rows with JWT routes
	for _, c := range []struct {
		name  string
		props StackProps
	}{{"dev", devProps()}, {"fixture", fixtureProps()}} {
		s := synthCached(t, c.name, c.props)
		routes := map[string]map[string]any{}
		for _, r := range s.ofType("AWS::ApiGatewayV2::Route") {
			routes[r.Properties["RouteKey"].(string)] = r.Properties
		}

		for _, row := range c.props.withDefaults().Functions {
			for _, r := range row.Trigger.Routes {
				t.Run(c.name+"/"+r.Pattern(), func(t *testing.T) {
					// WHEN the route with the wiring route's key is looked up
					route, ok := routes[r.Pattern()]
					if !ok {
						t.Fatalf("no route with key %q", r.Pattern())
					}

					// THEN its authorization matches the row: JWT or none
					wantAuth := map[wiring.Auth]string{wiring.JWT: "JWT", wiring.Public: "NONE"}[r.Auth]
					if route["AuthorizationType"] != wantAuth {
						t.Errorf("AuthorizationType = %v, want %s", route["AuthorizationType"], wantAuth)
					}
					if (r.Auth == wiring.JWT) != (route["AuthorizerId"] != nil) {
						t.Errorf("AuthorizerId = %v for %s auth", route["AuthorizerId"], r.Auth)
					}

					// AND it proxies to the row's function with payload format 2.0
					target := route["Target"].(map[string]any)["Fn::Join"].([]any)[1].([]any)
					integ := s.resource(t, target[1].(map[string]any)["Ref"].(string), "AWS::ApiGatewayV2::Integration").Properties
					wantURI := getAtt(s.logicalID(t, functionID(row.Name)), "Arn")
					if !sameJSON(integ["IntegrationUri"], wantURI) || integ["PayloadFormatVersion"] != "2.0" || integ["IntegrationType"] != "AWS_PROXY" {
						t.Errorf("integration = %s, want AWS_PROXY 2.0 to %s", jsonString(integ), jsonString(wantURI))
					}
				})
			}
		}
	}
}

func TestStageThrottlingAndAccessLogs(t *testing.T) {
	// GIVEN the stack synthesized from the wiring table
	s := synthCached(t, "dev", devProps())

	// WHEN the API's stage is read
	stages := s.ofType("AWS::ApiGatewayV2::Stage")
	if len(stages) != 1 {
		t.Fatalf("%d stages, want 1", len(stages))
	}
	var stage map[string]any
	for _, st := range stages {
		stage = st.Properties
	}

	// THEN the default throttle is the wiring default
	wantDefault := map[string]any{
		"ThrottlingRateLimit":  wiring.DefaultThrottle.RatePerSecond,
		"ThrottlingBurstLimit": float64(wiring.DefaultThrottle.Burst),
	}
	if !sameJSON(stage["DefaultRouteSettings"], wantDefault) {
		t.Errorf("DefaultRouteSettings = %s, want %s", jsonString(stage["DefaultRouteSettings"]), jsonString(wantDefault))
	}

	// AND exactly the routes with their own throttle have route settings
	wantRoutes := map[string]any{}
	for _, r := range wiring.Routes() {
		if r.Throttle != nil {
			wantRoutes[r.Pattern()] = map[string]any{
				"ThrottlingRateLimit":  r.Throttle.RatePerSecond,
				"ThrottlingBurstLimit": float64(r.Throttle.Burst),
			}
		}
	}
	got := stage["RouteSettings"]
	if got == nil {
		got = map[string]any{}
	}
	if !sameJSON(got, wantRoutes) {
		t.Errorf("RouteSettings = %s, want %s", jsonString(got), jsonString(wantRoutes))
	}

	// AND access logs go, as JSON without client IPs, to a log group that expires
	logs := stage["AccessLogSettings"].(map[string]any)
	lgID := s.logicalID(t, "ApiAccessLogs")
	if !sameJSON(logs["DestinationArn"], getAtt(lgID, "Arn")) {
		t.Errorf("access logs go to %s, want %s", jsonString(logs["DestinationArn"]), lgID)
	}
	if f := logs["Format"].(string); !strings.Contains(f, "$context.routeKey") || strings.Contains(f, "sourceIp") {
		t.Errorf("access log format %s: want route keys and no source IP", f)
	}
	if s.resource(t, lgID, "AWS::Logs::LogGroup").Properties["RetentionInDays"] == nil {
		t.Error("access log group keeps logs forever")
	}
}

func TestCognitoAuthorizer(t *testing.T) {
	// GIVEN a stack without an external issuer, with JWT routes
	s := synthCached(t, "fixture", fixtureProps())

	// THEN the stack owns a user pool with a group per staff role and the locations attribute
	var groups []string
	for _, g := range s.ofType("AWS::Cognito::UserPoolGroup") {
		groups = append(groups, g.Properties["GroupName"].(string))
	}
	sort.Strings(groups)
	want := slices.Clone(wiring.Staff)
	sort.Strings(want)
	if !slices.Equal(groups, want) {
		t.Errorf("groups %v, want %v", groups, want)
	}
	poolID := s.logicalID(t, "StaffPool")
	pool := s.resource(t, poolID, "AWS::Cognito::UserPool").Properties
	if !strings.Contains(jsonString(pool["Schema"]), `"Name":"locations"`) {
		t.Errorf("pool schema %s lacks the locations attribute", jsonString(pool["Schema"]))
	}

	// AND the JWT authorizer trusts that pool's issuer, with its two app clients as audience
	clientID := s.logicalID(t, "StaffPool", "StaffClient")
	machineID := s.logicalID(t, "StaffPool", "MachineClient")
	wantJWT := map[string]any{
		"Audience": []any{ref(clientID), ref(machineID)},
		"Issuer":   map[string]any{"Fn::Join": []any{"", []any{"https://", getAtt(poolID, "ProviderURL")}}},
	}
	for _, a := range s.ofType("AWS::ApiGatewayV2::Authorizer") {
		if a.Properties["AuthorizerType"] != "JWT" || !sameJSON(a.Properties["JwtConfiguration"], wantJWT) {
			t.Errorf("authorizer %s, want JWT with %s", jsonString(a.Properties), jsonString(wantJWT))
		}
	}
	mustNotPanic(t, func() {
		s.template.ResourceCountIs(jsii.String("AWS::ApiGatewayV2::Authorizer"), jsii.Number(1))
		s.template.HasOutput(jsii.String("UserPoolId"), map[string]any{"Value": ref(poolID)})
		s.template.HasOutput(jsii.String("ConsoleClientId"), map[string]any{"Value": ref(clientID)})
	})
}

func TestExternalIssuer(t *testing.T) {
	// GIVEN an external OIDC issuer and audience
	// WHEN the stack is synthesized
	s := synthCached(t, "external-issuer", externalIssuerProps())

	// THEN there is no user pool, and the authorizer trusts the issuer
	mustNotPanic(t, func() {
		s.template.ResourceCountIs(jsii.String("AWS::Cognito::UserPool"), jsii.Number(0))
		s.template.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Authorizer"), map[string]any{
			"AuthorizerType": "JWT",
			"JwtConfiguration": map[string]any{
				"Issuer":   "https://login.example.com/",
				"Audience": []any{"rapport-api", "rapport-pos"},
			},
		})
	})
	if outputs := s.template.FindOutputs(jsii.String("UserPoolId"), map[string]any{}); len(*outputs) != 0 {
		t.Error("UserPoolId output without a user pool")
	}
}

func TestTables(t *testing.T) {
	// GIVEN the stack synthesized from the wiring table
	s := synthCached(t, "dev", devProps())
	mustNotPanic(t, func() {
		s.template.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(float64(len(wiring.Tables))))
	})

	for _, def := range wiring.Tables {
		t.Run(def.Name, func(t *testing.T) {
			// WHEN the table is read from the template
			tbl := s.resource(t, s.logicalID(t, tableID(def.Name)), "AWS::DynamoDB::Table").Properties
			keyID := s.logicalID(t, dataKeyID)

			// THEN it is on-demand, recoverable, encrypted with the stack's one rotating key
			checks := map[string][2]any{
				"BillingMode": {tbl["BillingMode"], "PAY_PER_REQUEST"},
				"PITR":        {tbl["PointInTimeRecoverySpecification"], map[string]any{"PointInTimeRecoveryEnabled": true}},
				"SSE": {tbl["SSESpecification"], map[string]any{
					"KMSMasterKeyId": getAtt(keyID, "Arn"), "SSEEnabled": true, "SSEType": "KMS",
				}},
				"KeyRotation": {s.resource(t, keyID, "AWS::KMS::Key").Properties["EnableKeyRotation"], true},
			}
			// AND it expires items on the row's TTL attribute
			if def.TTLAttribute != "" {
				checks["TTL"] = [2]any{tbl["TimeToLiveSpecification"], map[string]any{"AttributeName": def.TTLAttribute, "Enabled": true}}
			}
			for name, c := range checks {
				if !sameJSON(c[0], c[1]) {
					t.Errorf("%s = %s, want %s", name, jsonString(c[0]), jsonString(c[1]))
				}
			}

			// AND it has the row's keys and GSIs, each with its projection (a stage
			// that does not exist yet gets them all at once)
			if !sameJSON(tbl["KeySchema"], keySchema(def.PartitionKey, def.SortKey)) {
				t.Errorf("KeySchema = %s", jsonString(tbl["KeySchema"]))
			}
			gsis := map[string]any{}
			for _, g := range list(tbl["GlobalSecondaryIndexes"]) {
				if g, ok := g.(map[string]any); ok {
					gsis[g["IndexName"].(string)] = g
				}
			}
			want := map[string]any{}
			for _, idx := range def.Indexes {
				projection := map[string]any{"ProjectionType": string(idx.Projection.ProjectionType())}
				if len(idx.Projection.NonKey) > 0 {
					projection["NonKeyAttributes"] = idx.Projection.NonKey
				}
				want[idx.Name] = map[string]any{
					"IndexName":  idx.Name,
					"KeySchema":  keySchema(idx.PartitionKey, idx.SortKey),
					"Projection": projection,
				}
			}
			if !sameJSON(gsis, want) {
				t.Errorf("GSIs = %s, want %s", jsonString(gsis), jsonString(want))
			}
		})
	}
}

func keySchema(pk wiring.Key, sk *wiring.Key) []any {
	out := []any{map[string]any{"AttributeName": pk.Name, "KeyType": "HASH"}}
	if sk != nil {
		out = append(out, map[string]any{"AttributeName": sk.Name, "KeyType": "RANGE"})
	}
	return out
}

func TestQueues(t *testing.T) {
	// GIVEN the stack synthesized from the wiring table
	s := synthCached(t, "dev", devProps())

	for _, def := range wiring.Queues {
		t.Run(def.Name, func(t *testing.T) {
			q := s.resource(t, s.logicalID(t, queueID(def.Name)), "AWS::SQS::Queue").Properties
			dlqLID := s.logicalID(t, dlqID(def.DLQName()))
			dlq := s.resource(t, dlqLID, "AWS::SQS::Queue").Properties

			// THEN the queue redrives to its DLQ after the row's receive count
			wantRedrive := map[string]any{"deadLetterTargetArn": getAtt(dlqLID, "Arn"), "maxReceiveCount": float64(def.MaxReceiveCount)}
			checks := map[string][2]any{
				"RedrivePolicy":     {q["RedrivePolicy"], wantRedrive},
				"VisibilityTimeout": {q["VisibilityTimeout"], float64(def.VisibilityTimeoutSeconds)},
				"Encryption":        {q["SqsManagedSseEnabled"], true},
				"DLQ retention":     {dlq["MessageRetentionPeriod"], float64(def.DLQRetentionDays * 86400)},
				"DLQ encryption":    {dlq["SqsManagedSseEnabled"], true},
			}
			// AND a FIFO queue and its DLQ are high-throughput FIFO queues, deduplicating by
			// the sender's ids only, and named by CloudFormation (which ends a FIFO
			// queue's name in .fifo); a standard queue and its DLQ have none of it
			for _, who := range []string{"queue", "DLQ"} {
				props := map[string]map[string]any{"queue": q, "DLQ": dlq}[who]
				want := map[string]any{"FifoQueue": nil, "DeduplicationScope": nil, "FifoThroughputLimit": nil,
					"ContentBasedDeduplication": nil, "QueueName": nil}
				if def.FIFO {
					want["FifoQueue"], want["DeduplicationScope"], want["FifoThroughputLimit"] = true, "messageGroup", "perMessageGroupId"
					want["ContentBasedDeduplication"] = false
				}
				for k, v := range want {
					checks[who+" "+k] = [2]any{props[k], v}
				}
			}
			for name, c := range checks {
				if !sameJSON(c[0], c[1]) {
					t.Errorf("%s = %s, want %s", name, jsonString(c[0]), jsonString(c[1]))
				}
			}
		})
	}
	// (the wiring has FIFO queues, so the loop checks both kinds)
	if !slices.ContainsFunc(wiring.Queues, func(q wiring.Queue) bool { return q.FIFO }) {
		t.Error("no FIFO queue in the wiring table: the FIFO checks checked nothing")
	}

	// AND every queue and DLQ refuses plain HTTP
	for _, def := range wiring.Queues {
		for _, id := range []string{queueID(def.Name), dlqID(def.DLQName())} {
			mustNotPanic(t, func() {
				s.template.HasResourceProperties(jsii.String("AWS::SQS::QueuePolicy"), map[string]any{
					"Queues": []any{ref(s.logicalID(t, id))},
					"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
						assertions.Match_ObjectLike(&map[string]any{
							"Effect":    "Deny",
							"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
						}),
					})},
				})
			})
		}
	}
}

func TestTriggers(t *testing.T) {
	// GIVEN stacks from the wiring table and from fixture rows
	for _, c := range []struct {
		name  string
		props StackProps
	}{{"dev", devProps()}, {"fixture", fixtureProps()}} {
		s := synthCached(t, c.name, c.props)
		for _, row := range c.props.withDefaults().Functions {
			fnID := s.logicalID(t, functionID(row.Name))

			// THEN a queue trigger is an event source mapping reporting partial failures
			if qt := row.Trigger.Queue; qt != nil {
				t.Run(c.name+"/"+row.Name+"/queue", func(t *testing.T) {
					want := map[string]any{
						"BatchSize":             float64(qt.BatchSize),
						"EventSourceArn":        getAtt(s.logicalID(t, queueID(qt.Queue)), "Arn"),
						"FunctionName":          ref(fnID),
						"FunctionResponseTypes": []any{"ReportBatchItemFailures"},
					}
					if qt.WindowSeconds > 0 {
						want["MaximumBatchingWindowInSeconds"] = float64(qt.WindowSeconds)
					}
					if len(row.Sends) > 0 {
						want["ScalingConfig"] = map[string]any{"MaximumConcurrency": 5.0}
					}
					found := false
					for _, m := range s.ofType("AWS::Lambda::EventSourceMapping") {
						props := map[string]any{}
						for k, v := range m.Properties {
							if k != "Tags" { // the stack's app and stage tags
								props[k] = v
							}
						}
						found = found || sameJSON(props, want)
					}
					if !found {
						t.Errorf("no event source mapping %s", jsonString(want))
					}
				})
			}

			// AND a schedule is an EventBridge rule targeting the function
			if sch := row.Trigger.Schedule; sch != nil {
				t.Run(c.name+"/"+row.Name+"/schedule", func(t *testing.T) {
					found := false
					for _, r := range s.ofType("AWS::Events::Rule") {
						targets := list(r.Properties["Targets"])
						found = found || (r.Properties["ScheduleExpression"] == sch.Expression &&
							len(targets) == 1 && sameJSON(targets[0].(map[string]any)["Arn"], getAtt(fnID, "Arn")))
					}
					if !found {
						t.Errorf("no rule on %q targeting %s", sch.Expression, row.Name)
					}
				})
			}
		}
	}
}

func TestStages(t *testing.T) {
	// GIVEN the same wiring synthesized for dev and for prod
	tests := []struct {
		stage       string
		props       StackProps
		protected   bool
		policy      string
		logDays     float64
		poolProtect string
	}{
		{"dev", devProps(), false, "Delete", 30, "INACTIVE"},
		{"prod", prodProps(), true, "Retain", 365, "ACTIVE"},
	}
	for _, tt := range tests {
		t.Run(tt.stage, func(t *testing.T) {
			s := synthCached(t, tt.stage, tt.props)

			// THEN tables are deletion-protected and retained only in prod
			for id, tbl := range s.ofType("AWS::DynamoDB::Table") {
				if tbl.Properties["DeletionProtectionEnabled"] != tt.protected || tbl.DeletionPolicy != tt.policy {
					t.Errorf("table %s: protection %v, policy %q; want %v, %q",
						id, tbl.Properties["DeletionProtectionEnabled"], tbl.DeletionPolicy, tt.protected, tt.policy)
				}
			}
			// AND so are the tables' keys, the user pool and the logs
			for _, typ := range []string{"AWS::KMS::Key", "AWS::Cognito::UserPool", "AWS::Logs::LogGroup"} {
				for id, r := range s.ofType(typ) {
					if r.DeletionPolicy != tt.policy {
						t.Errorf("%s %s: policy %q, want %q", typ, id, r.DeletionPolicy, tt.policy)
					}
				}
			}
			for id, r := range s.ofType("AWS::Cognito::UserPool") {
				if r.Properties["DeletionProtection"] != tt.poolProtect {
					t.Errorf("user pool %s: DeletionProtection %v, want %s", id, r.Properties["DeletionProtection"], tt.poolProtect)
				}
			}
			for id, r := range s.ofType("AWS::Logs::LogGroup") {
				if num(r.Properties["RetentionInDays"]) != tt.logDays {
					t.Errorf("log group %s keeps %v days, want %v", id, r.Properties["RetentionInDays"], tt.logDays)
				}
			}
		})
	}
}

// accountOrRegion catches a hard-coded partition, region or account in the template.
var accountOrRegion = regexp.MustCompile(`arn:aws[a-z-]*:|\b\d{12}\b|\b(us|eu|ap|sa|ca|cn|me|af|il|mx)-(north|south|east|west|central|northeast|southeast|northwest|southwest)-\d\b`)

func TestEnvironmentAgnostic(t *testing.T) {
	for _, stage := range []string{"dev", "prod"} {
		t.Run(stage, func(t *testing.T) {
			// GIVEN a synthesized stage
			s := synthCached(t, stage, stageProps(stage))

			// THEN it names no partition, account or region, and uses no managed policy
			if m := accountOrRegion.FindAllString(s.raw, 5); len(m) > 0 {
				t.Errorf("template hard-codes %v", m)
			}
			// AND no role but AWS Backup's service role uses a managed policy, and the
			// role of CDK's provider that empties a dev console bucket when its stack is
			// deleted (AWSLambdaBasicExecutionRole: CDK gives that provider no other role)
			if strings.Contains(s.raw, "FullAccess") {
				t.Error("template uses a FullAccess policy")
			}
			for id, r := range s.ofType("AWS::IAM::Role") {
				autoDelete := stage == "dev" && strings.HasPrefix(id, "CustomS3AutoDeleteObjectsCustomResourceProviderRole") &&
					strings.HasSuffix(jsonString(r.Properties["ManagedPolicyArns"]), `:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}]`)
				if r.Properties["ManagedPolicyArns"] != nil && !autoDelete && !strings.Contains(jsonString(r.Properties["AssumeRolePolicyDocument"]), "backup.amazonaws.com") {
					t.Errorf("role %s uses managed policies %s", id, jsonString(r.Properties["ManagedPolicyArns"]))
				}
			}
		})
	}
}

// A stage deployed before its indexes were renamed takes one step per update: given
// what its tables hold (the file make deploy writes), each table declares what it has
// and at most one index more or less, a replaced index kept until its successor is
// there and dropped after; the table's output names it for the next read.
func TestTablesTakeOneIndexChangePerUpdate(t *testing.T) {
	followups, _ := wiring.TableByName("followups")
	customers, _ := wiring.TableByName("customers")
	old := func(def wiring.Table, name string) wiring.Index {
		for _, ix := range def.Indexes {
			if ix.Replaces == name {
				return wiring.Index{Name: name, PartitionKey: ix.PartitionKey, SortKey: ix.SortKey}
			}
		}
		t.Fatalf("%s: nothing replaces %s", def.Name, name)
		return wiring.Index{}
	}
	props := devProps()
	props.DeployedIndexes = indexplan.Deployed{
		// before the location index and the narrow due and customer indexes
		"followups": {old(followups, "due"), old(followups, "byCustomer")},
		// with every index of the wiring and the one byNameKeys replaced, which goes
		"customers": append(slices.Clone(customers.Indexes), old(customers, "byName")),
	}
	s := synth(t, props, nil)
	want := map[string]string{
		"followups": "byCustomer,byLocationKeys,due",
		"customers": "byNameKeys,home,visitEffects",
	}
	for _, def := range wiring.Tables {
		tbl := s.resource(t, s.logicalID(t, tableID(def.Name)), "AWS::DynamoDB::Table").Properties
		var got []string
		for _, g := range list(tbl["GlobalSecondaryIndexes"]) {
			got = append(got, g.(map[string]any)["IndexName"].(string))
		}
		slices.Sort(got)
		w, ok := want[def.Name]
		if !ok { // a table the stage does not have yet: all of its indexes
			var all []string
			for _, ix := range def.Indexes {
				all = append(all, ix.Name)
			}
			slices.Sort(all)
			w = strings.Join(all, ",")
		}
		if strings.Join(got, ",") != w {
			t.Errorf("%s: indexes %v, want %s", def.Name, got, w)
		}
		if _, ok := (*s.template.ToJSON())["Outputs"].(map[string]any)[indexplan.OutputKey(def.Name)]; !ok {
			t.Errorf("%s: no output %s naming the table", def.Name, indexplan.OutputKey(def.Name))
		}
	}

	// A deployed index of a wiring name with another projection stops the synth.
	byCustomer, _ := followups.Index("byCustomerKeys")
	props.DeployedIndexes["followups"] = []wiring.Index{old(followups, "due"), {Name: "byCustomerKeys", PartitionKey: byCustomer.PartitionKey, SortKey: byCustomer.SortKey, Projection: wiring.Projection{Type: wiring.ProjectAll}}}
	if err := props.Validate(); err == nil || !strings.Contains(err.Error(), "byCustomerKeys") {
		t.Errorf("Validate = %v, want an error naming byCustomerKeys", err)
	}
}
