package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
)

// apiEnv is the environment of the API commands against a.
func apiEnv(a *apptest.App) func(string) string {
	return func(k string) string {
		return map[string]string{"PAYBRIDGE_URL": a.URL(), "PAYBRIDGE_API_KEY": a.Key}[k]
	}
}

// cli runs a command and returns stdout, stderr and the error.
func cli(getenv func(string) string, args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, getenv, &out, &errOut)
	return out.String(), errOut.String(), err
}

func mustCLI(t *testing.T, getenv func(string) string, args ...string) map[string]any {
	t.Helper()
	out, errOut, err := cli(getenv, args...)
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, errOut)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil || !strings.Contains(out, "\n  \"") {
		t.Fatalf("%v: output is not pretty JSON (%v):\n%s", args, err, out)
	}
	return v
}

// approveInSandbox plays the buyer: approve at the sandbox, then follow the
// return to paybridge, which approves the payment.
func approveInSandbox(t *testing.T, a *apptest.App, redirectURL string) {
	t.Helper()
	loop := func(u string) string { return strings.Replace(u, a.Config.PublicURL, a.URL(), 1) }
	resp, err := a.Client.PostForm(loop(redirectURL), url.Values{"action": {"approve"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sandbox approve: %d", resp.StatusCode)
	}
	resp, err = a.Client.Get(loop(resp.Header.Get("Location")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestRun_Payments(t *testing.T) {
	a := apptest.Start(t)
	env := apiEnv(a)

	p := mustCLI(t, env, "payments", "create", "--provider", "kakaopay", "--order-id", "cli-1", "--order-name", "Americano",
		"--amount", "9000", "--quantity", "2", "--customer-id", "cust-9", "--idempotency-key", "cli-key-1")
	id, _ := p["id"].(string)
	if !strings.HasPrefix(id, "pay_") || p["status"] != "ready" || p["amount"] != 9000.0 || p["redirect_url"] == "" {
		t.Fatalf("created: %v", p)
	}
	// The same key again: the same payment, not a duplicate order error.
	if again := mustCLI(t, env, "payments", "create", "--provider", "kakaopay", "--order-id", "cli-1", "--order-name", "Americano",
		"--amount", "9000", "--quantity", "2", "--customer-id", "cust-9", "--idempotency-key", "cli-key-1"); again["id"] != id {
		t.Fatalf("replay: %v", again["id"])
	}

	approveInSandbox(t, a, p["redirect_url"].(string))
	if got := mustCLI(t, env, "payments", "get", id); got["status"] != "paid" || got["cancelable_amount"] != 9000.0 {
		t.Fatalf("get after approve: %v", got)
	}

	// The id before the flags, as the usage shows it.
	c := mustCLI(t, env, "payments", "cancel", id, "--amount", "4000", "--reason", "one cup returned")
	if c["status"] != "partially_canceled" || c["canceled_amount"] != 4000.0 || len(c["cancellations"].([]any)) != 1 {
		t.Fatalf("cancel: %v", c)
	}

	// Two more payments, so --all has pages to follow.
	for _, o := range []string{"cli-2", "cli-3"} {
		mustCLI(t, env, "payments", "create", "--order-id", o, "--order-name", "Latte", "--amount", "5000", "--customer-id", "cust-9")
	}
	l := mustCLI(t, env, "payments", "list", "--status", "partially_canceled,paid")
	if data := l["data"].([]any); len(data) != 1 || data[0].(map[string]any)["id"] != id || l["has_more"] != false {
		t.Fatalf("list by status: %v", l)
	}
	l = mustCLI(t, env, "payments", "list", "--limit", "1")
	if len(l["data"].([]any)) != 1 || l["has_more"] != true {
		t.Fatalf("list --limit 1: %v", l)
	}
	l = mustCLI(t, env, "payments", "list", "--limit", "1", "--all")
	data := l["data"].([]any)
	if len(data) != 3 || data[2].(map[string]any)["id"] != id || l["has_more"] != false {
		t.Fatalf("list --all: %v", l)
	}

	// A server error: its message and request id only, nothing on stdout.
	out, errOut, err := cli(env, "payments", "get", "pay_nope")
	if err == nil || out != "" || !strings.Contains(err.Error(), "not found") || !strings.Contains(err.Error(), "(request req_") ||
		strings.Contains(err.Error(), a.Key) || strings.Contains(errOut, a.Key) {
		t.Fatalf("get unknown: err=%v out=%q stderr=%q", err, out, errOut)
	}
	_, _, err = cli(env, "payments", "cancel", id, "--amount", "999999", "--reason", "too much")
	if err == nil || strings.HasPrefix(err.Error(), "paybridge") || !strings.Contains(err.Error(), "(request req_") {
		t.Fatalf("over-refund: %v", err)
	}
	// Flags can name the server and key instead of the environment.
	none := func(string) string { return "" }
	if got := mustCLI(t, none, "payments", "get", "--url", a.URL(), "--api-key", a.Key, id); got["id"] != id {
		t.Fatalf("with flags: %v", got)
	}
	if _, _, err := cli(env, "payments", "get", "--api-key", "sk_test_wrong", id); err == nil || !strings.Contains(err.Error(), "not valid") {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestRun_APICommandsUsage(t *testing.T) {
	none := func(string) string { return "" }
	if _, _, err := cli(none, "payments", "get", "pay_1"); err == nil || !strings.Contains(err.Error(), "PAYBRIDGE_API_KEY") {
		t.Fatalf("missing key: %v", err)
	}
	for _, args := range [][]string{
		{"payments", "get"}, {"payments", "cancel", "pay_1"}, {"payments", "create", "--order-id", "x"},
		{"payments", "frob"}, {"payments"}, {"events", "get"}, {"webhooks", "create"}, {"webhooks", "delete"},
	} {
		if _, _, err := cli(none, args...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	for _, args := range [][]string{
		{"payments", "create", "-h"}, {"payments", "get", "-h"}, {"payments", "list", "-h"}, {"payments", "cancel", "-h"},
		{"events", "list", "-h"}, {"events", "get", "-h"}, {"events", "resend", "-h"},
		{"webhooks", "create", "-h"}, {"webhooks", "list", "-h"}, {"webhooks", "delete", "-h"}, {"webhooks", "rotate", "-h"},
	} {
		_, errOut, err := cli(none, args...)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errOut, "Usage: paybridge "+args[0]+" "+args[1]) || !strings.Contains(errOut, "-api-key") {
			t.Errorf("%v: err = %v, usage = %q", args, err, errOut)
		}
	}
	for _, g := range []string{"payments", "events", "webhooks"} {
		out, _, err := cli(none, g, "-h")
		if err != nil || !strings.Contains(out, "paybridge "+g+" ") {
			t.Errorf("%s -h: %v %q", g, err, out)
		}
	}
	if out, _, _ := cli(none, "help"); !strings.Contains(out, "payments") || !strings.Contains(out, "webhooks") {
		t.Errorf("help misses the API commands:\n%s", out)
	}
}

func TestRun_WebhooksAndEvents(t *testing.T) {
	a := apptest.Start(t)
	env := apiEnv(a)
	// --url is the server here too; the endpoint has its own flag.
	if _, _, err := cli(env, "webhooks", "create", "--events", "payment.paid"); err == nil || !strings.Contains(err.Error(), "--endpoint-url is required") {
		t.Fatalf("create without --endpoint-url: %v", err)
	}
	keyOnly := func(k string) string {
		if k == "PAYBRIDGE_URL" {
			return ""
		}
		return env(k)
	}
	we := mustCLI(t, keyOnly, "webhooks", "create", "--url", a.URL(), "--endpoint-url", "https://shop.example/hooks", "--events", "payment.paid, payment.canceled")
	id, _ := we["id"].(string)
	secret, _ := we["secret"].(string)
	if id == "" || secret == "" || len(we["enabled_events"].([]any)) != 2 {
		t.Fatalf("create: %v", we)
	}
	l := mustCLI(t, env, "webhooks", "list")
	if data := l["data"].([]any); len(data) != 1 || data[0].(map[string]any)["secret"] != nil {
		t.Fatalf("list: %v", l)
	}
	if r := mustCLI(t, env, "webhooks", "rotate", id); r["secret"] == secret || r["secret"] == nil {
		t.Fatalf("rotate: %v", r)
	}
	if d := mustCLI(t, env, "webhooks", "delete", id); d["deleted"] != true {
		t.Fatalf("delete: %v", d)
	}
	if _, _, err := cli(env, "webhooks", "delete", id); err == nil || !strings.Contains(err.Error(), "(request req_") {
		t.Fatalf("delete twice: %v", err)
	}
	if ev := mustCLI(t, env, "events", "list", "--limit", "5"); ev["object"] != "list" {
		t.Fatalf("events list: %v", ev)
	}
	if ev := mustCLI(t, env, "events", "list", "--all"); ev["object"] != "list" {
		t.Fatalf("events list --all: %v", ev)
	}
	if _, _, err := cli(env, "events", "get", "evt_nope"); err == nil || !strings.Contains(err.Error(), "(request req_") {
		t.Fatalf("events get unknown: %v", err)
	}
	if _, _, err := cli(env, "events", "resend", "evt_nope", "--endpoint", id); err == nil {
		t.Fatal("resend of an unknown event accepted")
	}
}
