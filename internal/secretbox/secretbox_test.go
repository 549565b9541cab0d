package secretbox_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/secretbox"
)

func box(t *testing.T) *secretbox.Box {
	t.Helper()
	k, err := secretbox.ParseKey(secretbox.NewKeyText())
	if err != nil {
		t.Fatal(err)
	}
	b, err := secretbox.New(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpen(t *testing.T) {
	b := box(t)
	const secret = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ="
	s1, s2 := b.Seal(secret, "we_1"), b.Seal(secret, "we_1")
	if !secretbox.Sealed(s1) || strings.Contains(s1, "c2VjcmV0") || s1 == s2 {
		t.Fatalf("sealed %q %q: want opaque and a fresh nonce each time", s1, s2)
	}
	if got, err := b.Open(s1, "we_1"); err != nil || got != secret {
		t.Fatalf("open = %q, %v", got, err)
	}
	if _, err := b.Open(s1, "we_2"); err == nil {
		t.Fatal("a value sealed for one row opened for another")
	}
	if _, err := box(t).Open(s1, "we_1"); err == nil {
		t.Fatal("opened under another key")
	}
	tampered := s1[:len(s1)-2] + "AA"
	if _, err := b.Open(tampered, "we_1"); err == nil {
		t.Fatal("an altered value opened")
	}
	if _, err := b.Open(secret, "we_1"); err != secretbox.ErrNotSealed {
		t.Fatalf("plain value: %v", err)
	}
	if b.Seal("", "x") != "" {
		t.Fatal("the empty value is sealed")
	}
}

func TestParseKey(t *testing.T) {
	for _, k := range []string{strings.Repeat("0f", 32), secretbox.NewKeyText(), "  " + secretbox.NewKeyText() + "\n"} {
		if _, err := secretbox.ParseKey(k); err != nil {
			t.Errorf("%q: %v", k, err)
		}
	}
	for _, k := range []string{"", "short", strings.Repeat("0f", 31), "not base64 at all but forty-four chars long"} {
		if _, err := secretbox.ParseKey(k); err == nil || strings.Contains(err.Error(), k) && k != "" {
			t.Errorf("%q: %v", k, err)
		}
	}
}

func TestLoadOrCreateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db", "pb.db.secret-key")
	k1, created, err := secretbox.LoadOrCreateFile(path)
	if err != nil || !created || len(k1) != secretbox.KeySize {
		t.Fatalf("create: %v %v", created, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	k2, created, err := secretbox.LoadOrCreateFile(path)
	if err != nil || created || string(k1) != string(k2) {
		t.Fatalf("load: the key changed or was recreated (%v, %v)", created, err)
	}
	os.Chmod(path, 0o644)
	if _, _, err := secretbox.LoadOrCreateFile(path); err == nil {
		t.Fatal("a key file readable by others was accepted")
	}
}

// BenchmarkSealOpen prints what sealing costs per webhook secret or replay.
func BenchmarkSealOpen(b *testing.B) {
	k, _ := secretbox.ParseKey(secretbox.NewKeyText())
	bx, _ := secretbox.New(k)
	body := strings.Repeat("x", 1200) // a typical stored payment response
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		s := bx.Seal(body, "idempotency:mer_default\x00key")
		if _, err := bx.Open(s, "idempotency:mer_default\x00key"); err != nil {
			b.Fatal(err)
		}
	}
}
