package outreach_test

import (
	"context"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/outreach"
)

// The directory answers scheduling in follow-up terms: a customer without a profile is
// a zero profile, not an error; a profile gives its contact details; consents keep
// their answer, time and source.
func TestDirectoryAnswersInFollowupTerms(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	d := outreach.Directory{Customers: f.customers}
	now := f.clk.Now()
	if p, err := d.Profile(ctx, "nobody"); err != nil || p.ID != "" {
		t.Fatalf("no profile: %+v %v", p, err)
	}
	str := func(s string) *string { return &s }
	created, _, err := f.customers.CreateProfile(ctx, customer.ProfileInput{ID: "ann", Name: str("Ann"), Email: str("ann@example.com"),
		Phone: str("+86 138 0013 8000"), Locale: str("en"), TimeZone: str("Europe/London")}, "test", now)
	if err != nil {
		t.Fatal(err)
	}
	p, err := d.Profile(ctx, "ann")
	if err != nil {
		t.Fatal(err)
	}
	want := followup.Profile{ID: "ann", Email: created.Email, Phone: created.Phone, Locale: "en", TimeZone: "Europe/London", Locations: created.Locations()}
	if p.ID != want.ID || p.Email != want.Email || p.Phone != want.Phone || p.Locale != want.Locale || p.TimeZone != want.TimeZone || len(p.Locations) != len(want.Locations) {
		t.Fatalf("profile %+v, want %+v", p, want)
	}
	if p.Email == "" || p.Phone == "" {
		t.Fatalf("profile without its contact details: %+v", p)
	}
	at := now.Add(-time.Hour).Truncate(time.Millisecond)
	if err := f.customers.SetConsent(ctx, "ann", customer.Consent{Channel: "sms", Granted: false, At: at, Source: "front-desk"}); err != nil {
		t.Fatal(err)
	}
	cs, err := d.Consents(ctx, "ann")
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := cs["sms"]; !ok || c.Granted || !c.At.Equal(at) || c.Source != "front-desk" || len(cs) != 1 {
		t.Fatalf("consents %+v", cs)
	}
}
