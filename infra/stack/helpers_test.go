package stack

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/rapport-crm/rapport/shared/wiring"
)

// testAssets is a build dir with a dummy bootstrap per function, made once for all tests.
var testAssets string

// testConsole is a console build as Vite lays it out: index.html and hashed assets.
var testConsole string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rapport-assets-")
	if err != nil {
		panic(err)
	}
	testAssets = dir
	for _, f := range append(append([]wiring.Function{}, wiring.Functions...), fixtureFunctions()...) {
		if err := os.MkdirAll(filepath.Join(dir, f.Name), 0o755); err != nil {
			panic(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name, "bootstrap"), []byte("not a real binary"), 0o755); err != nil {
			panic(err)
		}
	}
	testConsole = filepath.Join(dir, "console")
	for name, content := range map[string]string{
		"index.html":               `<!doctype html><script type="module" src="/assets/index-3f2a9c1b.js"></script>`,
		"favicon.svg":              `<svg xmlns="http://www.w3.org/2000/svg"/>`,
		"assets/index-3f2a9c1b.js": `console.log("rapport")`,
	} {
		path := filepath.Join(testConsole, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			panic(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			panic(err)
		}
	}
	code := m.Run()
	// No jsii.Close(): it races with jsii-runtime-go's own Wait on the node process
	// (go test -race reports it); the process ends with ours when its stdin closes.
	os.RemoveAll(dir)
	os.Exit(code)
}

// synthesized is one stack, synthesized with cdk-nag's AwsSolutions and Serverless checks applied.
type synthesized struct {
	stack    awscdk.Stack
	template assertions.Template
	// resources is the template's Resources section, decoded.
	resources map[string]resource
	raw       string
}

type resource struct {
	Type           string         `json:"Type"`
	Properties     map[string]any `json:"Properties"`
	DeletionPolicy string         `json:"DeletionPolicy"`
}

var (
	cacheMu sync.Mutex
	cache   = map[string]*synthesized{}
)

// synthCached synthesizes the stack for props once per name: a synth costs seconds.
func synthCached(t *testing.T, name string, props StackProps) *synthesized {
	t.Helper()
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if s, ok := cache[name]; ok {
		return s
	}
	s := synth(t, props, nil)
	cache[name] = s
	return s
}

// synth builds a fresh app and stack; mutate, if given, changes the stack before the
// synthesis (the way a careless edit would).
func synth(t *testing.T, props StackProps, mutate func(awscdk.Stack)) *synthesized {
	t.Helper()
	if props.AssetDir == "" {
		props.AssetDir = testAssets
	}
	if props.ConsoleDir == "" {
		props.ConsoleDir = testConsole
	}
	app := awscdk.NewApp(nil)
	var stack awscdk.Stack
	mustNotPanic(t, func() { stack = NewStack(app, "Rapport-test", &props) })
	if mutate != nil {
		mutate(stack)
	}
	// The aspect must be on the app before anything synthesizes it.
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Reports: jsii.Bool(false)}), nil)
	awscdk.Aspects_Of(app).Add(cdknag.NewServerlessChecks(&cdknag.NagPackProps{Reports: jsii.Bool(false)}), nil)

	s := &synthesized{stack: stack}
	mustNotPanic(t, func() { s.template = assertions.Template_FromStack(stack, nil) })
	raw, err := json.Marshal(s.template.ToJSON())
	if err != nil {
		t.Fatal(err)
	}
	s.raw = string(raw)
	var doc struct {
		Resources map[string]resource `json:"Resources"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	s.resources = doc.Resources
	return s
}

// mustNotPanic turns a jsii error (CDK validation, a failed assertion) into a test failure.
func mustNotPanic(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%v", r)
		}
	}()
	f()
}

func devProps() StackProps { return StackProps{Stage: "dev"} }

// prodProps gives the console's address, an alarm subscriber and a message channel:
// prod refuses to guess them.
func prodProps() StackProps {
	return StackProps{Stage: "prod", ConsoleCallbackURLs: []string{"https://console.hotel.example/"},
		AlarmEmail: "ops@hotel.example",
		Settings:   map[string]string{"notifyChannel": "aws", "emailFrom": "Hotel Lotus <noreply@hotel.example>"}}
}

// stageProps is devProps or prodProps by stage name.
func stageProps(stage string) StackProps {
	if stage == "prod" {
		return prodProps()
	}
	return StackProps{Stage: stage}
}

// identityProps sets every identity setting a deployment can pass as CDK context.
func identityProps() StackProps {
	p := fixtureProps()
	p.AuthDomainPrefix = "hotel-staff"
	p.ConsoleCallbackURLs = []string{"https://console.hotel.example/", "https://console.hotel.example/callback"}
	p.ConsoleLogoutURLs = []string{"https://console.hotel.example/signed-out"}
	p.MachineLocations = []string{"HB01", "SH02"}
	p.MachineClientIDs = []string{"4pos0hb01example0client0id"}
	return p
}

// ofType lists the resources of one type by logical id.
func (s *synthesized) ofType(typ string) map[string]resource {
	out := map[string]resource{}
	for id, r := range s.resources {
		if r.Type == typ {
			out[id] = r
		}
	}
	return out
}

// logicalID finds the CloudFormation logical id of the main resource of the construct
// at path (construct ids from names.go) in the stack.
func (s *synthesized) logicalID(t *testing.T, path ...string) string {
	t.Helper()
	var c constructs.IConstruct = s.stack
	for _, id := range path {
		c = c.Node().TryFindChild(jsii.String(id))
		if c == nil {
			t.Fatalf("no construct %s in the stack", strings.Join(path, "/"))
		}
	}
	if el, ok := c.(awscdk.CfnElement); ok {
		return *s.stack.GetLogicalId(el)
	}
	return *s.stack.GetLogicalId(c.Node().DefaultChild().(awscdk.CfnElement))
}

// resource returns the resource with the given logical id, failing if it is missing.
func (s *synthesized) resource(t *testing.T, id, typ string) resource {
	t.Helper()
	r, ok := s.resources[id]
	if !ok || r.Type != typ {
		t.Fatalf("no %s with logical id %s", typ, id)
	}
	return r
}

// Intrinsic function shapes as they appear in the decoded template.
func ref(id string) any          { return map[string]any{"Ref": id} }
func getAtt(id, attr string) any { return map[string]any{"Fn::GetAtt": []any{id, attr}} }

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func sameJSON(a, b any) bool { return jsonString(a) == jsonString(b) }

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// setDiff tells what is only in want and only in got, sorted, for failure messages.
func setDiff(want, got map[string]bool) (missing, extra []string) {
	for k := range want {
		if !got[k] {
			missing = append(missing, k)
		}
	}
	for k := range got {
		if !want[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	return missing, extra
}

func set(items ...string) map[string]bool {
	out := map[string]bool{}
	for _, i := range items {
		out[i] = true
	}
	return out
}

// fixtureFunctions are rows the real wiring table may not have (yet): a JWT route with
// roles, a read-only grant, a consumer without batching window. Tests that exercise the
// generator itself use them with the real tables and queues.
func fixtureFunctions() []wiring.Function {
	return []wiring.Function{
		{
			Name:        "fixture-staff",
			Description: "Fixture: staff reads surveys.",
			Trigger: wiring.Trigger{Routes: []wiring.Route{
				{Method: "GET", Path: "/v1/fixture/{id}", Auth: wiring.JWT, Roles: []string{wiring.RoleManager}},
				{Method: "POST", Path: "/v1/fixture", Auth: wiring.JWT},
			}},
			Tables:         map[string]wiring.Access{"surveys": wiring.Read},
			Env:            []wiring.EnvVar{{Name: "SURVEYS_TABLE", Table: "surveys"}},
			TimeoutSeconds: 10,
			MemoryMB:       256,
		},
		{
			Name:        "fixture-public",
			Description: "Fixture: public form that enqueues.",
			Trigger: wiring.Trigger{Routes: []wiring.Route{
				{Method: "POST", Path: "/v1/fixture/forms", Auth: wiring.Public, Throttle: &wiring.Throttle{RatePerSecond: 5, Burst: 10}},
			}},
			Queues:         map[string]wiring.Access{"followups": wiring.Send},
			Env:            []wiring.EnvVar{{Name: "QUEUE_URL", Queue: "followups"}, {Name: "MODE", Value: "test"}},
			TimeoutSeconds: 5,
			MemoryMB:       128,
		},
		{
			Name:           "fixture-consumer",
			Description:    "Fixture: consumes without a batching window.",
			Trigger:        wiring.Trigger{Queue: &wiring.QueueTrigger{Queue: "followups", BatchSize: 5}},
			Queues:         map[string]wiring.Access{"followups": wiring.Consume},
			TimeoutSeconds: 15,
			MemoryMB:       128,
		},
	}
}

func fixtureProps() StackProps {
	return StackProps{Stage: "dev", Functions: fixtureFunctions()}
}

func externalIssuerProps() StackProps {
	p := fixtureProps()
	p.JWTIssuer, p.JWTAudience = "https://login.example.com/", []string{"rapport-api", "rapport-pos"}
	return p
}
