// Package i18n picks the language of the pages a person sees (the demo shop,
// the result pages, the sandboxes' payment windows) and formats what they
// share. Buyers of Korean shops read Korean, so Korean is the default;
// English is chosen by the browser's Accept-Language or by the switch on
// the pages (?lang=en, remembered in a cookie). It uses only the standard
// library: two languages do not need a message-catalogue framework.
package i18n

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// The languages served.
const (
	Korean  = "ko"
	English = "en"
)

// CookieName remembers the switch. Its path is "/", so that paybridge's
// pages and the sandbox windows mounted under it agree.
const CookieName = "pb_lang"

// FromRequest returns the language for r: ?lang= (which it remembers in a
// cookie, when w is not nil), else the cookie, else the first of Korean and
// English in Accept-Language, else Korean.
func FromRequest(w http.ResponseWriter, r *http.Request) string {
	if l := normalize(r.URL.Query().Get("lang")); l != "" {
		if w != nil {
			http.SetCookie(w, &http.Cookie{Name: CookieName, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode})
		}
		return l
	}
	if c, err := r.Cookie(CookieName); err == nil {
		if l := normalize(c.Value); l != "" {
			return l
		}
	}
	if l := fromAcceptLanguage(r.Header.Get("Accept-Language")); l != "" {
		return l
	}
	return Korean
}

func normalize(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case Korean:
		return Korean
	case English:
		return English
	}
	return ""
}

// fromAcceptLanguage returns the preferred of Korean and English in an
// Accept-Language header ("en-US,en;q=0.9,ko;q=0.8"), or "" if it names
// neither.
func fromAcceptLanguage(h string) string {
	type pref struct {
		lang string
		q    float64
		pos  int
	}
	var prefs []pref
	for i, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		l := normalize(primary)
		if l == "" {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q > 0 {
			prefs = append(prefs, pref{l, q, i})
		}
	}
	if len(prefs) == 0 {
		return ""
	}
	sort.SliceStable(prefs, func(i, j int) bool { return prefs[i].q > prefs[j].q })
	return prefs[0].lang
}

// SwitchURL is r's URL with lang set to l: the link of the language switch.
func SwitchURL(r *http.Request, l string) string {
	q := r.URL.Query()
	q.Set("lang", l)
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}

// Won formats an amount of won the way Korean shops print prices,
// "12,000원", in either language.
func Won(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	b.WriteString("원")
	return b.String()
}

// Catalog holds a page's sentences: language → key → text.
type Catalog map[string]map[string]string

// For returns the sentences of lang, each missing one filled in from
// Korean, so that a page never shows a bare key.
func (c Catalog) For(lang string) map[string]string {
	out := make(map[string]string, len(c[Korean]))
	for k, v := range c[Korean] {
		out[k] = v
	}
	for k, v := range c[lang] {
		out[k] = v
	}
	return out
}

// FaviconSVG is the pages' icon: a won sign on paybridge's yellow.
const FaviconSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">` +
	`<rect width="64" height="64" rx="14" fill="#ffe812"/>` +
	`<path d="M14 18l8 28 10-24 10 24 8-28M12 30h40M12 38h40" fill="none" stroke="#1d1d1b" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/>` +
	`</svg>`

// FaviconDataURL is FaviconSVG as a data: URL, for pages (the sandbox
// windows) that have no route of their own to serve it from.
var FaviconDataURL = "data:image/svg+xml," + strings.NewReplacer(`"`, "'", "#", "%23", "<", "%3C", ">", "%3E").Replace(FaviconSVG)

// ServeFavicon answers /favicon.ico and /favicon.svg.
func ServeFavicon(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write([]byte(FaviconSVG))
}
