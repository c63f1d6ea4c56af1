package survey_test

import (
	"context"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// The response path's store, keeping its reads as a warm function in AWS does, serves
// a definition and a public link from memory within Keep, but reads a personal
// invitation every time: it is spent by its response, possibly in another function.
// Calls are counted by the meter the emulator clients carry.
func TestResponsePathKeepsDefinitionsAndLinksNotInvitations(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	table := env.Names("surveys")
	keeping := &survey.Store{DB: env.Clients.DynamoDB, Table: table, Keep: time.Hour}
	other := &survey.Store{DB: env.Clients.DynamoDB, Table: table}
	sv := survey.Survey{ID: "s-keep", Name: "Stay", Version: 1}
	if err := other.PutSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, inv := range []survey.Invitation{
		{Token: "link-keep", Kind: survey.KindLink, SurveyID: sv.ID, LocationID: "loc-1", ExpiresAt: now.Add(time.Hour), DailyCap: 100},
		{Token: "inv-keep", SurveyID: sv.ID, LocationID: "loc-1", ExpiresAt: now.Add(time.Hour)},
	} {
		if err := other.PutInvitation(ctx, inv); err != nil {
			t.Fatal(err)
		}
	}
	// read returns what the store gave and how many calls it made to DynamoDB.
	read := func(token string) (survey.Survey, survey.Invitation, int) {
		t.Helper()
		mctx, m := cloud.WithMeter(ctx)
		got, err, inv, invErr := keeping.SurveyAndInvitation(mctx, sv.ID, token)
		if err != nil || invErr != nil {
			t.Fatalf("%s: %v, %v", token, err, invErr)
		}
		return got, inv, m.Total()
	}
	read("link-keep")
	read("inv-keep")
	// Another function publishes version 2.
	sv.Name, sv.Version = "Stay, revised", 2
	if err := other.PutSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	if got, link, calls := read("link-keep"); got.Version != 1 || link.Kind != survey.KindLink || calls != 0 {
		t.Errorf("link path within Keep: version %d, link %+v, %d calls; want the kept version 1 and link, no call", got.Version, link, calls)
	}
	if got, inv, calls := read("inv-keep"); calls != 1 || inv.Token != "inv-keep" || got.Version != 2 {
		t.Errorf("invitation: %d calls, %+v, version %d; want it read again, with the definition (now 2)", calls, inv, got.Version)
	}
	// The store that saves a definition forgets what it kept.
	sv.Name, sv.Version = "Stay, third", 3
	if err := keeping.PutSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := read("link-keep"); got.Version != 3 {
		t.Errorf("after its own save: version %d, want 3", got.Version)
	}
}
