package local

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Banner is what make run prints once everything is up.
type Banner struct {
	BaseURL, IssuerURL string
	DynamoDB, SQS      string // the emulators' endpoints
	FollowupsQueue     string
	// ConsoleBuilt says whether the staff console's build is there to serve at
	// BaseURL + "/" (ConsoleBuilt of Config.ConsoleDir).
	ConsoleBuilt bool
	Tick, Took   time.Duration
	// Health is the deep health check's verdict (HealthVerdict), "" if not asked.
	Health string
}

// HealthVerdict asks GET /v1/health/deep at base, as the machine client (system, all
// locations) over HTTP like any client, and sums its answer up in one line; ok is
// false unless it answered 200.
func HealthVerdict(ctx context.Context, base string, issuer *Issuer, now time.Time) (line string, ok bool) {
	token, err := issuer.Token("", []string{wiring.RoleSystem}, []string{"*"}, now, time.Minute)
	if err != nil {
		return "FAILING: no token for the check: " + err.Error(), false
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/health/deep", nil)
	if err != nil {
		return "FAILING: " + err.Error(), false
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "FAILING: no answer: " + err.Error(), false
	}
	defer resp.Body.Close()
	var rep app.Report
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil || len(rep.Checks) == 0 {
		return fmt.Sprintf("FAILING: %s, not a health report", resp.Status), false
	}
	var parts []string
	for _, c := range rep.Checks {
		switch {
		case !c.OK:
			parts = append(parts, c.Name+" ("+c.Detail+")")
		case c.Messages != nil:
			parts = append(parts, fmt.Sprintf("%s: %d waiting, %d in flight", c.Name, *c.Messages, deref(c.MessagesInFlight)))
		case c.AgeSeconds != nil:
			parts = append(parts, fmt.Sprintf("dispatcher ran %ds ago", *c.AgeSeconds))
		}
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("FAILING (%d): %s", resp.StatusCode, strings.Join(parts, "; ")), false
	}
	return fmt.Sprintf("ok: %d checks; %s", len(rep.Checks), strings.Join(parts, "; ")), true
}

func deref(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}

// DemoUser is a person of the demo, signed in as on the local issuer's page: a role
// and locations ("*" is all).
type DemoUser struct {
	Who       string
	Role      string
	Locations []string
}

// DemoUsers are the people the banner offers to sign in to the console as, and whose
// tokens the console's browser tests are given.
var DemoUsers = []DemoUser{
	{"front desk", wiring.RoleAgent, []string{"loc-1"}},
	{"branch manager", wiring.RoleManager, []string{"loc-1"}},
	{"head office", wiring.RoleAdmin, []string{auth.AllLocations}},
}

// consoleLines are the banner's lines about the console at base.
func consoleLines(base string, built bool) string {
	if !built {
		return "  console          not built: run make console, then open " + base + "/\n"
	}
	var b strings.Builder
	b.WriteString("  console          " + base + "/   (the staff console; sign in on the issuer's page: pick a role and locations, no password)\n")
	for _, u := range DemoUsers {
		where := "location " + strings.Join(u.Locations, ", ")
		if slices.Equal(u.Locations, []string{auth.AllLocations}) {
			where = "all locations (*)"
		}
		fmt.Fprintf(&b, "    %-16s %s at %s\n", u.Who, u.Role, where)
	}
	b.WriteString("    (other locations, such as loc-2: tick them once registered, or type their ids under \"Other location ids\")\n")
	return b.String()
}

// Examples are the commands the banner offers to try against the runner at base; a
// test runs each of them.
func Examples(base, issuerURL string) []string {
	return []string{
		"curl -s " + base + "/v1/health",
		"curl -s -X POST " + base + "/v1/surveys/" + DemoSurveyID + "/responses -H 'Content-Type: application/json' \\\n" +
			`  -d '{"invitationToken":"` + DemoLinkToken + `","answers":[{"questionId":"nps","value":3}],"comment":"The room was cold"}'`,
		"curl -s -u " + MachineClientID + ":" + MachineClientSecret + " -d grant_type=client_credentials " + issuerURL + "/oauth2/token",
	}
}

// Print writes the banner.
func (b Banner) Print(w io.Writer) {
	every := "as the wiring table says (TICK=10s make run to speed up)"
	if b.Tick > 0 {
		every = "every " + b.Tick.String() + " (TICK)"
	}
	var try strings.Builder
	for _, ex := range Examples(b.BaseURL, b.IssuerURL) {
		try.WriteString("  " + strings.ReplaceAll(ex, "\n", "\n  ") + "\n")
	}
	health := ""
	if b.Health != "" {
		health = "  deep health      " + b.Health + "   (GET /v1/health/deep, admin or system)\n"
	}
	fmt.Fprintf(w, `
Rapport is running (up in %s)
%s  API              %s   (every route of the wiring table; GET /dev/outbox for sent email and SMS)
  DynamoDB Local   %s   (data kept in .local/ddb-data; tables rapport-*)
  SQS emulator     %s   (queue %s)
  schedules        %s
  issuer           %s   (OIDC; sign-in page for demo users)
    console client   %s   (authorization code + PKCE, redirect URIs on localhost)
    machine client   %s / %s   (client credentials; local only)
%smake token, invoke, redrive and reconcile talk to the make run started last (.local/run.json); PORT= picks another.
Try (more in the README's walk-through):
%sCtrl-C stops everything.
`, b.Took.Round(100*time.Millisecond), consoleLines(b.BaseURL, b.ConsoleBuilt), b.BaseURL, b.DynamoDB, b.SQS, b.FollowupsQueue, every,
		b.IssuerURL, ConsoleClientID, MachineClientID, MachineClientSecret, health, try.String())
}
