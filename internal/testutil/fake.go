package testutil

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// FakeProvider is a scripted fake of a provider's API for the adapters'
// tests: an httptest server that counts every request, checks it against
// the provider's conventions with check, answers a request that breaks
// them with refuse, and hands every other one, decoded as R, to handle.
// check reports each breach itself (t.Errorf) and returns false, so a test
// fails on a wrong path, header or body whatever handle answers.
type FakeProvider[R any] struct {
	*httptest.Server
	prefix string
	calls  atomic.Int32
}

// NewFakeProvider starts a FakeProvider whose clients are to use prefix as
// their base URL's path; it is closed when the test ends.
func NewFakeProvider[R any](t testing.TB, prefix string, check func(*http.Request) (R, bool),
	refuse func(http.ResponseWriter), handle func(http.ResponseWriter, *http.Request, R)) *FakeProvider[R] {
	t.Helper()
	f := &FakeProvider[R]{prefix: prefix}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		req, ok := check(r)
		if !ok {
			refuse(w)
			return
		}
		handle(w, r, req)
	}))
	t.Cleanup(f.Close)
	return f
}

// BaseURL is the base URL for a client: the server's address plus the
// prefix, so that a client that drops the base URL's path is caught.
func (f *FakeProvider[R]) BaseURL() string { return f.Server.URL + f.prefix }

// Calls is the number of requests the server received.
func (f *FakeProvider[R]) Calls() int { return int(f.calls.Load()) }

// Replay is a fake's handler that answers every call with status and body.
func Replay[R any](status int, body []byte) func(http.ResponseWriter, *http.Request, R) {
	return func(w http.ResponseWriter, _ *http.Request, _ R) { Reply(w, status, body) }
}

// RecordAndReplay is Replay that first records every decoded request.
func RecordAndReplay[R any](rec *Recorder[R], status int, body []byte) func(http.ResponseWriter, *http.Request, R) {
	return func(w http.ResponseWriter, _ *http.Request, req R) {
		rec.Add(req)
		Reply(w, status, body)
	}
}

// HangUpOn is a fake's handler that closes every connection without
// answering (see HangUp).
func HangUpOn[R any](t *testing.T) func(http.ResponseWriter, *http.Request, R) {
	return func(w http.ResponseWriter, _ *http.Request, _ R) { HangUp(t, w) }
}

// MustTestdata reads testdata/name of the package under test: a
// provider's documented answer, replayed by a fake.
func MustTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// AssertJSONFields checks that a JSON body decoded with json.Number
// (fields) carries exactly want: no field missing, none extra, a string as
// a JSON string and an int or int64 as a JSON number of the same digits,
// since a provider that types a field refuses the other. where names the
// request in failures. It is AssertTextFields of the body's text and kinds.
func AssertJSONFields(t testing.TB, where string, fields, want map[string]any) {
	t.Helper()
	text, kinds := make(map[string]string, len(fields)), make(map[string]string, len(fields))
	for k, v := range fields {
		text[k], kinds[k], _ = textAndKind(v)
	}
	AssertTextFields(t, where, text, kinds, want)
}

// AssertTextFields is AssertJSONFields for a body kept as text: fields
// holds every value as text (numbers as their JSON text), kinds the JSON
// type ("number" or "string") of each field that came as JSON; a form
// body has no kinds, and then only the text is compared. A field is
// reported once: its wrong JSON type, or else its wrong text.
func AssertTextFields(t testing.TB, where string, fields, kinds map[string]string, want map[string]any) {
	t.Helper()
	for k, v := range want {
		got, ok := fields[k]
		if !ok {
			t.Errorf("%s: field %s missing", where, k)
			continue
		}
		var wantStr, wantKind string
		switch v := v.(type) {
		case string:
			wantStr, wantKind = v, "string"
		case int, int64:
			wantStr, wantKind = jsonText(v), "number"
		default:
			t.Fatalf("AssertTextFields: unsupported %T", v)
		}
		if kind, ok := kinds[k]; ok && kind != wantKind {
			t.Errorf("%s: %s = %s is a JSON %s, want the %s %s", where, k, got, kind, wantKind, jsonText(v))
		} else if got != wantStr {
			t.Errorf("%s: %s = %q, want %q", where, k, got, wantStr)
		}
	}
	for k := range fields {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected field %s = %q", where, k, fields[k])
		}
	}
}

// FlatJSON decodes a flat JSON object body into text values and their
// JSON kinds, for AssertTextFields; a value that is neither a number nor a
// string is reported with t.Errorf, as no provider request sends one.
func FlatJSON(t testing.TB, where string, body []byte) (fields, kinds map[string]string, ok bool) {
	fields, kinds, ok = map[string]string{}, map[string]string{}, true
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Errorf("%s: body is not a JSON object: %v", where, err)
		return fields, kinds, false
	}
	for k, v := range m {
		text, kind, flat := textAndKind(v)
		if !flat {
			t.Errorf("%s: field %s has JSON type %s", where, k, kind)
			ok = false
			continue
		}
		fields[k], kinds[k] = text, kind
	}
	return fields, kinds, ok
}

// textAndKind is a decoded JSON value (numbers as json.Number) as text and
// its kind, "number" or "string"; any other value (true, null, an object)
// is not flat, and its kind is its Go type.
func textAndKind(v any) (text, kind string, flat bool) {
	switch v := v.(type) {
	case json.Number:
		return v.String(), "number", true
	case string:
		return v, "string", true
	default:
		return jsonText(v), fmt.Sprintf("%T", v), false
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
