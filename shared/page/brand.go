package page

import (
	"math"
	"net/url"
	"regexp"
	"strconv"
)

// Brand is a location's look on a customer's page: its name, colour (and the text
// colour that reads on it), an https logo and a footer.
type Brand struct {
	Name, Accent, OnAccent, Logo, Footer string
}

var colorRe = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// NewBrand makes a brand from a location's branding: name (else fallbackName), a
// #rrggbb colour, an https logo URL and a footer; anything unusable is left out.
func NewBrand(name, fallbackName, color, logoURL, footer string) Brand {
	b := Brand{Name: name, Footer: footer}
	if b.Name == "" {
		b.Name = fallbackName
	}
	if colorRe.MatchString(color) {
		b.Accent, b.OnAccent = color, onColor(color)
	}
	if u, err := url.Parse(logoURL); err == nil && u.Scheme == "https" && u.Host != "" {
		b.Logo = u.String()
	}
	return b
}

// LogoOrigin is the origin the page loads the logo from, for the CSP.
func (b Brand) LogoOrigin() string {
	u, err := url.Parse(b.Logo)
	if b.Logo == "" || err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// onColor is black or white, whichever reads better on the colour #rrggbb (WCAG
// relative luminance against the 0.179 crossover).
func onColor(hex string) string {
	n, _ := strconv.ParseUint(hex[1:], 16, 32)
	lin := func(c uint64) float64 {
		v := float64(c) / 255
		if v <= 0.04045 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	l := 0.2126*lin(n>>16&0xff) + 0.7152*lin(n>>8&0xff) + 0.0722*lin(n&0xff)
	if l > 0.179 {
		return "#111111"
	}
	return "#ffffff"
}
