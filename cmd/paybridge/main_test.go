package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/httpapi"
	"github.com/paybridge/paybridge/internal/store"
)

func TestRun_KeysCreate(t *testing.T) {
	db, getenv := tempDatabase(t)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"keys", "create", "--name", "shop"}, getenv, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	key := strings.TrimSuffix(out.String(), "\n")
	if !strings.HasPrefix(key, "sk_test_") || strings.ContainsAny(key, " \n") || len(key) != len("sk_test_")+32 {
		t.Fatalf("stdout = %q, want the key alone", out.String())
	}
	// The database did not exist: stderr names the file created.
	if path := strings.TrimPrefix(db, "sqlite:"); !strings.Contains(errOut.String(), "created a new database "+path) {
		t.Errorf("stderr = %q, want it to name %s", errOut.String(), path)
	}
	out.Reset()
	errOut.Reset()
	if err := run(context.Background(), []string{"keys", "create"}, getenv, &out, &errOut); err != nil || errOut.Len() != 0 {
		t.Errorf("second keys create: %v, stderr %q (the database exists now)", err, errOut.String())
	}
	// Only the hash is stored, and it finds the key's merchant.
	s, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	k, err := s.FindAPIKeyByHash(context.Background(), httpapi.HashKey(key))
	if err != nil || k.Name != "shop" || k.Hash == key || strings.Contains(k.Prefix, key[12:]) {
		t.Fatalf("stored key = %+v, %v", k, err)
	}
}

func TestRun_Commands(t *testing.T) {
	getenv := func(string) string { return "" }
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"version"}, getenv, &out, &errOut); err != nil ||
		!strings.HasPrefix(out.String(), "paybridge ") || !strings.Contains(out.String(), "commit ") {
		t.Fatalf("version: %q, %v", out.String(), err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"help"}, getenv, &out, &errOut); err != nil || !strings.Contains(out.String(), "merchants") {
		t.Fatalf("help: %v", err)
	}
	// The help describes the program as it is: sandbox runs all four.
	if h := out.String(); !strings.Contains(h, "four provider sandboxes") || strings.Contains(h, "KakaoPay sandbox alone") {
		t.Errorf("help describes sandbox wrongly:\n%s", h)
	}
	errOut.Reset()
	_ = run(context.Background(), []string{"sandbox", "-h"}, getenv, &out, &errOut)
	for _, want := range []string{"four", "-toss-addr", "-portone-addr", "-iamport-addr", "-kakaopay-addr"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("sandbox -h lacks %q:\n%s", want, errOut.String())
		}
	}
	if strings.Contains(errOut.String(), "as before") {
		t.Errorf("sandbox -h still says \"as before\"")
	}
	out.Reset()
	if err := run(context.Background(), []string{"frobnicate"}, getenv, &out, &errOut); err == nil {
		t.Fatal("unknown command accepted")
	}
	if err := run(context.Background(), nil, getenv, &out, &errOut); err == nil {
		t.Fatal("no command accepted")
	}
	for _, cmd := range [][]string{{"serve", "-h"}, {"sandbox", "-h"}, {"migrate", "-h"}, {"keys", "create", "-h"}, {"db", "copy", "-h"}, {"bench", "-h"}} {
		errOut.Reset()
		if err := run(context.Background(), cmd, getenv, &out, &errOut); !errors.Is(err, flag.ErrHelp) || !strings.Contains(errOut.String(), "Usage: paybridge") {
			t.Errorf("%v: err = %v, usage = %q", cmd, err, errOut.String())
		}
	}
}

func TestRun_Migrate(t *testing.T) {
	_, getenv := tempDatabase(t)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"migrate"}, getenv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "applied 0001_init.sql") {
		t.Fatalf("migrate output = %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"migrate"}, getenv, &out, &errOut); err != nil || strings.Contains(out.String(), "applied") {
		t.Fatalf("second migrate: %q, %v", out.String(), err)
	}
}

func TestRun_ServeRejectsBadConfig(t *testing.T) {
	getenv := func(k string) string {
		return map[string]string{"PAYBRIDGE_KAKAOPAY_CID": "BAD", "PAYBRIDGE_ADDR": "127.0.0.1:0"}[k]
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"serve"}, getenv, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "PAYBRIDGE_KAKAOPAY_CID") {
		t.Fatalf("err = %v", err)
	}
}

// Ensure serve stops cleanly when its context ends (what SIGTERM does).
func TestRun_ServeShutsDownGracefully(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string {
		return map[string]string{"PAYBRIDGE_ADDR": "127.0.0.1:0", "PAYBRIDGE_DATABASE_URL": "sqlite:" + filepath.Join(dir, "pb.db")}[k]
	}
	ctx, cancel := context.WithCancel(context.Background())
	var errOut apptest.LogBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, &bytes.Buffer{}, &errOut) }()
	for i := 0; !strings.Contains(errOut.String(), "paybridge listening"); i++ {
		if i > 500 {
			t.Fatalf("serve did not start: %s", errOut.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(errOut.String(), "shutting down") || !strings.Contains(errOut.String(), "SANDBOX MODE") {
		t.Fatalf("log = %s", errOut.String())
	}
}
