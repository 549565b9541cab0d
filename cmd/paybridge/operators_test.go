package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
)

// Ensure one command creates an operator who can sign in to a running
// paybridge's console: with a password from stdin, or a generated one
// printed alone on stdout; list never shows a password or its hash; a
// disabled operator cannot sign in.
func TestRun_Operators(t *testing.T) {
	db, getenv := tempDatabase(t)
	cmd := func(in string, args ...string) (string, error) {
		t.Helper()
		stdin = strings.NewReader(in)
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, getenv, &out, &errOut)
		return out.String(), err
	}
	if _, err := cmd("short\n", "operators", "create", "--email", "a@example.com", "--role", "owner", "--password-stdin"); err == nil {
		t.Fatal("a short password was accepted")
	}
	if _, err := cmd("", "operators", "create", "--email", "a@example.com", "--role", "god"); err == nil {
		t.Fatal("an unknown role was accepted")
	}
	if _, err := cmd("", "operators", "create", "--email", "a@example.com", "--role", "admin", "--merchant", "mer_nope"); err == nil {
		t.Fatal("an unknown merchant was accepted")
	}
	if out, err := cmd("correct horse battery staple\n", "operators", "create", "--email", "Owner@Example.com", "--role", "owner", "--password-stdin"); err != nil || out != "" {
		t.Fatalf("create with stdin: %q %v", out, err)
	}
	out, err := cmd("", "operators", "create", "--email", "viewer@example.com", "--role", "viewer")
	generated := strings.TrimSpace(out)
	if err != nil || len(generated) < 20 || strings.ContainsAny(generated, " \n") {
		t.Fatalf("create with a generated password printed %q, %v", out, err)
	}
	if _, err := cmd("", "operators", "create", "--email", "viewer@example.com", "--role", "viewer"); err == nil {
		t.Fatal("a second operator with the same email")
	}
	list, err := cmd("", "operators", "list")
	if err != nil || !strings.Contains(list, "owner@example.com") || !strings.Contains(list, "viewer") || strings.Contains(list, generated) || strings.Contains(list, "argon2") {
		t.Fatalf("list:\n%s %v", list, err)
	}

	a := apptest.Start(t, func(c *config.Config) { c.DatabaseURL = db })
	signIn := func(email, pw string) int {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(a.URL() + "/console/login")
		if err != nil {
			t.Fatal(err)
		}
		var page bytes.Buffer
		page.ReadFrom(resp.Body)
		resp.Body.Close()
		token := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page.String())[1]
		resp, err = c.PostForm(a.URL()+"/console/login", url.Values{"csrf": {token}, "email": {email}, "password": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := signIn("owner@example.com", "correct horse battery staple"); s != http.StatusSeeOther {
		t.Fatalf("owner signs in: %d", s)
	}
	if s := signIn("viewer@example.com", generated); s != http.StatusSeeOther {
		t.Fatalf("viewer signs in with the printed password: %d", s)
	}
	if _, err := cmd("", "operators", "disable", "--email", "viewer@example.com"); err != nil {
		t.Fatal(err)
	}
	if s := signIn("viewer@example.com", generated); s != http.StatusUnauthorized {
		t.Fatalf("disabled viewer: %d", s)
	}
	if _, err := cmd("", "operators", "enable", "--email", "viewer@example.com"); err != nil {
		t.Fatal(err)
	}
	if out, err := cmd("another good password\n", "operators", "password", "--email", "viewer@example.com", "--password-stdin"); err != nil || out != "" {
		t.Fatalf("password: %q %v", out, err)
	}
	if s := signIn("viewer@example.com", "another good password"); s != http.StatusSeeOther {
		t.Fatalf("viewer with the new password: %d", s)
	}
}
