package followup

import (
	"fmt"
	"sync"

	"github.com/rapport-crm/rapport/shared/notify"
)

// builtin are the built-in messages' sources, by id, in zh-CN and en (notify.Source
// says what they may name). A follow-up that names one is rendered when it is sent, in
// the recipient's language, with the brand. They are parsed on first use (templates),
// not when a function that imports followup starts.
var builtin = map[string]source{
	"post-service-survey": {locales: map[string]notify.Source{
		"en": {Subject: "How was your visit to {{.Brand.Name}}?",
			Text: "Thank you for visiting {{.Brand.Name}}. Two minutes to tell us how it went: {{.Vars.link}}"},
		"zh-CN": {Subject: "您对{{.Brand.Name}}的体验如何？",
			Text: "感谢您光临{{.Brand.Name}}。请花两分钟告诉我们您的感受：{{.Vars.link}}"},
	}},
	"complaint-callback": {locales: map[string]notify.Source{
		"en":    {Subject: "About your case {{.Vars.reference}}", Text: "We resolved your case {{.Vars.reference}}. Was it handled well? Reply or call us; we will call you back."},
		"zh-CN": {Subject: "关于您的投诉 {{.Vars.reference}}", Text: "您的投诉 {{.Vars.reference}} 已处理。您是否满意？请回复或致电我们，我们会给您回电。"},
	}},
	"complaint-received": {locales: map[string]notify.Source{
		"en": {Subject: "We received your complaint {{.Vars.reference}}",
			Text: "Thank you for telling {{.Brand.Name}}. Your case is {{.Vars.reference}}; we will reply soon. Follow it here: {{.Vars.link}}"},
		"zh-CN": {Subject: "我们已收到您的投诉 {{.Vars.reference}}",
			Text: "感谢您告诉{{.Brand.Name}}。您的投诉编号为 {{.Vars.reference}}，我们会尽快答复。查看进度：{{.Vars.link}}"},
	}},
	"complaint-outcome": {locales: map[string]notify.Source{
		"en":    {Subject: "Your case {{.Vars.reference}} is resolved", Text: "Your case {{.Vars.reference}} is resolved: {{.Vars.resolution}}"},
		"zh-CN": {Subject: "您的投诉 {{.Vars.reference}} 已处理", Text: "您的投诉 {{.Vars.reference}} 已处理：{{.Vars.resolution}}"},
	}},
	"complaint-sla": {locales: map[string]notify.Source{
		"en": {Subject: "{{.Vars.what}}: case {{.Vars.reference}} ({{.Vars.severity}})",
			Text: "Case {{.Vars.reference}} at {{.Vars.location}} ({{.Vars.severity}}, {{.Vars.category}}): {{.Vars.what}}. The {{.Vars.clock}} deadline is {{.Vars.due}}."},
		"zh-CN": {Subject: "{{.Vars.what}}：投诉 {{.Vars.reference}}（{{.Vars.severity}}）",
			Text: "{{.Vars.location}} 的投诉 {{.Vars.reference}}（{{.Vars.severity}}，{{.Vars.category}}）：{{.Vars.what}}。{{.Vars.clock}}期限为 {{.Vars.due}}。"},
	}},
	"points-expiry": {locales: map[string]notify.Source{
		"en":    {Subject: "{{.Vars.points}} points expire on {{.Vars.expiresOn}}", Text: "{{.Vars.points}} of your {{.Brand.Name}} points expire on {{.Vars.expiresOn}}. Use them before then."},
		"zh-CN": {Subject: "您有 {{.Vars.points}} 积分将于 {{.Vars.expiresOn}} 过期", Text: "您在{{.Brand.Name}}的 {{.Vars.points}} 积分将于 {{.Vars.expiresOn}} 过期，请尽快使用。"},
	}},
	"tier-change": {locales: map[string]notify.Source{
		"en":    {Subject: "Your {{.Brand.Name}} tier is now {{.Vars.tier}}", Text: "Your membership tier at {{.Brand.Name}} is now {{.Vars.tier}}."},
		"zh-CN": {Subject: "您的{{.Brand.Name}}会员等级已变为{{.Vars.tier}}", Text: "您在{{.Brand.Name}}的会员等级已变为{{.Vars.tier}}。"},
	}},
	"tier-notice": {locales: map[string]notify.Source{
		"en": {Subject: "Keep your {{.Vars.tier}} tier at {{.Brand.Name}}",
			Text: "Your {{.Brand.Name}} tier stays {{.Vars.tier}} until {{.Vars.on}}; it becomes {{.Vars.next}} then unless you earn enough points to keep it."},
		"zh-CN": {Subject: "保持您在{{.Brand.Name}}的{{.Vars.tier}}等级",
			Text: "您在{{.Brand.Name}}的{{.Vars.tier}}等级保留至 {{.Vars.on}}；届时若积分未达标，将调整为{{.Vars.next}}。"},
	}},
	"voucher": {locales: map[string]notify.Source{
		"en": {Subject: "Your {{.Brand.Name}} voucher: {{.Vars.name}}",
			Text: "Your voucher \"{{.Vars.name}}\" is ready, valid until {{.Vars.expiresOn}}. Show its code or QR image at the counter: {{.Vars.link}}"},
		"zh-CN": {Subject: "您在{{.Brand.Name}}的优惠券：{{.Vars.name}}",
			Text: "您的优惠券「{{.Vars.name}}」已发放，有效期至 {{.Vars.expiresOn}}。结账时出示券码或二维码即可使用：{{.Vars.link}}"},
	}},
	"voucher-expiry": {locales: map[string]notify.Source{
		"en": {Subject: "Your voucher expires on {{.Vars.expiresOn}}",
			Text: "Your {{.Brand.Name}} voucher \"{{.Vars.name}}\" expires on {{.Vars.expiresOn}}. Use it before then: {{.Vars.link}}"},
		"zh-CN": {Subject: "您的优惠券将于 {{.Vars.expiresOn}} 到期",
			Text: "您在{{.Brand.Name}}的优惠券「{{.Vars.name}}」将于 {{.Vars.expiresOn}} 到期，请尽快使用：{{.Vars.link}}"},
	}},
	// message frames a message a staff member wrote (kind message): their text, under
	// their subject or the brand's, with the brand's footer.
	"message": {locales: map[string]notify.Source{
		"en":    {Subject: "{{if .Vars.subject}}{{.Vars.subject}}{{else}}A message from {{.Brand.Name}}{{end}}", Text: "{{.Vars.text}}"},
		"zh-CN": {Subject: "{{if .Vars.subject}}{{.Vars.subject}}{{else}}{{.Brand.Name}}给您的消息{{end}}", Text: "{{.Vars.text}}"},
	}},
	"birthday": {marketing: true, locales: map[string]notify.Source{
		"en":    {Subject: "Happy birthday from {{.Brand.Name}}", Text: "Happy birthday! Everyone at {{.Brand.Name}} wishes you a wonderful day."},
		"zh-CN": {Subject: "{{.Brand.Name}}祝您生日快乐", Text: "生日快乐！{{.Brand.Name}}全体同仁祝您度过美好的一天。"},
	}},
	"win-back": {marketing: true, locales: map[string]notify.Source{
		"en":    {Subject: "We miss you at {{.Brand.Name}}", Text: "It has been a while. We would love to welcome you back to {{.Brand.Name}}."},
		"zh-CN": {Subject: "{{.Brand.Name}}想念您", Text: "好久不见，{{.Brand.Name}}期待再次为您服务。"},
	}},
}

type source struct {
	marketing bool
	locales   map[string]notify.Source
}

// templates are the built-in messages, parsed; a source that does not parse is a
// programming error, caught by the tests.
var templates = sync.OnceValue(func() map[string]notify.Template {
	out := make(map[string]notify.Template, len(builtin))
	for id, src := range builtin {
		out[id] = notify.MustParse(id, src.marketing, src.locales)
	}
	return out
})

// Template is the built-in message id, parsed.
func Template(id string) (notify.Template, bool) {
	tpl, ok := templates()[id]
	return tpl, ok
}

// render makes a templated follow-up's message text.
func render(f Followup, brand notify.Brand, unsubscribeURL string) (subject, text, html string, err error) {
	tpl, ok := Template(f.TemplateID)
	if !ok {
		return "", "", "", fmt.Errorf("%w: no template %q", ErrPermanent, f.TemplateID)
	}
	vars := map[string]any{}
	for k, v := range f.Vars {
		vars[k] = v
	}
	subject, text, html, err = notify.Render(tpl, f.Recipient.Locale, notify.Data{Brand: brand, Vars: vars, UnsubscribeURL: unsubscribeURL}, brand)
	if err != nil {
		// The template or its variables can never render: retrying will not help.
		return "", "", "", fmt.Errorf("%w: template %s: %v", ErrPermanent, f.TemplateID, err)
	}
	return subject, text, html, nil
}

// checkTemplate tries a template with a follow-up's variables when it is scheduled, so
// a missing variable is refused then rather than failing at send time.
func checkTemplate(f Followup) error {
	_, _, _, err := render(f, notify.Brand{Name: "x"}, "https://example.invalid/u")
	return err
}
