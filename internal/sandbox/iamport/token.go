package iamport

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// Token lifetimes (docs/providers.md §2.2).
const (
	tokenLifetime  = 30 * time.Minute // from issue
	tokenExtendIn  = time.Minute      // a getToken this close to expiry…
	tokenExtension = 5 * time.Minute  // …extends the same token by this much
)

// token is an access token and the key it was issued to.
type token struct {
	value   string
	key     string
	expires time.Time
}

// tokenJSON is getToken's response (AuthAnnotation).
type tokenJSON struct {
	AccessToken string `json:"access_token"`
	ExpiredAt   int64  `json:"expired_at"`
	Now         int64  `json:"now"`
}

func (s *Sandbox) getTokenRoute() route {
	return route{op: opGetToken, public: true, ids: noIDs, do: s.getToken}
}

// getToken issues an access token for imp_key and imp_secret. As at
// PortOne, asking again before expiry returns the same token, extended by 5
// minutes when at most a minute remains; after expiry a new one is issued.
func (s *Sandbox) getToken(_ *http.Request, in params) (any, *apiError) {
	f := newFields(in)
	key := f.Str("imp_key", false, 0)
	secret := f.Str("imp_secret", false, 0)
	if f.Err != nil || key == "" || secret == "" || !s.credentialsOK(key, secret) {
		// The swagger's only refusal of getToken is 401, missing or wrong
		// credentials alike.
		return nil, errBadCredentials()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	t := s.keyTokens[key]
	switch {
	case t == nil || !now.Before(t.expires):
		if t != nil {
			delete(s.tokens, t.value)
		}
		t = &token{value: newToken(), key: key, expires: now.Add(tokenLifetime)}
		s.keyTokens[key] = t
		s.tokens[t.value] = t
		s.log.Info("iamport sandbox: token issued", "expires", t.expires)
	case t.expires.Sub(now) <= tokenExtendIn:
		t.expires = t.expires.Add(tokenExtension)
		s.log.Info("iamport sandbox: token extended", "expires", t.expires)
	}
	return &tokenJSON{AccessToken: t.value, ExpiredAt: t.expires.Unix(), Now: now.Unix()}, nil
}

// credentialsOK checks the pair against Options, in constant time.
func (s *Sandbox) credentialsOK(key, secret string) bool {
	if s.apiKey == "" {
		return true
	}
	k := subtle.ConstantTimeCompare([]byte(key), []byte(s.apiKey))
	v := subtle.ConstantTimeCompare([]byte(secret), []byte(s.apiSecret))
	return k&v == 1
}

// authorize accepts "Authorization: Bearer <token>" (the docs' form) and
// the raw token (the official sample's and Java client's form), since both
// appear in PortOne's material (docs/providers.md §2.2).
func (s *Sandbox) authorize(r *http.Request) *apiError {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if scheme, rest, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
		h = strings.TrimSpace(rest)
	}
	if h == "" {
		return errUnauthorized()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[h]
	if t == nil || !s.now().Before(t.expires) {
		return errUnauthorized()
	}
	return nil
}

// newToken returns 40 hex characters from crypto/rand: the token stands in
// for the API secret.
func newToken() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
