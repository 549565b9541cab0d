package iamport

import (
	"strings"
	"testing"
)

// TestConfig_Validate checks that every problem is reported, at once, and
// that valid configurations pass.
func TestConfig_Validate(t *testing.T) {
	valid := []Config{
		{APIKey: "k", APISecret: "s"},
		{APIKey: "k", APISecret: "s", BaseURL: "http://localhost:8080/sandbox/iamport", WindowURL: "http://localhost:8080/sandbox/iamport/"},
		{APIKey: "k", APISecret: "s", BaseURL: "https://static-api.iamport.kr"},
	}
	for _, c := range valid {
		if err := c.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v, want nil", c, err)
		}
	}

	tests := []struct {
		name string
		cfg  Config
		want []string // substrings, one per expected problem
	}{
		{"empty", Config{}, []string{"APIKey (imp_key) is required", "APISecret (imp_secret) is required"}},
		{"pasted newline", Config{APIKey: "k\n", APISecret: "s "}, []string{"APIKey contains whitespace", "APISecret contains whitespace"}},
		{"base url scheme", Config{APIKey: "k", APISecret: "s", BaseURL: "api.iamport.kr"}, []string{"BaseURL must be an http or https URL"}},
		{"base url query", Config{APIKey: "k", APISecret: "s", BaseURL: "https://api.iamport.kr?x=1"}, []string{"BaseURL must not have a query"}},
		{"base url credentials", Config{APIKey: "k", APISecret: "s", BaseURL: "https://u:p@api.iamport.kr"}, []string{"BaseURL must not contain credentials"}},
		{"window url", Config{APIKey: "k", APISecret: "s", WindowURL: "http://"}, []string{"WindowURL has no host"}},
		{"all at once", Config{BaseURL: "ftp://x", WindowURL: "::"}, []string{"APIKey", "APISecret", "BaseURL", "WindowURL does not parse"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if err == nil {
				t.Fatal("Validate = nil, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate = %q, want it to mention %q", err, w)
				}
			}
			if _, nerr := New(tt.cfg); nerr == nil {
				t.Error("New accepted an invalid Config")
			}
		})
	}
}
