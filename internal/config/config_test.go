package config_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/provider/iamport"
	"github.com/paybridge/paybridge/internal/provider/kakaopay"
	"github.com/paybridge/paybridge/internal/provider/portone"
	"github.com/paybridge/paybridge/internal/provider/toss"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// mustValid is the configuration read from vars, which must read and
// validate without a problem.
func mustValid(t *testing.T, vars map[string]string) config.Config {
	t.Helper()
	c, err := config.FromEnv(env(vars))
	if err != nil || c.Validate() != nil {
		t.Fatalf("FromEnv = %v / %v", err, c.Validate())
	}
	return c
}

func TestFromEnv_Defaults(t *testing.T) {
	c, err := config.FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	if c.Addr != ":8080" || c.DatabaseURL != "sqlite:paybridge.db" || config.Get[kakaopay.Settings](c).CID != "TC0ONETIME" || !config.Get[kakaopay.Settings](c).Sandbox() ||
		!c.SandboxWebhooks || c.IdempotencyRetention != 24*time.Hour || c.SweepInterval != 10*time.Second ||
		c.RateLimit != 25 || c.RateBurst != 50 {
		t.Fatalf("defaults = %+v", c)
	}
}

func TestFromEnv_SecretFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "key")
	os.WriteFile(f, []byte("DEVSECRET123\n"), 0o600)
	c, err := config.FromEnv(env(map[string]string{"PAYBRIDGE_KAKAOPAY_SECRET_KEY_FILE": f}))
	if err != nil || config.Get[kakaopay.Settings](c).SecretKey != "DEVSECRET123" || config.Get[kakaopay.Settings](c).Sandbox() {
		t.Fatalf("from file: %q, %v", config.Get[kakaopay.Settings](c).SecretKey, err)
	}
	t.Run("ErrBoth", func(t *testing.T) {
		_, err := config.FromEnv(env(map[string]string{"PAYBRIDGE_KAKAOPAY_SECRET_KEY_FILE": f, "PAYBRIDGE_KAKAOPAY_SECRET_KEY": "x"}))
		if err == nil {
			t.Fatal("both value and file accepted")
		}
	})
	t.Run("ErrMissingFile", func(t *testing.T) {
		if _, err := config.FromEnv(env(map[string]string{"PAYBRIDGE_KAKAOPAY_ADMIN_KEY_FILE": f + ".nope"})); err == nil {
			t.Fatal("missing file accepted")
		}
	})
}

func TestValidate_ReportsEverything(t *testing.T) {
	c, ferr := config.FromEnv(env(map[string]string{
		"PAYBRIDGE_ADDR":                "8080",
		"PAYBRIDGE_KAKAOPAY_SECRET_KEY": "s",
		"PAYBRIDGE_KAKAOPAY_ADMIN_KEY":  "a",
		"PAYBRIDGE_KAKAOPAY_CID":        "SHORT",
		"PAYBRIDGE_LOG_LEVEL":           "loud",
	}))
	err := errors.Join(ferr, c.Validate())
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, want := range []string{"PAYBRIDGE_ADDR", "both set", "PAYBRIDGE_KAKAOPAY_CID", "PAYBRIDGE_LOG_LEVEL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), `"s"`) || strings.Contains(err.Error(), `"a"`) {
		t.Errorf("error shows a key: %v", err)
	}
}

func TestConfig_StringMasksSecrets(t *testing.T) {
	c, _ := config.FromEnv(env(map[string]string{
		"PAYBRIDGE_KAKAOPAY_SECRET_KEY": "DEVSECRETKEY-do-not-print",
		"PAYBRIDGE_DATABASE_URL":        "postgres://pb:hunter2-password@db:5432/pb",
	}))
	s := c.String()
	if strings.Contains(s, "do-not-print") || strings.Contains(s, "hunter2") {
		t.Fatalf("String() leaks a secret: %s", s)
	}
	if !strings.Contains(s, "kakaopay_secret_key=(set)") || !strings.Contains(s, "pb:xxxxx@db") {
		t.Fatalf("String() = %s", s)
	}
}

// TestConfig_NeverPrintsSecrets: every rendering of a Config an operator or
// a log can see masks paybridge's own secret key and the providers'.
func TestConfig_NeverPrintsSecrets(t *testing.T) {
	c, err := config.FromEnv(env(map[string]string{
		"PAYBRIDGE_SECRET_KEY":          strings.Repeat("ab", 32),
		"PAYBRIDGE_KAKAOPAY_SECRET_KEY": "DEVSECRETKEY-do-not-print",
		"PAYBRIDGE_TOSS_SECRET_KEY":     "test_sk_do-not-print",
		"PAYBRIDGE_DATABASE_URL":        "postgres://pb:pw-do-not-print@db:5432/pb",
	}))
	if err != nil {
		t.Fatal(err)
	}
	holder := struct{ Config config.Config }{c}
	var text, jsonLog, jsonHeld strings.Builder
	slog.New(slog.NewTextHandler(&text, nil)).Info("config", "c", c)
	slog.New(slog.NewJSONHandler(&jsonLog, nil)).Info("config", "c", c)
	slog.New(slog.NewJSONHandler(&jsonHeld, nil)).Info("config", "held", holder, "list", []config.Config{c})
	encoded, err := json.Marshal(holder)
	if err != nil {
		t.Fatal(err)
	}
	for how, out := range map[string]string{
		"%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c),
		"%+v of a holder": fmt.Sprintf("%+v", holder),
		"slog text":       text.String(), "slog JSON": jsonLog.String(),
		"slog JSON of a holder and a slice": jsonHeld.String(), "encoding/json of a holder": string(encoded),
	} {
		if strings.Contains(out, "do-not-print") || strings.Contains(out, "abab") {
			t.Errorf("%s leaks a secret: %s", how, out)
		}
		if !strings.Contains(out, "toss_secret_key=(set)") {
			t.Errorf("%s: %s", how, out)
		}
	}
}

func TestFromEnv_Database(t *testing.T) {
	c := mustValid(t, map[string]string{
		"PAYBRIDGE_DATABASE_URL":         "postgres://pb:pw@db:5432/pb",
		"PAYBRIDGE_DB_MAX_CONNS":         "25",
		"PAYBRIDGE_DB_STATEMENT_TIMEOUT": "5s",
		"PAYBRIDGE_DB_CONNECT_TIMEOUT":   "2s",
	})
	o := c.StoreOptions()
	if o.MaxConns != 25 || o.StatementTimeout.Seconds() != 5 || o.ConnectTimeout.Seconds() != 2 {
		t.Fatalf("store options = %+v", o)
	}
	for name, v := range map[string]string{"PAYBRIDGE_DB_MAX_CONNS": "lots", "PAYBRIDGE_DB_STATEMENT_TIMEOUT": "5"} {
		if _, err := config.FromEnv(env(map[string]string{name: v})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: err = %v", name, v, err)
		}
	}
	c, _ = config.FromEnv(env(map[string]string{"PAYBRIDGE_DB_MAX_CONNS": "0"}))
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "PAYBRIDGE_DB_MAX_CONNS") {
		t.Errorf("zero pool accepted: %v", err)
	}
}

func TestFromEnv_PortOneAndToss(t *testing.T) {
	c := mustValid(t, map[string]string{
		"PAYBRIDGE_PORTONE_V1_API_KEY":       "imp-key",
		"PAYBRIDGE_PORTONE_V1_API_SECRET":    "imp-secret-never-print",
		"PAYBRIDGE_PORTONE_V1_MERCHANT_CODE": "imp12345678",
		"PAYBRIDGE_PORTONE_API_SECRET":       "v2-secret-never-print",
		"PAYBRIDGE_PORTONE_STORE_ID":         "store-1",
		"PAYBRIDGE_PORTONE_CHANNEL_KEY":      "channel-1",
		"PAYBRIDGE_PORTONE_WEBHOOK_SECRET":   "whsec_AAAA, whsec_BBBB",
		"PAYBRIDGE_TOSS_SECRET_KEY":          "test_sk_never-print",
		"PAYBRIDGE_TOSS_CLIENT_KEY":          "test_ck_public",
	})
	if config.Get[iamport.Settings](c).Sandbox() || config.Get[portone.Settings](c).Sandbox() || config.Get[toss.Settings](c).Sandbox() || !config.Get[kakaopay.Settings](c).Sandbox() {
		t.Fatalf("sandbox flags wrong: %+v", c)
	}
	if len(config.Get[portone.Settings](c).WebhookSecrets) != 2 || config.Get[portone.Settings](c).WebhookSecrets[1] != "whsec_BBBB" {
		t.Fatalf("webhook secrets = %q", config.Get[portone.Settings](c).WebhookSecrets)
	}
	if s := c.String(); strings.Contains(s, "never-print") || strings.Contains(s, "whsec_") {
		t.Fatalf("String() leaks a secret: %s", s)
	}
	for name, vars := range map[string]map[string]string{
		"V1KeyWithoutSecret": {"PAYBRIDGE_PORTONE_V1_API_KEY": "k"},
		"V1WithoutCode":      {"PAYBRIDGE_PORTONE_V1_API_KEY": "k", "PAYBRIDGE_PORTONE_V1_API_SECRET": "s"},
		"V2WithoutStore":     {"PAYBRIDGE_PORTONE_API_SECRET": "s"},
		"TossWithoutClient":  {"PAYBRIDGE_TOSS_SECRET_KEY": "test_sk_x"},
		"ThreeWebhookKeys":   {"PAYBRIDGE_PORTONE_WEBHOOK_SECRET": "a,b,c"},
		"BaseURLNoKey":       {"PAYBRIDGE_TOSS_BASE_URL": "http://localhost:9090"},
	} {
		c, _ := config.FromEnv(env(vars))
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestFromEnv_RateLimit(t *testing.T) {
	c, err := config.FromEnv(env(map[string]string{"PAYBRIDGE_RATE_LIMIT": "0.5", "PAYBRIDGE_RATE_BURST": "3"}))
	if err != nil || c.Validate() != nil || c.RateLimit != 0.5 || c.RateBurst != 3 {
		t.Fatalf("rate = %v, burst = %d, %v / %v", c.RateLimit, c.RateBurst, err, c.Validate())
	}
	for _, v := range map[string]string{"PAYBRIDGE_RATE_LIMIT": "-1"} {
		c, _ := config.FromEnv(env(map[string]string{"PAYBRIDGE_RATE_LIMIT": v}))
		if c.Validate() == nil {
			t.Errorf("rate %s accepted", v)
		}
	}
	if _, err := config.FromEnv(env(map[string]string{"PAYBRIDGE_RATE_LIMIT": "fast"})); err == nil {
		t.Error("a non-number accepted")
	}
}
