package sandbox

import (
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/paybridge/paybridge/internal/i18n"
)

// Page is a sandbox's payment window. Every window is plain HTML with no
// script, so that it works in any browser and in tests that only follow
// forms and redirects, and speaks Korean, as the providers' windows do, or
// English (see i18n.FromRequest). Every window has the same head and
// banner; each sandbox brings its banner's colours, its body and its
// wording.
type Page struct {
	tmpl *template.Template
	text i18n.Catalog
}

// NewPage parses a window: bannerCSS styles the banner (the provider's
// colours), body is the template below it, and text the wording in each
// language, in which the head looks up "title" and "banner". body may use
// {{template "actions" .}}, the buttons every window offers the buyer:
// approve, cancel and fail, posted as the form field "action" and labelled
// by the wording's keys of the same names. A key text leaves out in a
// language is worded as in sharedText. It panics on a template that does
// not parse, as template.Must does.
func NewPage(name, bannerCSS, body string, text i18n.Catalog) *Page {
	src := `<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.M.title}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="{{.Favicon}}">
<style>body{font-family:system-ui,"Apple SD Gothic Neo","Malgun Gothic","NanumGothic",sans-serif;max-width:32em;margin:2em auto;padding:0 1em;word-break:keep-all}
.banner{` + bannerCSS + `}
th{text-align:left;padding:.25em 1em .25em 0}code{overflow-wrap:anywhere}
button{font-size:1em;margin:.3em .3em 0 0;padding:.5em 1em}</style></head>
<body>
<p class="banner">{{.M.banner}}</p>
` + body + `</body></html>
{{define "actions"}}<button type="submit" name="action" value="approve">{{.M.approve}}</button>
<button type="submit" name="action" value="cancel">{{.M.cancel}}</button>
<button type="submit" name="action" value="fail">{{.M.fail}}</button>
{{end}}`
	return &Page{tmpl: template.Must(template.New(name).Parse(src)), text: withShared(text)}
}

// sharedText is the wording the windows share unless a sandbox words it
// its own way: the order table's first rows, the actions' labels, and the
// answers to a request the window cannot take.
var sharedText = i18n.Catalog{
	i18n.Korean: {
		"order": "주문", "amount": "결제 금액",
		"approve": "결제하기", "cancel": "결제 취소", "fail": "결제 실패 (시험용)", "return": "상점으로 돌아가기",
		"method_na": "허용되지 않는 요청입니다.", "bad_form": "요청 형식이 올바르지 않습니다.",
		"bad_action": "알 수 없는 동작입니다. 결제하기, 결제 취소, 결제 실패 중에서 고르세요.",
	},
	i18n.English: {
		"order": "Order", "amount": "Amount",
		"approve": "Approve payment", "cancel": "Cancel", "fail": "Fail (test)", "return": "Return to the shop",
		"method_na": "Method not allowed.", "bad_form": "Malformed form.",
		"bad_action": "Unknown action; use approve, cancel or fail.",
	},
}

// withShared is text with sharedText's wording for the keys it leaves out,
// language by language.
func withShared(text i18n.Catalog) i18n.Catalog {
	out := i18n.Catalog{}
	for _, c := range []i18n.Catalog{sharedText, text} {
		for lang, m := range c {
			if out[lang] == nil {
				out[lang] = map[string]string{}
			}
			maps.Copy(out[lang], m)
		}
	}
	return out
}

// Chrome is what every window's view starts with; a view embeds it and
// Render fills it in.
type Chrome struct {
	Lang    string
	M       map[string]string // the wording in Lang
	Favicon template.URL
}

func (c *Chrome) chrome() *Chrome { return c }

// View is a window's view: a struct embedding Chrome.
type View interface{ chrome() *Chrome }

// Render writes the window with status, in r's language (a ?lang= switch is
// remembered in a cookie on w).
func (p *Page) Render(w http.ResponseWriter, r *http.Request, status int, v View) {
	c := v.chrome()
	c.Lang = i18n.FromRequest(w, r)
	c.M = p.text.For(c.Lang)
	c.Favicon = template.URL(i18n.FaviconDataURL)
	RenderHTML(w, status, p.tmpl, v)
}

// Msg is the sentence key of the window's wording in r's language.
func (p *Page) Msg(r *http.Request, key string) string {
	return p.text.For(i18n.FromRequest(nil, r))[key]
}

// RenderHTML writes a page that no cache may keep: it shows one payment's
// state at one moment.
func RenderHTML(w http.ResponseWriter, status int, t *template.Template, v any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = t.Execute(w, v) // a write error means the browser left
}

// ReadForm parses a window's POSTed form, at most MaxBody bytes of it.
func ReadForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	return r.ParseForm()
}

// WithQuery appends add to target, keeping the query the merchant put
// there byte for byte (a shop's return URL often carries its own). A
// target that does not parse, which the windows refuse before they get
// here, is returned unchanged.
func WithQuery(target string, add url.Values) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	if u.RawQuery == "" {
		u.RawQuery = add.Encode()
	} else {
		u.RawQuery += "&" + add.Encode()
	}
	return u.String()
}

// GroupDigits formats n with thousands separators, as Korean prices are
// shown.
func GroupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
