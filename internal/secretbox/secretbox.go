// Package secretbox keeps secrets encrypted at rest: AES-256-GCM under one
// 32-byte key (PAYBRIDGE_SECRET_KEY), each value sealed with a fresh random
// nonce and bound to where it is stored (the additional data, e.g. a
// webhook endpoint's id), so a sealed value copied to another row does not
// open there. Sealed values are text, "pbenc:v1:" and base64, so they fit
// the TEXT columns of both engines and are recognisable at a glance.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Prefix starts every sealed value.
const Prefix = "pbenc:v1:"

// KeySize is the key length: AES-256.
const KeySize = 32

// Box seals and opens values under one key.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box for a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret key: want %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// ParseKey reads a key written as 64 hex digits or as standard or URL-safe
// base64 of 32 bytes (what NewKeyText prints). The error never quotes it.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == KeySize {
			return k, nil
		}
	}
	return nil, errors.New("want 32 random bytes written as 64 hex digits or as base64 (e.g. openssl rand -base64 32)")
}

// NewKeyText returns a fresh random key as base64.
func NewKeyText() string {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.StdEncoding.EncodeToString(k)
}

// Sealed reports whether s is a sealed value.
func Sealed(s string) bool { return strings.HasPrefix(s, Prefix) }

// Seal encrypts plain, bound to aad. The empty string stays empty: there is
// nothing to hide, and "no secret" must stay recognisable.
func (b *Box) Seal(plain, aad string) string {
	if plain == "" {
		return ""
	}
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	out := b.aead.Seal(nonce, nonce, []byte(plain), []byte(aad))
	return Prefix + base64.RawStdEncoding.EncodeToString(out)
}

// ErrNotSealed is returned by Open for a value that was never sealed.
var ErrNotSealed = errors.New("secretbox: value is not sealed")

// Open decrypts a sealed value bound to aad. It fails for a value sealed
// under another key or for another aad, or altered in any way.
func (b *Box) Open(sealed, aad string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	if !Sealed(sealed) {
		return "", ErrNotSealed
	}
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(sealed, Prefix))
	if err != nil || len(raw) < b.aead.NonceSize()+b.aead.Overhead() {
		return "", errors.New("secretbox: sealed value is malformed")
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(aad))
	if err != nil {
		return "", errors.New("secretbox: cannot open a sealed value: wrong PAYBRIDGE_SECRET_KEY, or the value was altered")
	}
	return string(plain), nil
}

// LoadOrCreateFile reads the key kept in path, or, when the file does not
// exist, generates one and writes it there with mode 0600 (created true).
// It refuses a key file that others may read.
func LoadOrCreateFile(path string) (key []byte, created bool, err error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if fi, serr := os.Stat(path); serr == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, false, fmt.Errorf("secret key file %s is readable by others (mode %v): chmod 600 it", path, fi.Mode().Perm())
		}
		k, perr := ParseKey(string(b))
		if perr != nil {
			return nil, false, fmt.Errorf("secret key file %s: %w", path, perr)
		}
		return k, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("secret key file: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("secret key file: %w", err)
	}
	text := NewKeyText()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // another process made it just now
			return LoadOrCreateFile(path)
		}
		return nil, false, fmt.Errorf("secret key file: %w", err)
	}
	if _, err := f.WriteString(text + "\n"); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("secret key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, false, fmt.Errorf("secret key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, false, fmt.Errorf("secret key file: %w", err)
	}
	k, _ := ParseKey(text)
	return k, true, nil
}
