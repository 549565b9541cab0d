package toss

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// orderIDPattern is Toss's orderId: 6 to 64 of [A-Za-z0-9_-] (§4.2).
var orderIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{6,64}$`)

// maxAmount bounds amounts so that every sum stays far from overflow.
const maxAmount = 1_000_000_000_000

// fields reads a JSON request body, keeping the first problem so that a
// handler can read every field and check the error once.
type fields struct {
	js  map[string]json.RawMessage
	err *apiError
}

func (f *fields) fail(e *apiError) {
	if f.err == nil {
		f.err = e
	}
}

// peek returns a string field without checking it, for counting calls.
func (f fields) peek(name string) (string, bool) {
	var s string
	raw := f.js[name]
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// present reports whether name was sent with a value other than null.
func (f fields) present(name string) bool {
	raw := bytes.TrimSpace(f.js[name])
	return len(raw) > 0 && string(raw) != "null"
}

// str reads a string field of at most maxLen characters. Empty counts as
// missing.
func (f *fields) str(name string, required bool, maxLen int) string {
	if !f.present(name) {
		if required {
			f.fail(errInvalid("%s is required", name))
		}
		return ""
	}
	var s string
	if err := json.Unmarshal(f.js[name], &s); err != nil {
		f.fail(errInvalid("%s must be a string", name))
		return ""
	}
	switch {
	case s == "" && required:
		f.fail(errInvalid("%s is required", name))
	case utf8.RuneCountInString(s) > maxLen:
		f.fail(errInvalid("%s must be at most %d characters", name, maxLen))
	default:
		return s
	}
	return ""
}

// num reads a whole number of won in [lo, maxAmount]. A numeric string is
// accepted too: Toss's own sample forwards the success URL's amount as the
// string it is. The bool reports whether the field was sent.
func (f *fields) num(name string, required bool, lo int64) (int64, bool) {
	if !f.present(name) {
		if required {
			f.fail(errInvalid("%s is required", name))
		}
		return 0, false
	}
	raw := bytes.TrimSpace(f.js[name])
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			f.fail(errInvalid("%s must be a number", name))
			return 0, false
		}
		raw = []byte(s)
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		// 10000.0 is a whole number too; 10000.5 is not.
		fl, ferr := strconv.ParseFloat(string(raw), 64)
		if ferr != nil || fl != math.Trunc(fl) || math.Abs(fl) > maxAmount {
			f.fail(errInvalid("%s must be a whole number", name))
			return 0, false
		}
		n = int64(fl)
	}
	if n < lo || n > maxAmount {
		f.fail(errInvalid("%s must be between %d and %d", name, lo, int64(maxAmount)))
		return 0, false
	}
	return n, true
}

// canonical is the body with sorted keys and compacted values, so that an
// idempotent retry matches whatever the client's key order or spacing.
func (f fields) canonical() []byte {
	if f.js == nil {
		return nil
	}
	return mustJSON(f.js)
}

// setPathKey makes the paymentKey of the earlier confirm path
// (POST /v1/payments/{paymentKey}) the body's, so that both paths share one
// confirm, idempotent replays included. A body naming another paymentKey is
// refused rather than guessed at.
func (f *fields) setPathKey(key string) *apiError {
	if f.present("paymentKey") {
		if got, _ := f.peek("paymentKey"); got != key {
			return errInvalid("paymentKey in the body differs from the one in the path")
		}
		return nil
	}
	f.js["paymentKey"] = mustJSON(key)
	return nil
}
