package catalog

import (
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/keyring/kms"
	"github.com/rapport-crm/rapport/shared/keyring/secrets"
	"github.com/rapport-crm/rapport/shared/wiring"
)

func rowNames() []string {
	var names []string
	for _, f := range wiring.Functions {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	return names
}

func offlineDeps() app.Deps {
	// Clients make no calls until used, so building needs no network.
	return app.Deps{Clients: cloud.NewClients(aws.Config{Region: "us-east-1"}), Clock: clock.System{},
		Keys: app.Keys{MACs: kms.MACRing, Secrets: secrets.New}} // what the local runner gives every function
}

func fullEnv(row wiring.Function) map[string]string {
	return row.Environment(func(t string) string { return "tbl-" + t }, func(q string) string { return "https://sqs.example/" + q }, "https://api.example",
		func(k string) string {
			if key, _ := wiring.SigningKeyByName(k); key.Kind == wiring.MACKey {
				return "1=arn:aws:kms:us-east-1:111122223333:key/" + k
			}
			return "arn:aws:secretsmanager:us-east-1:111122223333:secret:" + k
		})
}

// Every functions/ folder has a row, every row a folder, and every row a builder.
func TestFunctionFoldersRowsAndBuildersMatch(t *testing.T) {
	entries, err := os.ReadDir("../../functions")
	if err != nil {
		t.Fatal(err)
	}
	var folders []string
	for _, e := range entries {
		if e.IsDir() {
			folders = append(folders, e.Name())
		}
	}
	if rows := rowNames(); !slices.Equal(folders, rows) {
		t.Errorf("functions/ folders %v != wiring rows %v", folders, rows)
	}
	if rows, built := rowNames(), Names(); !slices.Equal(built, rows) {
		t.Errorf("builders %v != wiring rows %v", built, rows)
	}
	// AND each main.go starts its row with the very builder the catalog names for it
	// (the local runner's), written the same way, so the AWS binary runs what make
	// run runs.
	catalog := catalogBuilders(t)
	for _, name := range folders {
		file := filepath.Join("../../functions", name, "main.go")
		got, ok := startedBuilder(t, file, name)
		if !ok {
			t.Errorf("functions/%s/main.go does not call app.Start(%q, <builder>, <keys>)", name, name)
			continue
		}
		if got != catalog[name] {
			t.Errorf("functions/%s/main.go starts %s; the catalog builds %q with %s", name, got, name, catalog[name])
		}
	}
}

// catalogBuilders is the source text of each builder in catalog.go's Builders.
func catalogBuilders(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "catalog.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		kv, ok := n.(*ast.KeyValueExpr)
		if !ok {
			return true
		}
		if key, ok := kv.Key.(*ast.BasicLit); ok && key.Kind == token.STRING {
			out[strings.Trim(key.Value, `"`)] = exprText(t, fset, kv.Value)
		}
		return true
	})
	return out
}

// startedBuilder is the source text of the builder a main.go passes to app.Start for
// the named row.
func startedBuilder(t *testing.T, file, name string) (string, bool) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 3 {
			return true
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Start" || exprText(t, fset, sel.X) != "app" {
			return true
		}
		if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Value == `"`+name+`"` {
			got, found = exprText(t, fset, call.Args[1]), true
		}
		return true
	})
	return got, found
}

func exprText(t *testing.T, fset *token.FileSet, e ast.Expr) string {
	t.Helper()
	var b strings.Builder
	if err := printer.Fprint(&b, fset, e); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Each function reads exactly the variables its row sets (the stack sets exactly the
// row's variables; infra/stack tests that side).
func TestFunctionsReadExactlyTheirRowEnvironment(t *testing.T) {
	for _, row := range wiring.Functions {
		t.Run(row.Name, func(t *testing.T) {
			env := config.FromMap(fullEnv(row))
			if _, err := app.Build(row.Name, Builders[row.Name], env, offlineDeps()); err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, v := range row.Env {
				want = append(want, v.Name)
			}
			sort.Strings(want)
			if got := env.Read(); !slices.Equal(got, want) {
				t.Errorf("reads %v, row sets %v", got, want)
			}
		})
	}
}

func TestBuildNamesEveryMissingVariable(t *testing.T) {
	for _, row := range wiring.Functions {
		if len(row.Env) == 0 {
			continue
		}
		_, err := app.Build(row.Name, Builders[row.Name], config.FromMap(nil), offlineDeps())
		if err == nil {
			t.Errorf("%s built with an empty environment", row.Name)
			continue
		}
		for _, v := range row.Env {
			if v.Value == "" && v.Setting == "" && !strings.Contains(err.Error(), v.Name) {
				t.Errorf("%s: error %q does not name %s", row.Name, err, v.Name)
			}
		}
	}
}

// Only the config package reads the process environment, so the dynamic check above
// sees every read.
func TestOnlyConfigReadsTheEnvironment(t *testing.T) {
	allowed := map[string]bool{"config": true, "emulator": true, "testenv": true}
	for _, dir := range []string{"../../shared", "../../functions"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			if allowed[filepath.Base(filepath.Dir(path))] {
				return nil
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if x, isIdent := sel.X.(*ast.Ident); isIdent && x.Name == "os" &&
					(sel.Sel.Name == "Getenv" || sel.Sel.Name == "LookupEnv" || sel.Sel.Name == "Environ") {
					t.Errorf("%s reads the environment with os.%s; use the config package", path, sel.Sel.Name)
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// The rows agree with themselves: env sources are granted, grants exist, triggers
// are consumed, route patterns are unique.
func TestWiringRowsAreConsistent(t *testing.T) {
	routes := map[string]string{}
	for _, row := range wiring.Functions {
		for _, v := range row.Env {
			sources := 0
			for _, s := range []string{v.Table, v.Queue, v.Key, v.Setting} {
				if s != "" {
					sources++
				}
			}
			if v.API {
				sources++
			}
			if v.Value != "" && v.Setting == "" {
				sources++
			}
			if sources != 1 {
				t.Errorf("%s: %s must have exactly one source", row.Name, v.Name)
			}
			if v.Table != "" && row.Tables[v.Table] == "" {
				t.Errorf("%s: %s names table %s that the row does not grant", row.Name, v.Name, v.Table)
			}
			if v.Queue != "" && row.Queues[v.Queue] == "" {
				t.Errorf("%s: %s names queue %s that the row does not grant", row.Name, v.Name, v.Queue)
			}
			if v.Key != "" && row.Keys[v.Key] == "" {
				t.Errorf("%s: %s names signing key %s that the row does not grant", row.Name, v.Name, v.Key)
			}
		}
		for k, acc := range row.Keys {
			key, ok := wiring.SigningKeyByName(k)
			if !ok {
				t.Errorf("%s: no signing key %s", row.Name, k)
			}
			if want := map[wiring.KeyKind][]wiring.Access{wiring.MACKey: {wiring.Sign, wiring.Verify}, wiring.SecretKey: {wiring.Read}}[key.Kind]; !slices.Contains(want, acc) {
				t.Errorf("%s: %s key %s with access %s, want one of %v", row.Name, key.Kind, k, acc, want)
			}
		}
		for tbl := range row.Tables {
			if _, ok := wiring.TableByName(tbl); !ok {
				t.Errorf("%s: no table %s", row.Name, tbl)
			}
		}
		for q, acc := range row.Queues {
			if _, ok := wiring.QueueByName(q); !ok {
				t.Errorf("%s: no queue %s", row.Name, q)
			}
			if acc == wiring.Consume && (row.Trigger.Queue == nil || row.Trigger.Queue.Queue != q) {
				t.Errorf("%s: consumes %s without being triggered by it", row.Name, q)
			}
		}
		triggers := 0
		if len(row.Trigger.Routes) > 0 {
			triggers++
		}
		if row.Trigger.Schedule != nil {
			triggers++
		}
		if row.Trigger.Manual {
			triggers++
		}
		if qt := row.Trigger.Queue; qt != nil {
			triggers++
			if row.Queues[qt.Queue] != wiring.Consume {
				t.Errorf("%s: triggered by %s without consume access", row.Name, qt.Queue)
			}
			if qt.BatchSize < 1 || (qt.WindowSeconds == 0 && qt.BatchSize > 10) {
				t.Errorf("%s: batch size %d with window %d", row.Name, qt.BatchSize, qt.WindowSeconds)
			}
		}
		if triggers != 1 {
			t.Errorf("%s: %d triggers, want exactly one", row.Name, triggers)
		}
		for _, r := range row.Trigger.Routes {
			if other, dup := routes[r.Pattern()]; dup {
				t.Errorf("route %s in %s and %s", r.Pattern(), other, row.Name)
			}
			routes[r.Pattern()] = row.Name
			if r.Auth == wiring.Public && len(r.Roles) > 0 {
				t.Errorf("%s: public route %s lists roles", row.Name, r.Pattern())
			}
		}
		for _, ch := range row.Sends {
			if ch != "email" && ch != "sms" {
				t.Errorf("%s: sends %q: only email and sms go through AWS", row.Name, ch)
			}
		}
		if row.TimeoutSeconds <= 0 || row.MemoryMB < 128 {
			t.Errorf("%s: timeout %d memory %d", row.Name, row.TimeoutSeconds, row.MemoryMB)
		}
	}
	for _, q := range wiring.Queues {
		if q.VisibilityTimeoutSeconds < 6*maxConsumerTimeout(q.Name) {
			t.Errorf("queue %s: visibility %ds is under six times its consumer's timeout", q.Name, q.VisibilityTimeoutSeconds)
		}
	}
}

func maxConsumerTimeout(queue string) int {
	m := 0
	for _, f := range wiring.Functions {
		if f.Trigger.Queue != nil && f.Trigger.Queue.Queue == queue {
			m = max(m, f.TimeoutSeconds)
		}
	}
	return m
}
