package sandbox

import (
	"fmt"
	"testing"
)

func TestParamsLookup(t *testing.T) {
	if _, err := ParseJSONObject([]byte(`{"bad":"\x"}`)); err == nil {
		t.Fatal("an invalid escape parsed")
	}
	js, err := ParseJSONObject([]byte(`{"tid":"T1","amount":1000,"flag":true,"obj":{},"list":[1],"empty":"","nil":null}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		v    string
		kind ValueKind
		sent bool
	}{
		{"tid", "T1", KindText, true},
		{"amount", "1000", KindNumber, true},
		{"flag", "true", KindBool, true},
		{"obj", "{}", KindOther, true},
		{"list", "[1]", KindOther, true},
		{"empty", "", KindText, false},
		{"nil", "", KindText, false},
		{"missing", "", KindText, false},
	} {
		v, k, sent := js.Lookup(tc.name)
		if v != tc.v || k != tc.kind || sent != tc.sent {
			t.Errorf("%s = %q %v %v, want %q %v %v", tc.name, v, k, sent, tc.v, tc.kind, tc.sent)
		}
	}
	if _, k, _ := js.Lookup("amount"); !k.Scalar() {
		t.Error("a number is not scalar")
	}
	if _, k, _ := js.Lookup("flag"); k.Scalar() {
		t.Error("a boolean passed as a string or number")
	}
	for _, bad := range []string{`null`, `[1]`, `"s"`} {
		if _, err := ParseJSONObject([]byte(bad)); err == nil {
			t.Errorf("%s parsed as an object", bad)
		}
	}
	form, err := ParseForm([]byte("tid=T1&amount=1000&empty="))
	if err != nil {
		t.Fatal(err)
	}
	if v, k, sent := form.Lookup("amount"); v != "1000" || k != KindText || !sent {
		t.Errorf("form amount = %q %v %v, want text 1000", v, k, sent)
	}
	if _, _, sent := form.Lookup("empty"); sent {
		t.Error("an empty form value counts as sent")
	}
	if _, err := ParseForm([]byte("a=%zz")); err == nil {
		t.Error("a malformed form parsed")
	}
}

func TestFieldsKeepTheFirstProblem(t *testing.T) {
	p, err := ParseJSONObject([]byte(`{"name":"커피우유","qty":2,"flag":true}`))
	if err != nil {
		t.Fatal(err)
	}
	f := Fields[*string]{Params: p, Problem: func(format string, a ...any) *string {
		s := fmt.Sprintf(format, a...)
		return &s
	}}
	if got := f.Str("name", true, 4); got != "커피우유" || f.Err != nil {
		t.Fatalf("4 characters within 4: %q, %v", got, f.Err)
	}
	if got := f.Str("qty", true, 0); got != "2" || f.Err != nil {
		t.Fatalf("a number as a string: %q, %v", got, f.Err)
	}
	if got := f.Str("flag", false, 0); got != "" || f.Err == nil || *f.Err != "flag must be a string" {
		t.Fatalf("a boolean as a string: %q, %v", got, f.Err)
	}
	f.Str("missing", true, 0)
	f.Str("name", true, 3)
	if *f.Err != "flag must be a string" {
		t.Errorf("later problems replaced the first: %s", *f.Err)
	}
	g := Fields[*string]{Params: p, Problem: f.Problem}
	g.Str("name", true, 3)
	if g.Err == nil || *g.Err != "name must be at most 3 characters" {
		t.Errorf("too long: %v", g.Err)
	}
}
