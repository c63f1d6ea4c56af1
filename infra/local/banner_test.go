package local_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// The banner's deep health line tells the truth: failing, naming the dispatcher, until
// the dispatcher has run; then ok with what it measured.
func TestBannerHealthVerdict(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	ctx := t.Context()

	line, ok := local.HealthVerdict(ctx, s.srv.URL, s.issuer, s.cfg.Clock.Now())
	if ok || !strings.HasPrefix(line, "FAILING (503): ") || !strings.Contains(line, "dispatcher (no heartbeat") {
		t.Errorf("before the dispatcher ran: %q, %v; want failing on the dispatcher", line, ok)
	}

	if _, err := s.runner.Invoke(ctx, "followup-dispatcher", local.ScheduledEvent(s.cfg.Clock.Now(), "followup-dispatcher")); err != nil {
		t.Fatal(err)
	}
	line, ok = local.HealthVerdict(ctx, s.srv.URL, s.issuer, s.cfg.Clock.Now())
	if !ok || !strings.HasPrefix(line, "ok: 9 checks; queue:emails: 0 waiting, 0 in flight; queue:followups: 0 waiting, 0 in flight; queue:texts: 0 waiting, 0 in flight; dispatcher ran ") {
		t.Errorf("after a run: %q, %v; want ok", line, ok)
	}

	var out bytes.Buffer
	local.Banner{BaseURL: s.srv.URL, IssuerURL: s.issuer.URL(), Health: line}.Print(&out)
	if !strings.Contains(out.String(), "\n  deep health      "+line+"   (GET /v1/health/deep, admin or system)\n") {
		t.Errorf("the banner does not show the verdict:\n%s", out.String())
	}
}

// The banner names the console at the runner's own URL and the demo users to sign in
// as; without a build it says how to make one.
func TestBannerNamesTheConsoleAndTheDemoUsers(t *testing.T) {
	const base = "http://127.0.0.1:9191"
	var out bytes.Buffer
	local.Banner{BaseURL: base, IssuerURL: base + local.IssuerPath, ConsoleBuilt: true}.Print(&out)
	for _, want := range []string{
		"\n  console          " + base + "/   (the staff console; sign in on the issuer's page: pick a role and locations, no password)\n",
		"\n    front desk       agent at location loc-1\n",
		"\n    branch manager   manager at location loc-1\n",
		"\n    head office      admin at all locations (*)\n",
		"\n  API              " + base + "   (",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the banner lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	local.Banner{BaseURL: base, IssuerURL: base + local.IssuerPath}.Print(&out)
	if !strings.Contains(out.String(), "\n  console          not built: run make console, then open "+base+"/\n") || strings.Contains(out.String(), "front desk") {
		t.Errorf("the banner without a build:\n%s", out.String())
	}
}
