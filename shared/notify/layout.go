package notify

import (
	"html"
	"strings"
)

// writeLayout writes an HTML message: a table layout with inline CSS only, which mail
// clients keep, the brand's bar, the body, and a footer with the brand's line and the
// unsubscribe link. It is written out here, not made by the pages' templates, so that
// the functions which only queue messages link no page templates. Every value is
// escaped for where it stands; Body is markup already escaped by execute, and the
// addresses were checked by newLayoutView. The line breaks keep the message readable
// as source.
func writeLayout(b *strings.Builder, v layoutView) {
	esc := html.EscapeString
	b.WriteString("<!DOCTYPE html>\n")
	b.WriteString(`<html lang="` + esc(v.Lang) + `">` + "\n")
	b.WriteString(`<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>` + esc(v.Name) + "</title></head>\n")
	b.WriteString(`<body style="margin:0;padding:0;background:#f4f5f7;font-family:-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',Arial,sans-serif;color:#1f2328;">` + "\n")
	b.WriteString(`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;"><tr><td align="center" style="padding:24px 12px;">` + "\n")
	b.WriteString(`<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:8px;overflow:hidden;">` + "\n")
	b.WriteString(`<tr><td style="` + esc("background:"+v.Color+";padding:16px 24px;color:#ffffff;font-size:18px;font-weight:600;") + `">`)
	if v.Logo != "" {
		b.WriteString(`<img src="` + esc(v.Logo) + `" alt="` + esc(v.Name) + `" height="32" style="display:block;height:32px;border:0;">`)
	} else {
		b.WriteString(esc(v.Name))
	}
	b.WriteString("</td></tr>\n")
	b.WriteString(`<tr><td style="padding:24px;font-size:15px;line-height:1.6;">` + "\n" + v.Body + "\n</td></tr>")
	if v.Footer != "" || v.Unsubscribe != "" {
		b.WriteString("\n" + `<tr><td style="padding:16px 24px;border-top:1px solid #e6e8eb;font-size:12px;line-height:1.5;color:#656d76;">`)
		if v.Footer != "" {
			b.WriteString(`<p style="margin:0 0 8px 0;">` + esc(v.Footer) + "</p>")
		}
		if v.Unsubscribe != "" {
			b.WriteString(`<p style="margin:0;"><a href="` + esc(v.Unsubscribe) + `" style="` + esc("color:"+v.Color+";") + `">` + esc(v.UnsubscribeLabel) + "</a></p>")
		}
		b.WriteString("</td></tr>")
	}
	b.WriteString("\n</table>\n</td></tr></table>\n</body>\n</html>\n")
}
