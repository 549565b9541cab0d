package iamport

import (
	"testing"

	"github.com/paybridge/paybridge/internal/testutil"
)

// TestConfig_Validate checks that every problem is reported, at once, and
// that valid configurations pass.
func TestConfig_Validate(t *testing.T) {
	valid := []Config{
		{APIKey: "k", APISecret: "s"},
		{APIKey: "k", APISecret: "s", BaseURL: "http://localhost:8080/sandbox/iamport", WindowURL: "http://localhost:8080/sandbox/iamport/"},
		{APIKey: "k", APISecret: "s", BaseURL: "https://static-api.iamport.kr"},
	}
	testutil.CheckConfigs(t, Config.Validate, New, valid, []testutil.ConfigCase[Config]{
		{"empty", Config{}, []string{"APIKey (imp_key) is required", "APISecret (imp_secret) is required"}},
		{"pasted newline", Config{APIKey: "k\n", APISecret: "s "}, []string{"APIKey contains whitespace", "APISecret contains whitespace"}},
		{"base url scheme", Config{APIKey: "k", APISecret: "s", BaseURL: "api.iamport.kr"}, []string{"BaseURL must be an http or https URL"}},
		{"base url query", Config{APIKey: "k", APISecret: "s", BaseURL: "https://api.iamport.kr?x=1"}, []string{"BaseURL must not have a query"}},
		{"base url credentials", Config{APIKey: "k", APISecret: "s", BaseURL: "https://u:p@api.iamport.kr"}, []string{"BaseURL must not contain credentials"}},
		{"window url", Config{APIKey: "k", APISecret: "s", WindowURL: "http://"}, []string{"WindowURL has no host"}},
		{"all at once", Config{BaseURL: "ftp://x", WindowURL: "::"}, []string{"APIKey", "APISecret", "BaseURL", "WindowURL does not parse"}},
	})
}
