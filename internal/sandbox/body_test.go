package sandbox_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/sandbox"
)

func TestBodyRead(t *testing.T) {
	both := sandbox.Body{Types: []string{"application/json", "application/x-www-form-urlencoded"}}
	jsonOnly := sandbox.Body{Types: []string{"application/json"}}
	lax := sandbox.Body{Types: []string{"application/json"}, LaxType: true}
	for _, tt := range []struct {
		name  string
		body  sandbox.Body
		ctype string
		in    string
		want  sandbox.BodyProblem
	}{
		{"json", both, "application/json", `{"a":1}`, sandbox.BodyOK},
		{"form", both, "application/x-www-form-urlencoded; charset=utf-8", `a=1`, sandbox.BodyOK},
		{"form refused", jsonOnly, "application/x-www-form-urlencoded", `a=1`, sandbox.BodyContentType},
		{"no type", jsonOnly, "", `{}`, sandbox.BodyContentType},
		{"bad parameter", jsonOnly, "application/json; charset", `{}`, sandbox.BodyContentType},
		{"bad parameter, lax", lax, "application/json; charset", `{"a":"1"}`, sandbox.BodyOK},
		{"not an object", both, "application/json", `[1]`, sandbox.BodyNotObject},
		{"null", both, "application/json", `null`, sandbox.BodyNotObject},
		{"bad form", both, "application/x-www-form-urlencoded", `a=%zz`, sandbox.BodyBadForm},
		{"too large", both, "application/json", `{"a":"` + strings.Repeat("x", sandbox.MaxBody) + `"}`, sandbox.BodyUnreadable},
	} {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.in))
		r.Header.Set("Content-Type", tt.ctype)
		p, why, err := tt.body.Read(httptest.NewRecorder(), r)
		if why != tt.want {
			t.Errorf("%s: problem %d, want %d", tt.name, why, tt.want)
		}
		if why == sandbox.BodyOK {
			if v, _, ok := p.Lookup("a"); !ok || v != "1" {
				t.Errorf("%s: a = %q", tt.name, v)
			}
		}
		// Every problem has words of its own for the error body.
		if msg := tt.body.Message(why, err); (msg == "") != (why == sandbox.BodyOK) {
			t.Errorf("%s: message %q", tt.name, msg)
		}
	}
}

func TestBodyMessage(t *testing.T) {
	b := sandbox.Body{Types: []string{"application/json", "application/x-www-form-urlencoded"}}
	for why, want := range map[sandbox.BodyProblem]string{
		sandbox.BodyContentType: "Content-Type must be application/json or application/x-www-form-urlencoded",
		sandbox.BodyUnreadable:  "cannot read the body: too large",
		sandbox.BodyBadForm:     "malformed form body",
		sandbox.BodyNotObject:   "the body must be a JSON object",
	} {
		if got := b.Message(why, errors.New("too large")); got != want {
			t.Errorf("Message(%d) = %q, want %q", why, got, want)
		}
	}
}

func TestJSONWrite(t *testing.T) {
	w := httptest.NewRecorder()
	sandbox.JSON{ContentType: "application/json;charset=UTF-8", Newline: true}.Write(w, 402, map[string]int{"a": 1})
	if w.Code != 402 || w.Header().Get("Content-Type") != "application/json;charset=UTF-8" || w.Body.String() != "{\"a\":1}\n" {
		t.Fatalf("%d %q %q", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	w = httptest.NewRecorder()
	sandbox.JSON{ContentType: "application/json"}.WriteRaw(w, 200, []byte(`{"b":2}`))
	if w.Body.String() != `{"b":2}` {
		t.Fatalf("raw answer changed: %q", w.Body.String())
	}
}

func TestWithQueryKeepsTheMerchantsQuery(t *testing.T) {
	add := map[string][]string{"x": {"1 2"}}
	if got := sandbox.WithQuery("https://shop.example/r?order=42&note=a%20b", add); got != "https://shop.example/r?order=42&note=a%20b&x=1+2" {
		t.Errorf("got %s", got)
	}
	if got := sandbox.WithQuery("https://shop.example/r", add); got != "https://shop.example/r?x=1+2" {
		t.Errorf("got %s", got)
	}
	if got := sandbox.GroupDigits(-1234567); got != "-1,234,567" {
		t.Errorf("GroupDigits = %s", got)
	}
}
