package console

import (
	"strings"
	"testing"
)

// Ensure passwords are stored as argon2id PHC strings with a fresh salt,
// verify only with the right password, and that a damaged hash is an
// error rather than a match.
func TestPasswordHash(t *testing.T) {
	h1, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := HashPassword("correct horse battery staple")
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") || h1 == h2 {
		t.Fatalf("hashes %q and %q: want argon2id with a fresh salt each", h1, h2)
	}
	for pw, want := range map[string]bool{"correct horse battery staple": true, "correct horse battery stapl": false, "": false} {
		if ok, err := VerifyPassword(h1, pw); err != nil || ok != want {
			t.Errorf("verify %q = %v, %v; want %v", pw, ok, err, want)
		}
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=0,t=2,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=19456,t=2,p=1$!!$aGFzaA", strings.Replace(h1, "m=19456", "m=99999999", 1)} {
		if ok, err := VerifyPassword(bad, "x"); ok || err == nil {
			t.Errorf("malformed hash %q: ok %v, err %v", bad, ok, err)
		}
	}
	if err := CheckPassword("short"); err == nil {
		t.Error("a 5-character password was accepted")
	}
	if err := CheckPassword(strings.Repeat("x", MaxPasswordLen+1)); err == nil {
		t.Error("an over-long password was accepted")
	}
	if p := GeneratePassword(); CheckPassword(p) != nil {
		t.Errorf("a generated password %q is refused", p)
	}
}

// BenchmarkVerifyPassword prints what one sign-in's password check costs
// with the parameters in use.
func BenchmarkVerifyPassword(b *testing.B) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, _ := VerifyPassword(h, "correct horse battery staple"); !ok {
			b.Fatal("no match")
		}
	}
}
