package page_test

import (
	"testing"

	"github.com/rapport-crm/rapport/shared/page"
)

func TestNewBrand(t *testing.T) {
	tests := []struct {
		name                                  string
		brandName, fallback, color, logo      string
		wantName, wantAccent, wantOn, wantLog string
		wantOrigin                            string
	}{
		{"everything", "Harbour", "Harbour Hotel", "#0b5cad", "https://cdn.example/logo.png?v=2", "Harbour", "#0b5cad", "#ffffff", "https://cdn.example/logo.png?v=2", "https://cdn.example"},
		{"a light colour gets dark text", "", "Bund", "#ffee88", "", "Bund", "#ffee88", "#111111", "", ""},
		{"a bad colour and an http logo are left out", "X", "", "red", "http://cdn.example/logo.png", "X", "", "", "", ""},
		{"a logo without a host is left out", "X", "", "", "https:///logo.png", "X", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := page.NewBrand(tt.brandName, tt.fallback, tt.color, tt.logo, "footer")
			if b.Name != tt.wantName || b.Accent != tt.wantAccent || b.OnAccent != tt.wantOn || b.Logo != tt.wantLog || b.Footer != "footer" {
				t.Errorf("NewBrand = %+v", b)
			}
			if got := b.LogoOrigin(); got != tt.wantOrigin {
				t.Errorf("LogoOrigin = %q, want %q", got, tt.wantOrigin)
			}
		})
	}
}
