package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

// doIdem is do with an Idempotency-Key.
func doIdem(t *testing.T, a *apptest.App, method, path, key, body string) (int, []byte, string) {
	t.Helper()
	req, _ := http.NewRequest(method, a.URL()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+a.Key)
	req.Header.Set("Idempotency-Key", key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header.Get("Idempotent-Replayed")
}

// rawFiles reads the bytes of a SQLite database and its WAL and shared
// memory files, as anyone with a copy of the disk could.
func rawFiles(t *testing.T, dbPath string) []byte {
	t.Helper()
	var all []byte
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(dbPath + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// assertNotInFile fails if any form of a webhook secret is in the raw bytes.
func assertNotInFile(t *testing.T, raw []byte, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		body := strings.TrimPrefix(s, "whsec_")
		key, _ := base64.StdEncoding.DecodeString(body)
		for _, form := range [][]byte{[]byte(s), []byte(body), key} {
			if len(form) > 0 && bytes.Contains(raw, form) {
				t.Fatalf("the database file holds the webhook secret %.12s… in plain text", s)
			}
		}
	}
}

// Ensure no webhook endpoint secret can be read from the database file:
// the endpoint's secret, the previous one after a rotation, and the
// idempotency replays of the answers that showed them are all sealed, and
// a replay still gives the merchant the secret.
func TestSecrets_NotReadableInDatabaseFile(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "pb.db")
	a := apptest.Start(t, func(c *config.Config) {
		c.DatabaseURL = "sqlite:" + dbPath
		c.WebhookAllowPrivate = true
	})
	st, created, _ := doIdem(t, a, "POST", "/v1/webhook_endpoints", "create-ep-1", `{"url":"https://shop.example/hooks"}`)
	ep := decode[struct{ ID, Secret string }](t, created)
	if st != http.StatusCreated || !strings.HasPrefix(ep.Secret, "whsec_") {
		t.Fatalf("create: %d %s", st, created)
	}
	st, rotated, _ := doIdem(t, a, "POST", "/v1/webhook_endpoints/"+ep.ID+"/rotate_secret", "rotate-ep-1", "")
	rot := decode[struct{ Secret string }](t, rotated)
	if st != http.StatusOK || rot.Secret == ep.Secret {
		t.Fatalf("rotate: %d %s", st, rotated)
	}
	// Replays are still useful: byte for byte the first answer, secret included.
	if _, b, replayed := doIdem(t, a, "POST", "/v1/webhook_endpoints", "create-ep-1", `{"url":"https://shop.example/hooks"}`); replayed != "true" || !bytes.Equal(b, created) {
		t.Fatalf("replay of the creation: %q %s", replayed, b)
	}
	if _, b, replayed := doIdem(t, a, "POST", "/v1/webhook_endpoints/"+ep.ID+"/rotate_secret", "rotate-ep-1", ""); replayed != "true" || !bytes.Equal(b, rotated) {
		t.Fatalf("replay of the rotation: %q %s", replayed, b)
	}
	assertNotInFile(t, rawFiles(t, dbPath), ep.Secret, rot.Secret)

	// The key file generated beside the database is the owner's alone.
	fi, err := os.Stat(a.SecretKeyFile)
	if err != nil || fi.Mode().Perm() != 0o600 || filepath.Dir(a.SecretKeyFile) != filepath.Dir(dbPath) {
		t.Fatalf("key file %s: %v %v", a.SecretKeyFile, fi.Mode(), err)
	}
}

// Ensure rows written before encryption at rest are sealed when paybridge
// starts: the plain secret and a plain replay vanish from the file, and the
// endpoint keeps signing with the same secret.
func TestSecrets_ExistingRowsSealedOnStart(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "old.db")
	old, err := store.Open(ctx, "sqlite:"+dbPath, store.Options{}) // a store without a key: as before
	if err != nil {
		t.Fatal(err)
	}
	const secret = "whsec_T2xkUGxhaW5TZWNyZXRPbGRQbGFpblNlY3JldDEyMzQ="
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer rc.Close()
	got := make(chan hookRequest, 4)
	rc.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- hookRequest{r.Header.Clone(), b}
	})
	if err := old.CreateWebhookEndpoint(ctx, &payment.WebhookEndpoint{ID: "we_old", MerchantID: payment.DefaultMerchantID,
		URL: rc.URL, EnabledEvents: []string{"*"}, Secret: secret}); err != nil {
		t.Fatal(err)
	}
	rec, _, err := old.BeginIdempotent(ctx, payment.DefaultMerchantID, "k-old", "fp", time.Now(), time.Minute, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := old.FinishIdempotent(ctx, payment.DefaultMerchantID, "k-old", rec.Token, 201, "application/json",
		[]byte(`{"id":"we_old","secret":"`+secret+`"}`), time.Now()); err != nil {
		t.Fatal(err)
	}
	old.Close()
	if !bytes.Contains(rawFiles(t, dbPath), []byte(secret)) {
		t.Fatal("setup: the old database does not hold the secret in plain text")
	}

	var logs apptest.LogBuffer
	a := apptest.StartLogged(t, &logs, func(c *config.Config) {
		c.DatabaseURL = "sqlite:" + dbPath
		c.WebhookAllowPrivate = true
	})
	if !strings.Contains(logs.String(), "encrypted the secrets an older paybridge stored in plain text") {
		t.Error("no log line about the sealed rows")
	}
	assertNotInFile(t, rawFiles(t, dbPath), secret)

	mustPaid(t, a, "o-sealed", 1000)
	select {
	case r := <-got:
		verifyStandardWebhook(t, r, secret)
	case <-time.After(15 * time.Second):
		t.Fatal("no webhook")
	}
	rec, began, err := a.Store.BeginIdempotent(ctx, payment.DefaultMerchantID, "k-old", "fp", time.Now(), time.Minute, 24*time.Hour)
	if err != nil || began || !strings.Contains(string(rec.ResponseBody), secret) {
		t.Fatalf("the old replay after sealing: began %v, %s, %v", began, rec.ResponseBody, err)
	}
}
