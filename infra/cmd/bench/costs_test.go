package main

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/infra/cost"
	"github.com/rapport-crm/rapport/shared/wiring"
)

func TestPartOfNamesAnItemByItsKeysShape(t *testing.T) {
	key := func(pk, sk string) item {
		return item{"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk}}
	}
	for _, c := range []struct {
		table string
		key   item
		want  string
	}{
		{"bench-loyalty", key("ACCT#c-1", "L"), "loyalty ACCT#/L"},
		{"bench-loyalty", key("ACCT#c-1", "L#2027-12-07T02:30:58.147Z#06H4"), "loyalty ACCT#/L#"},
		{"bench-surveys", key("SURVEY#demo-stay", "AGG#loc-1#2026-12-07#2"), "surveys SURVEY#/AGG#"},
		{"bench-complaints", key("AGG#loc-1", "2026-12-07#3"), "complaints AGG#/…"},
		{"bench-followups", key("DEDUPE#complaint#c-1#outcome#0", "DEDUPE"), "followups DEDUPE#/DEDUPE"},
		{"followups", item{"pk": &types.AttributeValueMemberN{Value: "1"}}, "followups …/…"},
	} {
		if got := partOf(c.table, c.key); got != c.want {
			t.Errorf("partOf(%s, %v) = %q, want %q", c.table, c.key, got, c.want)
		}
	}
}

func TestEveryTargetedCaseIsOneTheBenchRuns(t *testing.T) {
	// A target whose case the bench no longer runs would be skipped without a word.
	known := map[string]bool{}
	for name := range sendFloors {
		known[name] = true
	}
	for name := range floors {
		known[name] = true
	}
	for _, t0 := range targets {
		if !known[t0.name] {
			t.Errorf("target %q names no case with a floor", t0.name)
		}
	}
	for _, p := range flat {
		for _, name := range p {
			if !known[name] {
				t.Errorf("flat pair names %q, no case with a floor", name)
			}
		}
	}
}

func TestEveryTargetedCaseHasAFloor(t *testing.T) {
	// A target is read next to the least its case could cost: without one, a miss
	// cannot say whether the code or a guarantee keeps the case above it.
	for _, t0 := range targets {
		_, ok := floors[t0.name]
		if f, send := sendFloors[t0.name]; send {
			ok = f.units != (cost.Units{}) && f.why != ""
		}
		if !ok {
			t.Errorf("target %q has no floor", t0.name)
		}
	}
}

func TestTheFollowupsStepsAreTheFunctionsItGoesThrough(t *testing.T) {
	// sendCost runs these functions by name; a step named after none would print zeros.
	for _, st := range sendSteps {
		if _, ok := wiring.FunctionByName(st.function); !ok {
			t.Errorf("step %q is no function of the wiring table", st.function)
		}
	}
}
