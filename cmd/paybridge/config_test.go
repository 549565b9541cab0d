package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

func envMap(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// Ensure every database URL that is not one of the accepted forms is refused
// by every command that opens a database, before any file is created, with
// a message naming the accepted forms and without the password.
func TestRun_RefusesDatabaseURLs(t *testing.T) {
	const pw = "hunter2-secret"
	urls := map[string]string{
		"MySQL":          "mysql://pb:" + pw + "@db:3306/pb",
		"ShortScheme":    "pg://pb:" + pw + "@db:5432/pb",
		"LibpqKeywords":  "host=db user=pb password=" + pw + " dbname=pb",
		"BareWord":       "paybridge-" + pw,
		"BarePath":       "data/" + pw + ".db",
		"PostgresNoHost": "postgres:///pb?password=" + pw,
	}
	commands := [][]string{{"migrate"}, {"keys", "create"}, {"merchants", "list"}, {"config", "check"},
		{"serve", "-addr", "127.0.0.1:0"}, {"db", "copy", "--from", "sqlite:x.db", "--to", ""}}
	for name, u := range urls {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			for _, cmd := range commands {
				args := append([]string(nil), cmd...)
				if cmd[0] == "db" {
					args[len(args)-1] = u
				}
				var out, errOut bytes.Buffer
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				err := run(ctx, args, envMap(map[string]string{"PAYBRIDGE_DATABASE_URL": u}), &out, &errOut)
				cancel()
				if err == nil {
					t.Fatalf("%v accepted %s", cmd, name)
				}
				all := err.Error() + out.String() + errOut.String()
				if strings.Contains(all, pw) {
					t.Fatalf("%v shows the password: %s", cmd, all)
				}
				if !strings.Contains(all, "sqlite:PATH") || !strings.Contains(all, "postgres://") {
					t.Errorf("%v does not name the accepted forms: %s", cmd, all)
				}
			}
			if files, _ := os.ReadDir(dir); len(files) > 0 {
				t.Fatalf("files were created: %v", files[0].Name())
			}
		})
	}
}

// Ensure "paybridge config" prints every setting with secrets masked and
// passwords redacted (?password= included), and the mode and provider
// table; and "config check" applies the live-mode rules to flags as well.
func TestRun_Config(t *testing.T) {
	env := envMap(map[string]string{
		"PAYBRIDGE_DATABASE_URL":           "postgres://pb:userinfo-pw@db:5432/pb?sslmode=require&password=query-pw",
		"PAYBRIDGE_KAKAOPAY_SECRET_KEY":    "PRDkey-do-not-show",
		"PAYBRIDGE_KAKAOPAY_CID":           "CPLIVE0001",
		"PAYBRIDGE_SECRET_KEY":             strings.Repeat("ab", 32),
		"PAYBRIDGE_PORTONE_WEBHOOK_SECRET": "whsec_do-not-show",
	})
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"config", "-mode", "live", "-public-url", "https://pay.example"}, env, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	s := out.String()
	for _, leak := range []string{"userinfo-pw", "query-pw", "do-not-show", strings.Repeat("ab", 32)} {
		if strings.Contains(s, leak) {
			t.Fatalf("config shows a secret (%s):\n%s", leak, s)
		}
	}
	for _, want := range []string{"PAYBRIDGE_PROVIDER_TIMEOUT", "20s", "PAYBRIDGE_KAKAOPAY_SECRET_KEY", "(set)", "mode: live",
		"kakaopay  live", "toss      disabled", "postgres://pb:xxxxx@db:5432/pb"} {
		if !strings.Contains(s, want) {
			t.Errorf("config lacks %q:\n%s", want, s)
		}
	}

	out.Reset()
	if err := run(context.Background(), []string{"config", "check", "-mode", "live", "-public-url", "https://pay.example"}, env, &out, &errOut); err != nil {
		t.Fatalf("a valid live configuration: %v\n%s", err, out.String())
	}
	out.Reset()
	err := run(context.Background(), []string{"config", "check", "-mode", "live", "-kakaopay-cid", "TC0ONETIME", "-provider-timeout", "1s"}, env, &out, &errOut)
	if err == nil {
		t.Fatal("an invalid live configuration passed the check")
	}
	for _, want := range []string{"test CID TC0ONETIME", "PAYBRIDGE_PUBLIC_URL is required", "PAYBRIDGE_PROVIDER_TIMEOUT: between 5s and 2m"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check does not report %q:\n%s", want, out.String())
		}
	}
}
