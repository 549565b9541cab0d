package provider

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCode(t *testing.T) {
	for in, want := range map[string]string{`-780`: "-780", `"-780"`: "-780", ` "007" `: "7", `0`: "0",
		`"USER_LOCKED"`: "USER_LOCKED", `1.5`: "1.5"} {
		if got, ok := Code(json.RawMessage(in)); !ok || got != want {
			t.Errorf("Code(%s) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{``, `null`, `""`, `"  "`} {
		if got, ok := Code(json.RawMessage(in)); ok {
			t.Errorf("Code(%s) = %q: without a code nothing can be concluded", in, got)
		}
	}
}

func TestWholeNumber(t *testing.T) {
	for in, want := range map[string]int64{"1000": 1000, "1000.0": 1000, "-5": -5, "1e3": 1000} {
		if got, ok := WholeNumber(in); !ok || got != want {
			t.Errorf("WholeNumber(%s) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"1000.5", "1e20", "NaN", "Inf", "", "abc"} {
		if got, ok := WholeNumber(in); ok {
			t.Errorf("WholeNumber(%s) = %d: an amount is never rounded", in, got)
		}
	}
}

func TestLooseString(t *testing.T) {
	var v struct{ A, B, C, D LooseString }
	if err := json.Unmarshal([]byte(`{"A":"x","B":12,"C":true,"D":null}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != "x" || v.B != "12" || v.C != "true" || v.D != "" {
		t.Errorf("got %+v", v)
	}
}

func TestIsCodeWord(t *testing.T) {
	for s, want := range map[string]bool{"USER_LOCKED": true, "REJECT_CARD_COMPANY": true, "E1": true,
		"": false, "user_locked": false, "A B": false, "카드": false, strings.Repeat("A", 65): false, strings.Repeat("A", 64): true} {
		if got := IsCodeWord(s); got != want {
			t.Errorf("IsCodeWord(%q) = %v, want %v", s, got, want)
		}
	}
}
