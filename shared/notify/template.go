package notify

import (
	"errors"
	"fmt"
	"html"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/web"
)

// Locales templates are written in.
const (
	LocaleZH = i18n.Chinese
	LocaleEN = i18n.English
)

// Source is one locale's message source. Subject and Text are plain text; HTML is a
// fragment of markup placed inside the branded layout (optional: a message without
// it is text only). All three name values with a fixed set of actions, and nothing
// else:
//
//	{{.Brand.Name}}                     the brand's name
//	{{.Vars.key}}                       the message's value named key (a letter, then letters, digits, _)
//	{{if .Vars.key}}…{{else}}…{{end}}   the first part when key's value is not empty, else the second ({{else}} optional)
//
// A key missing from Vars is an error, even in an if. Values are written as they are
// in Subject and Text and escaped for where they stand in HTML: as text, as a quoted
// attribute's value, or as a URL (whose scheme is checked) in href, src and the like.
// Parse refuses a value anywhere else in the markup (a tag, a comment, a script, a
// style or an event attribute).
type Source struct {
	Subject, Text, HTML string
}

// Brand is the business's look, seen by templates as .Brand.
type Brand struct {
	Name string
	// Color is a CSS color for the layout's header bar and links, e.g. "#0b5fff"; a
	// value that is not a #hex color or a color name is not used.
	Color   string
	LogoURL string
	// FooterText closes every HTML and text message (an address, a legal line).
	FooterText string
}

// Data is what a message is rendered with: the brand, its values by name (Vars) and
// the UnsubscribeURL, which the layout shows as a footer link in text and HTML.
type Data struct {
	Brand          Brand
	Vars           map[string]any
	UnsubscribeURL string
}

// Template is one message in both locales, parsed and checked by Parse.
type Template struct {
	Name string
	// Marketing templates must be rendered with an UnsubscribeURL, and their messages
	// should be sent with Message.Marketing set.
	Marketing bool
	locales   map[string]parsed
}

type parsed struct {
	subject, text, html []node
	hasHTML             bool
}

// Parse parses and checks every locale's sources. At least one of zh-CN and en is
// needed, each with a subject and a text body.
func Parse(name string, marketing bool, sources map[string]Source) (Template, error) {
	t := Template{Name: name, Marketing: marketing, locales: map[string]parsed{}}
	if len(sources) == 0 {
		return Template{}, fmt.Errorf("template %s: no locales", name)
	}
	for loc, src := range sources {
		if loc != LocaleZH && loc != LocaleEN {
			return Template{}, fmt.Errorf("template %s: locale %q is not zh-CN or en", name, loc)
		}
		if strings.TrimSpace(src.Subject) == "" || strings.TrimSpace(src.Text) == "" {
			return Template{}, fmt.Errorf("template %s/%s: needs a subject and a text body", name, loc)
		}
		var p parsed
		var err error
		if p.subject, err = parseSource(src.Subject); err != nil {
			return Template{}, fmt.Errorf("template %s/%s subject: %w", name, loc, err)
		}
		if p.text, err = parseSource(src.Text); err != nil {
			return Template{}, fmt.Errorf("template %s/%s text: %w", name, loc, err)
		}
		if strings.TrimSpace(src.HTML) != "" {
			p.hasHTML = true
			if p.html, err = parseSource(src.HTML); err == nil {
				var end markupState
				if end, err = placeInMarkup(p.html, markupState{}); err == nil && end.mode != modeText {
					err = errors.New("ends inside a tag, a comment or a script")
				}
			}
			if err != nil {
				return Template{}, fmt.Errorf("template %s/%s html: %w", name, loc, err)
			}
		}
		t.locales[loc] = p
	}
	return t, nil
}

// MustParse is Parse for templates built into the binary.
func MustParse(name string, marketing bool, sources map[string]Source) Template {
	t, err := Parse(name, marketing, sources)
	if err != nil {
		panic(err)
	}
	return t
}

// Vars are the keys of Vars that any part of t names, sorted.
func (t Template) Vars() []string {
	var keys []string
	var walk func([]node)
	walk = func(ns []node) {
		for _, n := range ns {
			if n.kind == nodeVar || n.kind == nodeIf {
				keys = append(keys, n.key)
			}
			walk(n.then)
			walk(n.els)
		}
	}
	for _, p := range t.locales {
		walk(p.subject)
		walk(p.text)
		walk(p.html)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

var wordsByLocale = map[string]struct{ unsubscribe string }{
	LocaleZH: {unsubscribe: "退订"},
	LocaleEN: {unsubscribe: "Unsubscribe"},
}

// Render renders tpl in locale (falling back to the other locale when tpl lacks it)
// with data, which is a Data, a *Data or a map[string]any (taken as Vars); brand
// replaces data's Brand. html is "" when the template has no HTML body. A key
// missing from Vars is an error, not an empty string.
func Render(tpl Template, locale string, data any, brand Brand) (subject, text, html string, err error) {
	if len(tpl.locales) == 0 {
		return "", "", "", errors.New("render: template not parsed (use Parse)")
	}
	var d Data
	switch v := data.(type) {
	case Data:
		d = v
	case *Data:
		if v != nil {
			d = *v
		}
	case map[string]any:
		d.Vars = v
	case nil:
	default:
		return "", "", "", fmt.Errorf("render %s: data is %T, want notify.Data or map[string]any", tpl.Name, data)
	}
	d.Brand = brand
	if tpl.Marketing && strings.TrimSpace(d.UnsubscribeURL) == "" {
		return "", "", "", fmt.Errorf("render %s: a marketing message needs an UnsubscribeURL", tpl.Name)
	}
	loc := pickLocale(tpl, locale)
	p := tpl.locales[loc]
	unsubscribe := wordsByLocale[loc].unsubscribe

	var b strings.Builder
	if err := execute(&b, p.subject, d, false); err != nil {
		return "", "", "", fmt.Errorf("render %s/%s subject: %w", tpl.Name, loc, err)
	}
	subject = oneLine(b.String())

	b.Reset()
	if err := execute(&b, p.text, d, false); err != nil {
		return "", "", "", fmt.Errorf("render %s/%s text: %w", tpl.Name, loc, err)
	}
	if d.Brand.FooterText != "" {
		b.WriteString("\n\n" + d.Brand.FooterText)
	}
	if d.UnsubscribeURL != "" {
		b.WriteString("\n\n" + unsubscribe + ": " + d.UnsubscribeURL)
	}
	text = strings.TrimSpace(b.String())

	if p.hasHTML {
		b.Reset()
		if err := execute(&b, p.html, d, true); err != nil {
			return "", "", "", fmt.Errorf("render %s/%s html: %w", tpl.Name, loc, err)
		}
		v := newLayoutView(loc, d, unsubscribe, b.String())
		b.Reset()
		writeLayout(&b, v)
		html = b.String()
	}
	return subject, text, html, nil
}

// pickLocale maps a language tag to a locale tpl has: zh* to zh-CN, anything else to
// en, then the other one if tpl lacks it.
func pickLocale(tpl Template, locale string) string {
	want, other := LocaleEN, LocaleZH
	if l := strings.ToLower(strings.TrimSpace(locale)); l == "zh" || strings.HasPrefix(l, "zh-") || strings.HasPrefix(l, "zh_") {
		want, other = LocaleZH, LocaleEN
	}
	if _, ok := tpl.locales[want]; ok {
		return want
	}
	return other
}

// A source is parsed into nodes: literal text, a value (the brand's name or a var)
// and conditionals over a var.
type nodeKind uint8

const (
	nodeText nodeKind = iota
	nodeBrand
	nodeVar
	nodeIf
)

type node struct {
	kind      nodeKind
	text      string // nodeText: the text
	key       string // nodeVar, nodeIf: the var
	at        place  // nodeBrand, nodeVar in HTML: how the value is escaped
	then, els []node // nodeIf
}

const actionSyntax = "{{.Brand.Name}}, {{.Vars.key}} or {{if .Vars.key}}…{{else}}…{{end}}"

// parseSource parses s into nodes, refusing any action but the ones Source names.
func parseSource(s string) ([]node, error) {
	ns, _, _, err := parseNodes(s, 0)
	return ns, err
}

// parseNodes parses s up to its end or to an {{else}} or {{end}} at depth > 0, and
// returns the nodes, what follows that action, and which one it was ("" at the end).
func parseNodes(s string, depth int) (ns []node, rest, end string, err error) {
	for s != "" {
		i := strings.Index(s, "{{")
		if i < 0 {
			ns = append(ns, node{kind: nodeText, text: s})
			break
		}
		if i > 0 {
			ns = append(ns, node{kind: nodeText, text: s[:i]})
		}
		j := strings.Index(s[i+2:], "}}")
		if j < 0 {
			return nil, "", "", fmt.Errorf("unclosed action %q", clipAction(s[i:]))
		}
		action := strings.TrimSpace(s[i+2 : i+2+j])
		s = s[i+2+j+2:]
		switch {
		case action == ".Brand.Name":
			ns = append(ns, node{kind: nodeBrand})
		case strings.HasPrefix(action, ".Vars."):
			key := strings.TrimPrefix(action, ".Vars.")
			if !isVarKey(key) {
				return nil, "", "", fmt.Errorf("{{%s}}: write %s", action, actionSyntax)
			}
			ns = append(ns, node{kind: nodeVar, key: key})
		case strings.HasPrefix(action, "if "):
			key, ok := strings.CutPrefix(strings.TrimSpace(strings.TrimPrefix(action, "if ")), ".Vars.")
			if !ok || !isVarKey(key) {
				return nil, "", "", fmt.Errorf("{{%s}}: write {{if .Vars.key}}", action)
			}
			n := node{kind: nodeIf, key: key}
			var closer string
			if n.then, s, closer, err = parseNodes(s, depth+1); err != nil {
				return nil, "", "", err
			}
			if closer == "else" {
				if n.els, s, closer, err = parseNodes(s, depth+1); err != nil {
					return nil, "", "", err
				}
				if closer == "else" {
					return nil, "", "", errors.New("{{else}} twice in one {{if}}")
				}
			}
			if closer != "end" {
				return nil, "", "", fmt.Errorf("{{if .Vars.%s}} without {{end}}", key)
			}
			ns = append(ns, n)
		case action == "else" || action == "end":
			if depth == 0 {
				return nil, "", "", fmt.Errorf("{{%s}} without {{if}}", action)
			}
			return ns, s, action, nil
		default:
			return nil, "", "", fmt.Errorf("{{%s}}: write %s", clipAction(action), actionSyntax)
		}
	}
	return ns, "", "", nil
}

func isVarKey(s string) bool {
	for i, c := range s {
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return s != ""
}

func clipAction(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// execute writes ns with d's values, escaped for their place when markup is set.
func execute(b *strings.Builder, ns []node, d Data, markup bool) error {
	for _, n := range ns {
		switch n.kind {
		case nodeText:
			b.WriteString(n.text)
		case nodeBrand:
			b.WriteString(n.at.escape(d.Brand.Name, markup))
		case nodeVar:
			v, ok := d.Vars[n.key]
			if !ok {
				return fmt.Errorf("no entry for key %q in vars", n.key)
			}
			b.WriteString(n.at.escape(formatValue(v), markup))
		case nodeIf:
			v, ok := d.Vars[n.key]
			if !ok {
				return fmt.Errorf("no entry for key %q in vars", n.key)
			}
			branch := n.els
			if truthy(v) {
				branch = n.then
			}
			if err := execute(b, branch, d, markup); err != nil {
				return err
			}
		}
	}
	return nil
}

func formatValue(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// truthy is what an if takes for true: anything but an empty string, false, a zero
// number and nil.
func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case string:
		return v != ""
	case bool:
		return v
	case int:
		return v != 0
	case int64:
		return v != 0
	case float64:
		return v != 0
	}
	return true
}

// place is where a value stands in an HTML body, which says how it is escaped.
type place uint8

const (
	inText     place = iota // between tags
	inAttr                  // a quoted attribute value
	inURLStart              // the start of a URL attribute's value: the scheme is checked
	inURLPart               // later in a URL attribute's value: percent-encoded
)

func (p place) escape(s string, markup bool) string {
	if !markup {
		return s
	}
	switch p {
	case inURLStart:
		s = web.URL(s)
	case inURLPart:
		s = percentEncode(s)
	}
	return html.EscapeString(s)
}

// percentEncode encodes every byte but the unreserved ones (RFC 3986), in lower-case
// hex as html/template did, so a value stays one query or path component.
func percentEncode(s string) string {
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02x", c)
		}
	}
	return b.String()
}

// markupState is where a scan of an HTML body stands.
type markupState struct {
	mode  markupMode
	tag   string // the open tag's name; in modeRaw, the element whose end is awaited
	attr  string // the attribute being read
	quote byte   // the quote around the value being read
	empty bool   // nothing yet in the value being read
}

type markupMode uint8

const (
	modeText      markupMode = iota
	modeTagOpen              // just after <
	modeTagName              // in a tag's name
	modeTag                  // in a tag, between attributes
	modeAttrName             // in an attribute's name
	modeAfterName            // after an attribute's name
	modeBeforeVal            // after =
	modeValue                // in a quoted value
	modeBareValue            // in an unquoted value
	modeComment              // in <!-- -->
	modeRaw                  // in script, style, textarea or title, until its end tag
)

// placeInMarkup scans an HTML body's nodes from st, records where each value stands
// and refuses a value or a conditional where escaping cannot make it safe.
func placeInMarkup(ns []node, st markupState) (markupState, error) {
	for i := range ns {
		n := &ns[i]
		switch n.kind {
		case nodeText:
			st = scanMarkup(st, n.text)
		case nodeBrand, nodeVar:
			at, err := valuePlace(st)
			if err != nil {
				return st, err
			}
			n.at = at
			if st.mode == modeValue {
				st.empty = false
			}
		case nodeIf:
			then, err := placeInMarkup(n.then, st)
			if err != nil {
				return st, err
			}
			els, err := placeInMarkup(n.els, st)
			if err != nil {
				return st, err
			}
			if then != els {
				return st, fmt.Errorf("{{if .Vars.%s}}: both branches must end where they start in the markup", n.key)
			}
			st = then
		}
	}
	return st, nil
}

func valuePlace(st markupState) (place, error) {
	switch st.mode {
	case modeText:
		return inText, nil
	case modeValue:
		switch {
		case strings.HasPrefix(st.attr, "on"), st.attr == "style", st.attr == "srcset":
			return 0, fmt.Errorf("a value in the %s attribute", st.attr)
		case urlAttrs[st.attr] && st.empty:
			return inURLStart, nil
		case urlAttrs[st.attr]:
			return inURLPart, nil
		}
		return inAttr, nil
	case modeRaw:
		return 0, fmt.Errorf("a value inside <%s>", st.tag)
	case modeComment:
		return 0, errors.New("a value inside a comment")
	}
	return 0, errors.New("a value inside a tag: only text and quoted attribute values take one")
}

// urlAttrs are the attributes whose value is a URL.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true, "cite": true,
	"poster": true, "background": true, "longdesc": true, "usemap": true, "manifest": true,
	"data": true, "codebase": true, "archive": true, "profile": true, "icon": true,
}

// rawElements hold text up to their end tag, where a value could not be escaped as text.
var rawElements = map[string]bool{"script": true, "style": true, "textarea": true, "title": true, "xmp": true, "iframe": true, "noscript": true, "noembed": true, "noframes": true, "plaintext": true}

// scanMarkup moves st over literal markup s.
func scanMarkup(st markupState, s string) markupState {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch st.mode {
		case modeText:
			if c == '<' {
				if strings.HasPrefix(s[i:], "<!--") {
					st.mode = modeComment
					i += 3
				} else {
					st.mode, st.tag = modeTagOpen, ""
				}
			}
		case modeTagOpen:
			switch {
			case isASCIILetter(c):
				st.mode, st.tag = modeTagName, string(lowerASCII(c))
			case c == '/' || c == '!' || c == '?':
				st.mode = modeTag // an end tag, a doctype or a processing instruction
			default:
				st.mode = modeText // a lone <, which is text
				i--
			}
		case modeTagName:
			switch {
			case c == '>':
				st = endOfTag(st)
			case isHTMLSpace(c) || c == '/':
				st.mode = modeTag
			default:
				st.tag += string(lowerASCII(c))
			}
		case modeTag:
			switch {
			case c == '>':
				st = endOfTag(st)
			case isHTMLSpace(c) || c == '/':
			default:
				st.mode, st.attr = modeAttrName, string(lowerASCII(c))
			}
		case modeAttrName:
			switch {
			case c == '=':
				st.mode = modeBeforeVal
			case c == '>':
				st = endOfTag(st)
			case isHTMLSpace(c) || c == '/':
				st.mode = modeAfterName
			default:
				st.attr += string(lowerASCII(c))
			}
		case modeAfterName:
			switch {
			case c == '=':
				st.mode = modeBeforeVal
			case c == '>':
				st = endOfTag(st)
			case isHTMLSpace(c) || c == '/':
			default:
				st.mode, st.attr = modeAttrName, string(lowerASCII(c))
			}
		case modeBeforeVal:
			switch {
			case c == '"' || c == '\'':
				st.mode, st.quote, st.empty = modeValue, c, true
			case c == '>':
				st = endOfTag(st)
			case isHTMLSpace(c):
			default:
				st.mode = modeBareValue
			}
		case modeValue:
			if c == st.quote {
				st.mode, st.attr, st.quote, st.empty = modeTag, "", 0, false
			} else {
				st.empty = false
			}
		case modeBareValue:
			switch {
			case c == '>':
				st = endOfTag(st)
			case isHTMLSpace(c):
				st.mode, st.attr = modeTag, ""
			}
		case modeComment:
			if strings.HasPrefix(s[i:], "-->") {
				st.mode = modeText
				i += 2
			}
		case modeRaw:
			if c == '<' && i+2+len(st.tag) <= len(s) && s[i+1] == '/' && strings.EqualFold(s[i+2:i+2+len(st.tag)], st.tag) {
				i += 1 + len(st.tag)
				st.mode, st.tag = modeTag, ""
			}
		}
	}
	return st
}

func endOfTag(st markupState) markupState {
	if rawElements[st.tag] {
		return markupState{mode: modeRaw, tag: st.tag}
	}
	return markupState{mode: modeText}
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isHTMLSpace(c byte) bool   { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// layoutView is what the HTML layout shows, every value already checked: the color is
// a #hex color or a name, the logo and unsubscribe addresses passed web.URL's scheme
// check (a logo that did not is left out), and Body is the escaped body.
type layoutView struct {
	Lang, Name, Color, Footer string
	Logo, Unsubscribe         string
	UnsubscribeLabel, Body    string
}

func newLayoutView(loc string, d Data, unsubscribe, body string) layoutView {
	v := layoutView{Lang: loc, Name: d.Brand.Name, Color: "#1f2328", Footer: d.Brand.FooterText, UnsubscribeLabel: unsubscribe, Body: body}
	if isColor(d.Brand.Color) {
		v.Color = d.Brand.Color
	}
	if logo := web.URL(d.Brand.LogoURL); d.Brand.LogoURL != "" && logo != web.FailedURL {
		v.Logo = logo
	}
	if d.UnsubscribeURL != "" {
		v.Unsubscribe = web.URL(d.UnsubscribeURL)
	}
	return v
}

// isColor: a #hex color or a color's name, which is all a style attribute takes here.
func isColor(s string) bool {
	if h, ok := strings.CutPrefix(s, "#"); ok {
		if len(h) < 3 || len(h) > 8 {
			return false
		}
		for i := range len(h) {
			if !isHexDigit(h[i]) {
				return false
			}
		}
		return true
	}
	for i := range len(s) {
		if !isASCIILetter(s[i]) {
			return false
		}
	}
	return s != "" && len(s) <= 32
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
