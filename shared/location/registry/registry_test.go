package registry_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/shared/location/registry"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
)

// TestValidateKnowsTheCurrencies: a currency written as a code must also be one ISO
// 4217 knows, named with the location's other bad fields in one answer.
func TestValidateKnowsTheCurrencies(t *testing.T) {
	good := place.Location{ID: "SH01", Name: "Shanghai Bund", TimeZone: "Asia/Shanghai", Currency: "CNY"}
	if err := registry.Validate(&good); err != nil {
		t.Fatalf("CNY: %v", err)
	}
	fields := func(err error) []string {
		var pe *problem.Error
		if !errors.As(err, &pe) {
			t.Fatalf("err %v, want field errors", err)
		}
		var out []string
		for _, f := range pe.Fields {
			out = append(out, f.Field)
		}
		return out
	}
	unknown := good
	unknown.Currency = "XXY" // three capitals, no currency
	if got := fields(registry.Validate(&unknown)); !slices.Equal(got, []string{"currency"}) {
		t.Errorf("XXY: fields %v", got)
	}
	both := unknown
	both.TimeZone = "Mars/Olympus"
	if got := fields(registry.Validate(&both)); !slices.Contains(got, "timeZone") || !slices.Contains(got, "currency") {
		t.Errorf("a bad zone and an unknown currency: fields %v", got)
	}
	shaped := good
	shaped.Currency = "yuan" // place names it; the registry does not name it twice
	if got := fields(registry.Validate(&shaped)); !slices.Equal(got, []string{"currency"}) {
		t.Errorf("yuan: fields %v", got)
	}
}
