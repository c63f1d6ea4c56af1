package web_test

import (
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
)

type doc struct {
	Days    int            `json:"days"`
	Inner   inner          `json:"inner"`
	Extra   map[string]int `json:"extra,omitempty"`
	Version int            `json:"version"`
	At      time.Time      `json:"updatedAt"`
}

type inner struct {
	Period int    `json:"periodDays"`
	Note   string `json:"note,omitempty"`
}

// A PUT of a whole document names every field it lacks, nested ones too, and accepts
// the document as GET gives it.
func TestDecodeWholeNamesMissingFields(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		missing []string
	}{
		{"complete", `{"days":1,"inner":{"periodDays":7},"version":3}`, nil},
		{"complete with optional and exempt fields", `{"days":1,"inner":{"periodDays":7,"note":"x"},"extra":{"a":1},"version":3,"updatedAt":"2026-01-01T00:00:00Z"}`, nil},
		{"almost empty", `{"days":0}`, []string{"inner", "version"}},
		{"nested field missing", `{"days":1,"inner":{},"version":3}`, []string{"inner.periodDays"}},
		{"null counts as given", `{"days":1,"inner":null,"version":3}`, nil},
		{"empty object", `{}`, []string{"days", "inner", "version"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("PUT", "/v1/settings/x", strings.NewReader(tt.body))
			var d doc
			err := web.DecodeWhole(r, &d, "updatedAt")
			var p *problem.Error
			if tt.missing == nil {
				if err != nil {
					t.Fatalf("DecodeWhole = %v", err)
				}
				return
			}
			if !errors.As(err, &p) || problem.KindOf(err) != problem.Invalid {
				t.Fatalf("DecodeWhole = %v, want a 400 naming %v", err, tt.missing)
			}
			var got []string
			for _, f := range p.Fields {
				got = append(got, f.Field)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.missing) {
				t.Errorf("fields %v, want %v", got, tt.missing)
			}
		})
	}
}

func TestDecodeWholeKeepsDecodeErrors(t *testing.T) {
	r := httptest.NewRequest("PUT", "/v1/settings/x", strings.NewReader(`{"days":"many"}`))
	var d doc
	if err := web.DecodeWhole(r, &d); problem.KindOf(err) != problem.Invalid || !strings.Contains(err.Error(), "days") {
		t.Fatalf("DecodeWhole = %v, want the type error naming days", err)
	}
}
