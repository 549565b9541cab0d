package kakaopay

import (
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/testutil"
)

func TestConfig_Validate(t *testing.T) {
	valid := []Config{
		{SecretKey: "abc"},
		{AdminKey: "abc"},
		{SecretKey: "abc", CID: "TC0ONETIME", BaseURL: "http://127.0.0.1:8080/sandbox/kakaopay"},
		{AdminKey: "abc", CID: "CIDXXXXXXX", BaseURL: "https://kapi.kakao.com/"},
	}
	testutil.CheckConfigs(t, Config.Validate, New, valid, []testutil.ConfigCase[Config]{
		{"ErrNoKey", Config{}, []string{"one of SecretKey"}},
		{"ErrBothKeys", Config{SecretKey: "a", AdminKey: "b"}, []string{"only one of"}},
		{"ErrShortCID", Config{SecretKey: "a", CID: "TC0"}, []string{"CID must be 10"}},
		{"ErrLongCID", Config{SecretKey: "a", CID: "TC0ONETIME1"}, []string{"CID must be 10"}},
		{"ErrKeyNewline", Config{SecretKey: "abc\n"}, []string{"SecretKey contains"}},
		{"ErrAdminKeySpace", Config{AdminKey: "a b"}, []string{"AdminKey contains"}},
		{"ErrBaseURLParse", Config{SecretKey: "a", BaseURL: "http://[::1"}, []string{"does not parse"}},
		{"ErrBaseURLScheme", Config{SecretKey: "a", BaseURL: "ftp://host"}, []string{"http or https"}},
		{"ErrBaseURLRelative", Config{SecretKey: "a", BaseURL: "kapi.kakao.com"}, []string{"http or https"}},
		{"ErrBaseURLNoHost", Config{SecretKey: "a", BaseURL: "http:///path"}, []string{"no host"}},
		{"ErrBaseURLQuery", Config{SecretKey: "a", BaseURL: "http://h/?x=1"}, []string{"query"}},
		{"ErrBaseURLUser", Config{SecretKey: "a", BaseURL: "http://u:p@h/"}, []string{"credentials"}},
		{"ErrAllAtOnce", Config{CID: "X", BaseURL: "ftp://h"}, []string{"one of SecretKey", "CID must be", "http or https"}},
	})
}

// TestConfig_ValidateHidesKeys checks that problems name the fields, never
// the keys' values.
func TestConfig_ValidateHidesKeys(t *testing.T) {
	for _, c := range []Config{
		{SecretKey: testSecretKey, AdminKey: testAdminKey},
		{SecretKey: testSecretKey + "\n", CID: "short"},
		{AdminKey: testAdminKey + " ", BaseURL: "ftp://" + testAdminKey},
	} {
		err := c.Validate()
		if err == nil {
			t.Fatal("Validate() = nil")
		}
		for _, k := range []string{testSecretKey, testAdminKey} {
			if strings.Contains(err.Error(), k) {
				t.Errorf("Validate() leaks a key: %v", err)
			}
		}
	}
}

func TestConfig_Generation(t *testing.T) {
	if g := (Config{SecretKey: "a"}).Generation(); g != GenerationCurrent {
		t.Errorf("SecretKey: %s", g)
	}
	if g := (Config{AdminKey: "a"}).Generation(); g != GenerationLegacy {
		t.Errorf("AdminKey: %s", g)
	}
}
