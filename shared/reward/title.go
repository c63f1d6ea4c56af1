package reward

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/shared/i18n"
)

// valueWords write what a voucher is worth in one language: an amount and its
// currency, an amount in yuan (CNY), a percentage off, and a gift.
type valueWords struct {
	AmountOff, Yuan, PercentOff, Gift string
}

var valueTexts = i18n.Texts[valueWords]{
	i18n.English: {AmountOff: "%s %s off", Yuan: "¥%s off", PercentOff: "%d%% off", Gift: "Gift"},
	i18n.Chinese: {AmountOff: "立减 %s %s", Yuan: "立减 %s 元", PercentOff: "立减 %d%%", Gift: "礼品"},
}

// Title is what the voucher is called in locale, in its messages and on its page: its
// name in locale, else in the other locale, else its value, else "gift".
func (v Voucher) Title(locale string) string {
	if n := strings.TrimSpace(v.Name[locale]); n != "" {
		return n
	}
	if n := strings.TrimSpace(v.Name[i18n.Other(locale)]); n != "" {
		return n
	}
	if s := v.ValueText(locale); s != "" {
		return s
	}
	return valueTexts.Pick(locale).Gift
}

// ValueText is what v is worth in locale: an amount off (in yuan for CNY, without
// cents when it has none) or a percentage off; "" for a gift, which its name says.
func (v Voucher) ValueText(locale string) string {
	w := valueTexts.Pick(locale)
	switch {
	case v.Value.AmountOff > 0 && v.Value.Currency == "CNY":
		return fmt.Sprintf(w.Yuan, amount(v.Value.AmountOff))
	case v.Value.AmountOff > 0:
		return fmt.Sprintf(w.AmountOff, amount(v.Value.AmountOff), v.Value.Currency)
	case v.Value.PercentOff > 0:
		return fmt.Sprintf(w.PercentOff, v.Value.PercentOff)
	}
	return ""
}

// amount writes a money amount without cents when it has none (10, 12.50).
func amount(a float64) string {
	if a == float64(int64(a)) {
		return strconv.FormatInt(int64(a), 10)
	}
	return strconv.FormatFloat(a, 'f', 2, 64)
}
