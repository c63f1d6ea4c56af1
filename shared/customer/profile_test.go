package customer_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/problem"
)

func str(s string) *string { return &s }

// One person, one profile: the same phone in other formats, or the same email in
// other case, finds the first profile — also when the creates race.
func TestCreateFindsTheExistingProfile(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	first, created, err := s.CreateProfile(ctx, customer.ProfileInput{Name: str("Li Lei"), Phone: str("+86 138-0013-8000"),
		Email: str("Li.Lei@Example.com"), LocationID: str("sh-01"), Consent: map[string]bool{"email": true}}, "agent-1", t0)
	if err != nil || !created || first.Phone != "+8613800138000" || first.Email != "li.lei@example.com" {
		t.Fatalf("create: %+v %v %v", first, created, err)
	}
	for _, in := range []customer.ProfileInput{
		{Name: str("李雷"), Phone: str("13800138000")},
		{Phone: str("0086 138 0013 8000")},
		{Email: str("LI.LEI@example.COM")},
	} {
		p, created, err := s.CreateProfile(ctx, in, "agent-2", t0)
		if err != nil || created || p.ID != first.ID || p.Name != "Li Lei" {
			t.Fatalf("second create %+v: %+v created=%v %v", in, p, created, err)
		}
	}
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			p, _, err := s.CreateProfile(ctx, customer.ProfileInput{Name: str("Han"), Phone: str("139 0000 0000")}, "pos", t0)
			if err != nil {
				t.Errorf("racing create: %v", err)
			}
			ids[i] = p.ID
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("racing creates made several profiles: %v", ids)
		}
	}
	cs, _ := s.Consents(ctx, first.ID)
	if !cs["email"].Granted || cs["email"].Source != "profile" {
		t.Fatalf("consent %+v", cs)
	}
}

func TestPatchProfile(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	a, _, _ := s.CreateProfile(ctx, customer.ProfileInput{Name: str("A"), Phone: str("13800000001")}, "x", t0)
	b, _, _ := s.CreateProfile(ctx, customer.ProfileInput{Name: str("B"), Phone: str("13800000002")}, "x", t0)
	p, err := s.PatchProfile(ctx, a.ID, customer.ProfileInput{Email: str("a@example.com"), Tags: []string{"vip", "vip", "late-checkout"}, Version: 1}, "x", t0)
	if err != nil || p.Email != "a@example.com" || len(p.Tags) != 2 || p.Version != 2 || p.Name != "A" {
		t.Fatalf("patch: %+v %v", p, err)
	}
	_, err = s.PatchProfile(ctx, a.ID, customer.ProfileInput{Name: str("stale"), Version: 1}, "x", t0)
	var stale *problem.Error
	if !errors.As(err, &stale) || stale.Kind != problem.Conflict || stale.Reason != customer.ReasonProfileChanged || stale.Facts["version"] != 2 {
		t.Fatalf("a stale version: %v, want a 409 profile-changed naming version 2", err)
	}
	if _, err := s.PatchProfile(ctx, b.ID, customer.ProfileInput{Phone: str("+86 138 0000 0001")}, "x", t0); problem.KindOf(err) != problem.Conflict {
		t.Fatalf("another's phone: %v", err)
	}
	// The old phone is free once changed.
	if _, err := s.PatchProfile(ctx, a.ID, customer.ProfileInput{Phone: str("13800000003")}, "x", t0); err != nil {
		t.Fatal(err)
	}
	if found, _ := s.FindByContact(ctx, "13800000001", ""); found != "" {
		t.Fatalf("the old phone still finds %q", found)
	}
	if _, err := s.PatchProfile(ctx, b.ID, customer.ProfileInput{Phone: str("13800000001")}, "x", t0); err != nil {
		t.Fatalf("take the freed phone: %v", err)
	}
	_, err = s.PatchProfile(ctx, a.ID, customer.ProfileInput{Email: str("nope"), Birthday: str("1990-13-01"), Locale: str("fr"), TimeZone: str("Mars/Base")}, "x", t0)
	for _, f := range []string{"email", "birthday", "locale", "timeZone"} {
		if !hasField(err, f) {
			t.Errorf("%v does not name %s", err, f)
		}
	}
	if _, err := s.PatchProfile(ctx, "nobody", customer.ProfileInput{}, "x", t0); err != customer.ErrNoProfile {
		t.Fatalf("unknown: %v", err)
	}
}

func hasField(err error, field string) bool {
	var p *problem.Error
	if !errors.As(err, &p) {
		return false
	}
	for _, f := range p.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}
