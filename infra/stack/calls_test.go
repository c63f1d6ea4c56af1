package stack

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/cloud/record"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Grants proven by calls. DynamoDB Local and the SQS emulator check no IAM, so a call
// no grant allows passes every local test and fails in AWS. While infra/scripts/test-all
// runs the root module's tests and infra/local's end-to-end tests, every function
// built by app.Build records each AWS call it issues (shared/cloud/record, RAPPORT_RECORD_CALLS);
// this test then holds each function's synthesized role to those calls both ways:
// every call is allowed, and every grant is used by some call or is a listed exception.

// callsDir is where test-all has the tests record: RAPPORT_RECORD_CALLS, else the
// checkout's .local/calls.
func callsDir() string {
	if d := os.Getenv(record.RecordEnv); d != "" {
		return d
	}
	return filepath.Join("..", "..", ".local", "calls")
}

// recordedCalls reads the recording, failing (never skipping) when there is none: a
// missing recording would otherwise prove every grant by proving nothing.
func recordedCalls(t *testing.T) record.Recording {
	t.Helper()
	dir := callsDir()
	rec, err := record.ReadRecordings(dir)
	if err != nil {
		t.Fatalf("read the recorded AWS calls in %s: %v", dir, err)
	}
	if len(rec.Functions) == 0 {
		t.Fatalf("no recorded AWS calls in %s: this test proves grants against the calls the other tests make; "+
			"run it through make test (infra/scripts/test-all records them first), or run "+
			"`RAPPORT_RECORD_CALLS=$PWD/.local/calls go test ./...` in the root module and `go test ./local` in infra/ with the same variable, then this test", dir)
	}
	if fi, err := os.Stat(dir); err == nil {
		t.Logf("recording in %s, last written %s ago", dir, time.Since(fi.ModTime()).Round(time.Second))
	}
	return rec
}

// A grant is judged used by its unit, the granularity at which a wiring row can
// narrow it: reading a table (its read actions and its key's Decrypt), writing it
// (its write actions and its key's Encrypt and GenerateDataKey), scanning it, querying
// its indexes, sending to or consuming a queue, one signing key, one channel. A unit
// no recorded call uses fails the test unless an exception below names it; the unused
// actions inside a used unit are printed, since a row cannot take them away alone.

// unusedGrant is a unit no test can see used, with the reason it stays.
type unusedGrant struct {
	// function and unit are patterns where "*" matches anything.
	function, unit string
	reason         string
}

// unusedGrants are the deliberate exceptions to "the role grants nothing its function
// never calls". The first group can never be seen locally; the second are paths no
// test yet drives through a built function (an end-to-end test that reaches one makes
// its exception stale, which the test then says); the last is a finding left open.
var unusedGrants = []unusedGrant{
	{"*", "mac:* kms:GenerateMac", "AWS only: locally the MAC key is a key file behind the same keyring interface (no KMS emulator)"},
	{"*", "mac:* kms:VerifyMac", "AWS only: locally the MAC key is a key file behind the same keyring interface (no KMS emulator)"},
	{"*", "secret:* secretsmanager:GetSecretValue", "AWS only: locally the secret is a key file behind the same keyring interface (no Secrets Manager emulator)"},
	{"*", "ses:* ses:SendEmail", "AWS only: locally email goes to the outbox (no SES emulator); NOTIFY_CHANNEL=aws in AWS"},
	{"*", "* sns:Publish", "AWS only: locally SMS goes to the outbox (no SNS emulator); NOTIFY_CHANNEL=aws in AWS"},
	{"*", "destination:*", "Lambda's on-failure destination of a scheduled function: the Lambda service sends a failed run's event there with the function's role; the code never does"},
	{"*", "query table:*/index/*", "the stack grants Query on every index of a table a row lists (the wiring table has no per-index access yet)"},

	{"loyalty-timers", "* table:followups", "a timer that falls due (a release, an expiry reminder, an expiry, a tier review: shared/loyalty/jobs.go) schedules its message in its transaction; no end-to-end test runs the job at such a time"},
	{"loyalty-birthdays", "* table:followups", "a member's birthday bonus schedules its message in the bonus's transaction (shared/loyalty/jobs.go); no end-to-end test runs the job on a member's birthday"},
	{"visit-effects", "* table:loyalty", "a visit whose effects were cut short earns its points when the job finishes it (shared/visit/visit.go); no end-to-end test cuts a visit short"},
	{"visit-effects", "* table:surveys", "a visit whose effects were cut short gets its survey invitation when the job finishes it; no end-to-end test cuts a visit short"},
	{"visit-effects", "* table:followups", "a visit whose effects were cut short gets its invitation message when the job finishes it; no end-to-end test cuts a visit short"},
	{"customer-value", "read table:surveys", "the value job reads surveys only through the byCustomer index (each customer's latest NPS, shared/segment/value.go), which a table's read access is what grants"},
	{"win-back", "* table:followups", "a customer drifting away gets a win-back message (shared/segment/value.go); no end-to-end test has one"},
	{"privacy-retention", "write table:surveys", "the retention job redacts survey comments older than SURVEY_COMMENT_RETENTION_DAYS (shared/privacy/retention.go); no end-to-end test has one that old"},
	{"privacy-retention", "* table:followups", "the retention job deletes the delivered messages of complaints and comments past their retention (shared/privacy/retention.go); no end-to-end test has one that old"},
	{"surveys-public", "* table:complaints", "a response whose loop opens a case writes it in the response's transaction (shared/survey/service.go, Cases.CaseItems); only shared/survey's service tests drive it, not through app.Build"},
	{"loyalty", "* table:followups", "an earn that changes the tier schedules its message in the earn's transaction (shared/loyalty/service.go, tierMessage); no end-to-end test earns across a tier"},

	{"segments", "read table:surveys", "FINDING, not deliberate: the segments routes never read surveys (only the customer-value job, its own function now, does), but shared/segment's service, which the routes use, still reads SURVEYS_TABLE"},
}

// unit is the wiring-level unit a granted or needed pair belongs to.
func unit(pair string) string {
	res, action, _ := strings.Cut(pair, " ")
	switch {
	case strings.HasPrefix(res, "table:") && strings.Contains(res, "/index/"):
		return "query " + res[:strings.Index(res, "/index/")] + "/index/*"
	case strings.HasPrefix(res, "table:") && action == "dynamodb:Scan":
		return "scan " + res
	case strings.HasPrefix(res, "table:") && slices.Contains(writes, action):
		return "write " + res
	case strings.HasPrefix(res, "table:"):
		return "read " + res
	// The tables' one key: decrypting serves any table's read, encrypting any write.
	case strings.HasPrefix(res, "key:") && action == "kms:Decrypt":
		return "decrypt " + res
	case strings.HasPrefix(res, "key:"):
		return "encrypt " + res
	case strings.HasPrefix(res, "queue:") && action == "sqs:SendMessage":
		return "send " + res
	case strings.HasPrefix(res, "queue:"):
		// Consuming (the event source mapping) or inspecting (GetQueueAttributes).
		return "use " + res
	case strings.HasPrefix(res, "logs:"):
		return "logs"
	case strings.HasPrefix(res, "destination:"):
		return res
	}
	return pair
}

// callActions maps one recorded call to the IAM (resource, action) pairs AWS checks
// for it: a transaction item is checked as the single-item action of its kind on its
// table, a batch as the batch action on each table, a Query on an index against the
// index's ARN.
func callActions(call string) ([]string, error) {
	op, res, ok := strings.Cut(call, " ")
	if !ok {
		return nil, fmt.Errorf("call %q: want \"<service>:<Operation> <resource>\"", call)
	}
	op, part, _ := strings.Cut(op, "/")
	svc, name, _ := strings.Cut(op, ":")
	action := op
	switch op {
	case "dynamodb:TransactWriteItems":
		action = map[string]string{"Put": "dynamodb:PutItem", "Update": "dynamodb:UpdateItem",
			"Delete": "dynamodb:DeleteItem", "ConditionCheck": "dynamodb:ConditionCheckItem"}[part]
	case "dynamodb:TransactGetItems":
		action = "dynamodb:GetItem"
	case "sqs:SendMessageBatch":
		action = "sqs:SendMessage"
	case "sqs:DeleteMessageBatch":
		action = "sqs:DeleteMessage"
	case "sqs:ChangeMessageVisibilityBatch":
		action = "sqs:ChangeMessageVisibility"
	case "ses:SendEmail":
		res = "ses:identity/" + strings.TrimPrefix(res, "identity:")
	case "sns:Publish":
		res = "*"
	}
	if action == "" || svc == "" || name == "" {
		return nil, fmt.Errorf("call %q: no IAM action known for it", call)
	}
	return []string{res + " " + action}, nil
}

// writes are the table actions that need the table key's Encrypt and GenerateDataKey.
var writes = []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}

// needed is every (resource, action) pair a function's calls need, each with the call
// that needs it, including what AWS does with the function's role on its behalf.
func needed(fn string, calls []string) (map[string]string, error) {
	need := map[string]string{
		// Lambda writes the function's logs with its role.
		"logs:" + fn + " logs:CreateLogStream": "the Lambda runtime's logs",
		"logs:" + fn + " logs:PutLogEvents":    "the Lambda runtime's logs",
	}
	for _, c := range calls {
		pairs, err := callActions(c)
		if err != nil {
			return nil, err
		}
		for _, p := range pairs {
			need[p] = c
			res, action, _ := strings.Cut(p, " ")
			// The tables are encrypted with the stack's one customer-managed key, which
			// DynamoDB uses with the caller's permissions.
			if table, ok := strings.CutPrefix(res, "table:"); ok && strings.HasPrefix(action, "dynamodb:") {
				table, _, _ = strings.Cut(table, "/")
				need["key:tables kms:Decrypt"] = c
				// No row can write without reading (wiring has no write-only access).
				need["table:"+table+" dynamodb:GetItem"] = c
				if slices.Contains(writes, action) {
					need["key:tables kms:Encrypt"] = c
					need["key:tables kms:GenerateDataKey"] = c
				}
			}
		}
	}
	return need, nil
}

// covers tells whether a granted pair allows a needed one (IAM wildcards in either
// the resource or the action).
func covers(granted, need string) bool {
	gRes, gAct, _ := strings.Cut(granted, " ")
	nRes, nAct, _ := strings.Cut(need, " ")
	return match(gRes, nRes) && match(gAct, nAct)
}

// match is IAM's wildcard: "*" matches any run of characters, "/" and ":" included.
func match(pattern, s string) bool {
	re := "^" + strings.ReplaceAll(regexp.QuoteMeta(pattern), `\*`, ".*") + "$"
	return regexp.MustCompile(re).MatchString(s)
}

// proof is what proveGrants found for one function.
type proof struct {
	// denied are the calls AWS would refuse: "<resource> <action> (for <call>)".
	denied []string
	// unused are the units no call uses and no exception names.
	unused []string
	// excused are the unused units an exception names, with its reason.
	excused []string
	// idle are granted actions no call uses inside units that are used.
	idle []string
	// stale are this function's own exceptions whose unit a call now uses.
	stale []string
}

// proveGrants compares a function's recorded calls with its role's statements.
func proveGrants(fn string, calls []string, st statements) (proof, error) {
	var p proof
	need, err := needed(fn, calls)
	if err != nil {
		return p, err
	}
	granted := mapKeys(st.allow)
	for n, call := range need {
		allowed := slices.ContainsFunc(granted, func(g string) bool { return covers(g, n) })
		refused := slices.ContainsFunc(mapKeys(st.deny), func(d string) bool { return covers(d, n) })
		if !allowed || refused {
			p.denied = append(p.denied, fmt.Sprintf("%s (for %s)", n, call))
		}
	}
	used := map[string]bool{}
	for n := range need {
		used[unit(n)] = true
	}
	seen := map[string]bool{}
	for _, g := range granted {
		u := unit(g)
		if used[u] {
			if !slices.ContainsFunc(mapKeys(need), func(n string) bool { return covers(g, n) }) {
				p.idle = append(p.idle, g)
			}
			continue
		}
		if seen[u] {
			continue
		}
		seen[u] = true
		if i := slices.IndexFunc(unusedGrants, func(e unusedGrant) bool { return match(e.function, fn) && match(e.unit, u) }); i >= 0 {
			p.excused = append(p.excused, u+": "+unusedGrants[i].reason)
			continue
		}
		p.unused = append(p.unused, u)
	}
	for _, e := range unusedGrants {
		if !match(e.function, fn) || e.function == "*" {
			continue
		}
		if slices.ContainsFunc(mapKeys(used), func(u string) bool { return match(e.unit, u) }) {
			p.stale = append(p.stale, e.unit+" is used now: drop its exception")
		}
	}
	sort.Strings(p.denied)
	sort.Strings(p.unused)
	sort.Strings(p.excused)
	sort.Strings(p.idle)
	return p, nil
}

// statements are a role's Allow and Deny statements as "<resource> <action>" pairs,
// resources named after the wiring table as in the drift test.
type statements struct{ allow, deny map[string]bool }

// roleStatements reads every statement attached to the function's role. Unlike the
// drift test's grantedPairs it takes Deny statements (they only take away) and names
// the function's Lambda on-failure destination "destination:<fn>".
func roleStatements(t *testing.T, s *synthesized, fn string) statements {
	t.Helper()
	names := resourceNames(t, s)
	fnLID := s.logicalID(t, functionID(fn))
	for _, c := range s.ofType("AWS::Lambda::EventInvokeConfig") {
		if !sameJSON(c.Properties["FunctionName"], ref(fnLID)) {
			continue
		}
		dest, _ := c.Properties["DestinationConfig"].(map[string]any)
		onFailure, _ := dest["OnFailure"].(map[string]any)
		if ga, ok := onFailure["Destination"].(map[string]any)["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
			names[ga[0].(string)] = "destination:" + fn
		}
	}
	roleLID := s.logicalID(t, roleID(fn))
	role := s.resource(t, roleLID, "AWS::IAM::Role")
	var all []any
	if inline, ok := role.Properties["Policies"].([]any); ok {
		for _, p := range inline {
			all = append(all, p.(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any)...)
		}
	}
	for _, p := range s.ofType("AWS::IAM::Policy") {
		if slices.ContainsFunc(p.Properties["Roles"].([]any), func(r any) bool { return sameJSON(r, ref(roleLID)) }) {
			all = append(all, p.Properties["PolicyDocument"].(map[string]any)["Statement"].([]any)...)
		}
	}
	out := statements{allow: map[string]bool{}, deny: map[string]bool{}}
	for _, st := range all {
		st := st.(map[string]any)
		if st["Condition"] != nil || st["NotAction"] != nil || st["NotResource"] != nil {
			t.Errorf("role of %s: a statement this test cannot evaluate: %s", fn, jsonString(st))
			continue
		}
		into := out.allow
		if st["Effect"] == "Deny" {
			into = out.deny
		}
		for _, res := range list(st["Resource"]) {
			for _, action := range list(st["Action"]) {
				into[resourceName(names, res)+" "+action.(string)] = true
			}
		}
	}
	return out
}

func mapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestGrantsProvenByCalls(t *testing.T) {
	// GIVEN the AWS calls each function made across the test suite
	rec := recordedCalls(t)
	// AND the stack synthesized from the wiring table
	s := synthCached(t, "dev", devProps())

	for _, row := range wiring.Functions {
		t.Run(row.Name, func(t *testing.T) {
			calls := rec.Functions[row.Name]
			t.Logf("%s made %d kinds of AWS call:\n  %s", row.Name, len(calls), strings.Join(calls, "\n  "))
			// A function with grants but no recorded call has no test behind its grants.
			if len(calls) == 0 && (len(row.Tables)+len(row.Queues) > 0) {
				t.Fatalf("no recorded calls for %s, which has grants: no test built it with app.Build and had it call AWS", row.Name)
			}

			// WHEN its role's statements are compared with its calls
			p, err := proveGrants(row.Name, calls, roleStatements(t, s, row.Name))
			if err != nil {
				t.Fatal(err)
			}
			if len(p.excused)+len(p.idle) > 0 {
				t.Logf("granted, not seen used:\n  excused: %s\n  inside used grants: %s",
					strings.Join(p.excused, "\n           "), strings.Join(p.idle, ", "))
			}

			for _, st := range p.stale {
				t.Logf("exception %s", st)
			}

			// THEN AWS would allow every call
			if len(p.denied) > 0 {
				t.Errorf("calls the role does not allow (AccessDenied in AWS):\n  %s", strings.Join(p.denied, "\n  "))
			}
			// AND the role grants nothing the function never calls, but the listed exceptions
			if len(p.unused) > 0 {
				t.Errorf("grants no recorded call uses (narrow the wiring row, or add an exception with its reason):\n  %s", strings.Join(p.unused, "\n  "))
			}
		})
	}
	// AND nothing recorded a function the wiring table does not have
	for fn := range rec.Functions {
		if _, ok := wiring.FunctionByName(fn); !ok {
			t.Errorf("calls recorded for %q, which is not in the wiring table", fn)
		}
	}
}

// TestGrantsProvenByCallsDetectsChanges proves the check can fail: a policy narrowed
// below what the calls need is reported as denied calls, a grant no call uses as unused.
func TestGrantsProvenByCallsDetectsChanges(t *testing.T) {
	// Calls of the periodic jobs, as the recorder names them.
	narrowed := func(fn string, mutate func(*wiring.Function)) StackProps {
		fns := slices.Clone(wiring.Functions)
		for i := range fns {
			if fns[i].Name == fn {
				mutate(&fns[i])
			}
		}
		return StackProps{Stage: "dev", Functions: fns}
	}
	tests := []struct {
		name       string
		fn         string
		calls      []string
		props      StackProps
		wantDenied []string
		wantUnused []string
	}{
		{
			name:       "Scan grant removed",
			fn:         "loyalty-reconcile",
			calls:      []string{"dynamodb:Scan table:loyalty"},
			props:      narrowed("loyalty-reconcile", func(f *wiring.Function) { f.Scans = nil }),
			wantDenied: []string{"table:loyalty dynamodb:Scan (for dynamodb:Scan table:loyalty)"},
		},
		{
			name:  "read-only table that a transaction updates",
			fn:    "loyalty-timers",
			calls: []string{"dynamodb:Query table:loyalty/index/due", "dynamodb:TransactWriteItems/Update table:loyalty"},
			props: narrowed("loyalty-timers", func(f *wiring.Function) {
				f.Tables = cloneAccess(f.Tables)
				f.Tables["loyalty"] = wiring.Read
			}),
			// The tables' one key still encrypts for it (it writes followups): the
			// table grant alone refuses the write.
			wantDenied: []string{
				"table:loyalty dynamodb:UpdateItem (for dynamodb:TransactWriteItems/Update table:loyalty)",
			},
		},
		{
			name:       "the real row, with tables the calls never touch",
			fn:         "complaint-sla",
			calls:      []string{"dynamodb:UpdateItem table:complaints", "dynamodb:Query table:complaints/index/sla"},
			props:      devProps(),
			wantUnused: []string{"read table:customers", "write table:followups"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// GIVEN a stack whose job's role differs from what the calls need
			s := synth(t, tt.props, nil)

			// WHEN the calls are proven against it
			p, err := proveGrants(tt.fn, tt.calls, roleStatements(t, s, tt.fn))
			if err != nil {
				t.Fatal(err)
			}
			denied, unused := p.denied, p.unused

			// THEN the difference is reported
			for _, d := range tt.wantDenied {
				if !slices.Contains(denied, d) {
					t.Errorf("denied %v, want %q among them", denied, d)
				}
			}
			if len(tt.wantDenied) == 0 && len(denied) > 0 {
				t.Errorf("denied %v, want none", denied)
			}
			for _, u := range tt.wantUnused {
				if !slices.Contains(unused, u) {
					t.Errorf("unused %v, want %q among them", unused, u)
				}
			}
		})
	}
}

func TestCallActions(t *testing.T) {
	tests := []struct{ call, want string }{
		{"dynamodb:Query table:loyalty/index/due", "table:loyalty/index/due dynamodb:Query"},
		{"dynamodb:TransactWriteItems/Put table:surveys", "table:surveys dynamodb:PutItem"},
		{"dynamodb:TransactWriteItems/Delete table:surveys", "table:surveys dynamodb:DeleteItem"},
		{"dynamodb:TransactWriteItems/ConditionCheck table:customers", "table:customers dynamodb:ConditionCheckItem"},
		{"dynamodb:TransactGetItems/Get table:customers", "table:customers dynamodb:GetItem"},
		{"dynamodb:BatchWriteItem/Delete table:followups", "table:followups dynamodb:BatchWriteItem"},
		{"sqs:DeleteMessageBatch queue:followups", "queue:followups sqs:DeleteMessage"},
		{"sqs:ChangeMessageVisibility queue:followups", "queue:followups sqs:ChangeMessageVisibility"},
		{"ses:SendEmail identity:news@example.com", "ses:identity/news@example.com ses:SendEmail"},
	}
	for _, tt := range tests {
		got, err := callActions(tt.call)
		if err != nil || len(got) != 1 || got[0] != tt.want {
			t.Errorf("callActions(%q) = %v, %v; want %q", tt.call, got, err, tt.want)
		}
	}
	if !covers("table:loyalty/index/* dynamodb:Query", "table:loyalty/index/due dynamodb:Query") ||
		covers("table:loyalty/index/* dynamodb:Query", "table:loyalty dynamodb:Query") ||
		covers("table:customers/index/* dynamodb:Query", "table:loyalty/index/due dynamodb:Query") ||
		!covers("key:loyalty kms:GenerateDataKey*", "key:loyalty kms:GenerateDataKey") {
		t.Error("covers: index and wildcard matching is wrong")
	}
}

func cloneAccess(m map[string]wiring.Access) map[string]wiring.Access {
	out := make(map[string]wiring.Access, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
