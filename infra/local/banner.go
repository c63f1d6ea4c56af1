package local

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Banner is what make run prints once everything is up.
type Banner struct {
	BaseURL, IssuerURL string
	DynamoDB, SQS      string // the emulators' endpoints
	FollowupsQueue     string
	Tick, Took         time.Duration
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
	fmt.Fprintf(w, `
Rapport is running (up in %s)
  API              %s   (every route of the wiring table; GET /dev/outbox for sent email and SMS)
  DynamoDB Local   %s   (data kept in .local/ddb-data; tables rapport-*)
  SQS emulator     %s   (queue %s)
  schedules        %s
  issuer           %s   (OIDC; sign-in page for demo users)
    console client   %s   (authorization code + PKCE, redirect URIs on localhost)
    machine client   %s / %s   (client credentials; local only)
make token, invoke, redrive and reconcile talk to the make run started last (.local/run.json); PORT= picks another.
Try (more in the README's walk-through):
%sCtrl-C stops everything.
`, b.Took.Round(100*time.Millisecond), b.BaseURL, b.DynamoDB, b.SQS, b.FollowupsQueue, every,
		b.IssuerURL, ConsoleClientID, MachineClientID, MachineClientSecret, try.String())
}
