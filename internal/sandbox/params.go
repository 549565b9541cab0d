package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"unicode/utf8"
)

// Params is a decoded request body for a sandbox whose provider takes
// either a form or a JSON object (KakaoPay by API generation, PortOne V1
// both at once). Its reader is lenient the way the providers' servers are:
// a number where a string is expected, or a numeric string where a number
// is, passes, and the sandbox decides per field what else it takes.
type Params struct {
	Form url.Values
	JSON map[string]json.RawMessage
}

// ValueKind tells how a value was written, so that a string field given
// an object (or a number field given a boolean) can be refused.
type ValueKind int

// Value kinds.
const (
	KindText   ValueKind = iota // a JSON string, or any form value
	KindNumber                  // a JSON number
	KindBool                    // a JSON boolean
	KindOther                   // a JSON object or array
)

// ParseForm decodes a form body.
func ParseForm(body []byte) (Params, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return Params{}, err
	}
	return Params{Form: form}, nil
}

// ParseJSONObject decodes a body that must be one JSON object.
func ParseJSONObject(body []byte) (Params, error) {
	var js map[string]json.RawMessage
	if err := json.Unmarshal(body, &js); err != nil {
		return Params{}, err
	}
	if js == nil {
		return Params{}, errors.New("not a JSON object")
	}
	return Params{JSON: js}, nil
}

// Lookup returns name's value as text, how it was written, and whether it
// was sent. Empty strings and JSON null count as not sent, so required
// checks treat them alike.
func (p Params) Lookup(name string) (string, ValueKind, bool) {
	if p.Form != nil {
		v := p.Form.Get(name)
		return v, KindText, v != ""
	}
	raw := bytes.TrimSpace(p.JSON[name])
	if len(raw) == 0 || string(raw) == "null" {
		return "", KindText, false
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", KindOther, true
		}
		return s, KindText, s != ""
	case c == '-' || c >= '0' && c <= '9':
		return string(raw), KindNumber, true
	case c == 't' || c == 'f':
		return string(raw), KindBool, true
	default:
		return string(raw), KindOther, true
	}
}

// Scalar reports whether a value of kind k may stand for a string or a
// number: a string or a number, not a boolean, object or array.
func (k ValueKind) Scalar() bool { return k == KindText || k == KindNumber }

// Fields reads and checks request fields, keeping the first problem so
// that a handler can read every field and check Err once. E is the
// sandbox's own error answer, built by Problem, so that each provider's
// error shape stays its own; each sandbox adds the number readers its
// provider's leniency calls for.
type Fields[E comparable] struct {
	Params
	Problem func(format string, a ...any) E
	Err     E
}

// Fail keeps e unless a problem was already found.
func (f *Fields[E]) Fail(e E) {
	var none E
	if f.Err == none {
		f.Err = e
	}
}

// Str reads a string field of at most maxLen characters (0: no limit). A
// number is accepted too, as the providers' servers coerce it; a boolean,
// object or array is refused.
func (f *Fields[E]) Str(name string, required bool, maxLen int) string {
	v, k, ok := f.Lookup(name)
	switch {
	case !ok && required:
		f.Fail(f.Problem("%s is required", name))
	case !ok:
	case !k.Scalar():
		f.Fail(f.Problem("%s must be a string", name))
	case maxLen > 0 && utf8.RuneCountInString(v) > maxLen:
		f.Fail(f.Problem("%s must be at most %d characters", name, maxLen))
	default:
		return v
	}
	return ""
}
