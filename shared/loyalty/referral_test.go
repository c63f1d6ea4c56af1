package loyalty

import (
	"errors"
	"math"
	"testing"

	"github.com/rapport-crm/rapport/shared/problem"
)

func TestReferralCheck(t *testing.T) {
	ann := Member{CustomerID: "c1", Phone: "+8613800000001", Email: "ann@example.com"}
	for _, c := range []struct {
		name              string
		referrer, referee Member
		want              error
	}{
		{"self referral", ann, ann, ErrSelfReferral},
		{"self referral by id, other contacts", ann,
			Member{CustomerID: "c1", Phone: "+8613800000002", Email: "bob@example.com"}, ErrSelfReferral},
		{"same phone, second account", ann,
			Member{CustomerID: "c2", Phone: "+8613800000001", Email: "bob@example.com"}, ErrSameContact},
		{"same email, second account", ann,
			Member{CustomerID: "c2", Phone: "+8613800000002", Email: "ann@example.com"}, ErrSameContact},
		{"different all: ok", ann,
			Member{CustomerID: "c2", Phone: "+8613800000002", Email: "bob@example.com"}, nil},
		{"empty phones are not equal",
			Member{CustomerID: "c1", Email: "ann@example.com"},
			Member{CustomerID: "c2", Email: "bob@example.com"}, nil},
		{"empty emails are not equal",
			Member{CustomerID: "c1", Phone: "+8613800000001"},
			Member{CustomerID: "c2", Phone: "+8613800000002"}, nil},
		{"no contacts at all", Member{CustomerID: "c1"}, Member{CustomerID: "c2"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CheckReferral(c.referrer, c.referee)
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("CheckReferral = %v, want %v", err, c.want)
			}
			if err != nil && problem.KindOf(err) != problem.Invalid {
				t.Errorf("kind %s, want invalid", problem.KindOf(err))
			}
		})
	}
}

func TestReferralBonusAllowed(t *testing.T) {
	for _, c := range []struct {
		name       string
		maxPerYear int
		given      int
		want       bool
	}{
		{"first of the year", 20, 0, true},
		{"the 20th", 20, 19, true},
		{"the 21st", 20, 20, false},
		{"well over", 20, 25, false},
		{"no limit", 0, 1000, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := DefaultRules()
			r.Referral.MaxPerYear = c.maxPerYear
			if got := r.ReferralBonusAllowed(c.given); got != c.want {
				t.Errorf("ReferralBonusAllowed(%d) with max %d = %v, want %v", c.given, c.maxPerYear, got, c.want)
			}
		})
	}
}

func TestReferralQualifies(t *testing.T) {
	for _, c := range []struct {
		name      string
		amount    float64
		firstEarn bool
		want      bool
	}{
		{"first earn at the qualifying amount", 100, true, true},
		{"first earn above it", 350.5, true, true},
		{"first earn just below", 99.99, true, false},
		{"a later earn does not qualify", 500, false, false},
		{"NaN amount", math.NaN(), true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Qualifies(c.amount, c.firstEarn, DefaultRules()); got != c.want {
				t.Errorf("Qualifies(%v, %v) = %v, want %v", c.amount, c.firstEarn, got, c.want)
			}
		})
	}
}
