package provider

import (
	"strings"
	"testing"
)

// TestProblems: the shared rules, each message prefixed and naming the
// field, never the value.
func TestProblems(t *testing.T) {
	p := NewProblems("demo")
	if p.Err() != nil {
		t.Fatalf("empty list: %v", p.Err())
	}
	if !p.Key("Key", "k-SECRET", "Key is required") {
		t.Error("a clean key refused")
	}
	p.Key("Missing", "", "Missing is required")
	p.Key("Optional", "", "")
	p.Key("Pasted", "k-SECRET\n", "")
	p.Key("Wide", "k-SECRET-é", "")
	p.BaseURL("None", "")
	p.BaseURL("Good", "http://h/prefix/")
	p.BaseURL("BareQuery", "http://h/?")
	p.BaseURL("Scheme", "ftp://h")
	p.BaseURL("Creds", "https://u:k-SECRET@h")
	p.Add("custom %d", 7)
	want := []string{
		"demo: Missing is required",
		"demo: Pasted contains whitespace or control characters",
		"demo: Wide contains whitespace or control characters",
		"demo: BareQuery must not have a query or fragment",
		"demo: Scheme must be an http or https URL",
		"demo: Creds must not contain credentials",
		"demo: custom 7",
	}
	if got := p.Err().Error(); got != strings.Join(want, "\n") {
		t.Errorf("Err() = %q, want %q", got, strings.Join(want, "\n"))
	}
}
