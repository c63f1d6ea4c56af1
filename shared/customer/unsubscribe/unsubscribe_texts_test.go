package unsubscribe

import (
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/shared/i18n"
)

// Every word of the unsubscribe pages is there in every locale, each channel named,
// and the bodies that name the channel have a %s for it.
func TestUnsubscribePagesSayEverythingInEveryLocale(t *testing.T) {
	if m := unsubscribeTexts.Missing(); len(m) > 0 {
		t.Fatalf("no words in %v", m)
	}
	for _, l := range i18n.Locales() {
		w := unsubscribeTexts[l]
		if w.Lang != l || w.Name == "" || w.Button == "" || w.Keep == "" {
			t.Errorf("%s: %+v", l, w)
		}
		for _, ch := range []string{"email", "sms", "webhook"} {
			if w.Channels[ch] == "" {
				t.Errorf("%s: no name for the channel %s", l, ch)
			}
		}
		for st := unsubscribeConfirm; st <= unsubscribeUnavailable; st++ {
			p := w.Pages[st]
			names := strings.Count(p[1], "%s")
			if p[0] == "" || p[1] == "" || (names == 1) != slices.Contains([]unsubscribeState{unsubscribeConfirm, unsubscribeDone}, st) {
				t.Errorf("%s, state %d: %q", l, st, p)
			}
		}
	}
}
