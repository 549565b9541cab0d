// Package stdwebhook signs and verifies webhooks the Standard Webhooks way
// (https://www.standardwebhooks.com), as PortOne V2 does: headers
// webhook-id, webhook-timestamp (Unix seconds) and webhook-signature
// ("v1,<base64 HMAC-SHA256>" entries separated by spaces) over
// "{id}.{timestamp}.{raw body}", keyed with the base64 secret after an
// optional "whsec_" prefix.
package stdwebhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Tolerance is how far a timestamp may be from now, either way.
const Tolerance = 5 * time.Minute

// Header names.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// Errors returned by Verify. None of them carries a secret.
var (
	ErrMissingHeaders = errors.New("stdwebhook: missing webhook-id, webhook-timestamp or webhook-signature")
	ErrBadTimestamp   = errors.New("stdwebhook: webhook-timestamp is not a Unix time")
	ErrTooOld         = errors.New("stdwebhook: webhook-timestamp is more than 5 minutes old")
	ErrTooNew         = errors.New("stdwebhook: webhook-timestamp is more than 5 minutes in the future")
	ErrNoMatch        = errors.New("stdwebhook: no signature matches")
	ErrBadSecret      = errors.New("stdwebhook: a secret is not valid base64")
)

// NewSecret returns a fresh "whsec_" secret of 32 random bytes.
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// key decodes a secret.
func key(secret string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(k) == 0 {
		return nil, ErrBadSecret
	}
	return k, nil
}

// Sign returns the "v1,<base64>" signature of body for id and timestamp.
func Sign(secret, id string, timestamp time.Time, body []byte) (string, error) {
	k, err := key(secret)
	if err != nil {
		return "", err
	}
	return "v1," + base64.StdEncoding.EncodeToString(mac(k, id, timestamp.Unix(), body)), nil
}

// SignHeaders sets the three headers on h, with one signature per secret
// (several during a secret rotation).
func SignHeaders(h http.Header, secrets []string, id string, timestamp time.Time, body []byte) error {
	var sigs []string
	for _, s := range secrets {
		sig, err := Sign(s, id, timestamp, body)
		if err != nil {
			return err
		}
		sigs = append(sigs, sig)
	}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(timestamp.Unix(), 10))
	h.Set(HeaderSignature, strings.Join(sigs, " "))
	return nil
}

func mac(k []byte, id string, ts int64, body []byte) []byte {
	m := hmac.New(sha256.New, k)
	fmt.Fprintf(m, "%s.%d.", id, ts)
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks the headers against the raw body with any of the secrets
// (two may be active during a rotation) and the timestamp against now.
// It returns the webhook id.
func Verify(h http.Header, body []byte, secrets []string, now time.Time) (string, error) {
	id, tsText, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || tsText == "" || sigs == "" {
		return "", ErrMissingHeaders
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return "", ErrBadTimestamp
	}
	switch t := time.Unix(ts, 0); {
	case now.Sub(t) > Tolerance:
		return "", ErrTooOld
	case t.Sub(now) > Tolerance:
		return "", ErrTooNew
	}
	for _, secret := range secrets {
		k, err := key(secret)
		if err != nil {
			return "", err
		}
		want := mac(k, id, ts, body)
		for _, entry := range strings.Fields(sigs) {
			version, sig, ok := strings.Cut(entry, ",")
			if !ok || version != "v1" {
				continue
			}
			got, err := base64.StdEncoding.DecodeString(sig)
			if err == nil && hmac.Equal(got, want) {
				return id, nil
			}
		}
	}
	return "", ErrNoMatch
}
