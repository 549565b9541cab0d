package web

import (
	"crypto/subtle"
	"net/http"

	"github.com/paybridge/paybridge/internal/payment"
)

// The demo shop's checkout is protected against cross-site request forgery
// with a double-submit token: the shop page sets a random token in a
// SameSite=Strict, HttpOnly cookie and in a hidden form field, and a
// checkout is accepted only when both are present and equal. Another site
// can make a browser post the form, but can neither read nor set the
// cookie, so it cannot know the value to put in the field.
const (
	csrfCookie = "paybridge_csrf"
	csrfField  = "csrf_token"
)

// csrfToken returns the browser's token, setting a new one when it has none.
func (s *Site) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok := payment.RandomToken(32)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.opts.SecureCookies})
	return tok
}

// checkCSRF reports whether the posted form carries the cookie's token.
func checkCSRF(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil || len(c.Value) < 32 {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue(csrfField))) == 1
}
