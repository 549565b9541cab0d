package testutil

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// JSON is a decoded JSON object read through dotted paths ("amount.total";
// array elements by index, "cancels.0.cancelAmount"). Tests of the
// sandboxes read answers this way rather than into Go structs, so that a
// field's name and JSON type are what is checked, not what a struct
// happens to accept. Numbers are json.Number (see DecodeJSON).
type JSON map[string]any

// DecodeJSON decodes b, which must be one JSON object (or null), keeping
// numbers as json.Number so that 1000 and 1000.0 stay apart.
func DecodeJSON(t testing.TB, b []byte) JSON {
	t.Helper()
	var o JSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&o); err != nil {
		t.Fatalf("answer is not a JSON object: %v: %s", err, b)
	}
	return o
}

// At returns the value at path and whether it exists.
func (o JSON) At(path string) (any, bool) {
	var cur any = map[string]any(o)
	for _, part := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[part]
			if !ok {
				return nil, false
			}
			cur = next
		case JSON:
			next, ok := v[part]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// Has reports whether path exists (null included).
func (o JSON) Has(path string) bool { _, ok := o.At(path); return ok }

// IsNull reports whether path exists and is null.
func (o JSON) IsNull(path string) bool {
	v, ok := o.At(path)
	return ok && v == nil
}

// Str is the string at path; anything else fails the test.
func (o JSON) Str(t testing.TB, path string) string {
	t.Helper()
	v, ok := o.At(path)
	s, isStr := v.(string)
	if !ok || !isStr {
		t.Fatalf("%s = %#v (%T), want a string in %v", path, v, v, o)
	}
	return s
}

// Int is the integer at path; anything else (a string of digits, a
// fraction) fails the test.
func (o JSON) Int(t testing.TB, path string) int64 {
	t.Helper()
	v, ok := o.At(path)
	n, isNum := v.(json.Number)
	if !ok || !isNum {
		t.Fatalf("%s = %#v (%T), want a number in %v", path, v, v, o)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%s = %s, want an integer", path, n)
	}
	return i
}

// List is the array at path, its elements as objects (a non-object
// element is an empty JSON); anything else fails the test.
func (o JSON) List(t testing.TB, path string) []JSON {
	t.Helper()
	v, ok := o.At(path)
	l, isList := v.([]any)
	if !ok || !isList {
		t.Fatalf("%s = %#v, want a list", path, v)
	}
	var out []JSON
	for _, e := range l {
		m, _ := e.(map[string]any)
		out = append(out, JSON(m))
	}
	return out
}
