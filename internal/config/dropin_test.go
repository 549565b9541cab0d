package config_test

import (
	"flag"
	"io"
	"maps"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/secretbox"
)

func TestParseDropInPrices(t *testing.T) {
	good := map[string]map[string]int64{
		"":                             nil,
		" , ":                          nil,
		"Latte=5000":                   {"Latte": 5000},
		" Latte = 5000 , Tea=4000, ":   {"Latte": 5000, "Tea": 4000},
		"카페 라테=5500,Hot Tea=100000000": {"카페 라테": 5500, "Hot Tea": 100_000_000},
	}
	for in, want := range good {
		got, err := config.ParseDropInPrices(in)
		if err != nil || !maps.Equal(got, want) {
			t.Errorf("ParseDropInPrices(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"Latte", "Latte=", "=5000", "Latte=0", "Latte=-1", "Latte=1.5", "Latte=5,000",
		"Latte=100000001", "Latte=5000,Latte=4000", "A=B=1", "Latte=5000=1", strings.Repeat("x", 101) + "=1"} {
		if got, err := config.ParseDropInPrices(in); err == nil {
			t.Errorf("ParseDropInPrices(%q) = %v, want an error", in, got)
		}
	}
	if got := config.FormatDropInPrices(map[string]int64{"Tea": 4000, "Latte": 5000}); got != "Latte=5000,Tea=4000" {
		t.Errorf("FormatDropInPrices = %q", got)
	}
}

// Ensure PAYBRIDGE_DROPIN_PRICES comes from the environment and from
// serve's flag, and paybridge config prints it.
func TestDropInPrices_EnvFlagAndPrint(t *testing.T) {
	c := mustValid(t, map[string]string{"PAYBRIDGE_DROPIN_PRICES": "Tea=4000,Latte=5000"})
	if !maps.Equal(c.DropInPrices, map[string]int64{"Latte": 5000, "Tea": 4000}) {
		t.Fatalf("DropInPrices = %v", c.DropInPrices)
	}
	var b strings.Builder
	c.Print(&b)
	if !strings.Contains(b.String(), "Latte=5000,Tea=4000") {
		t.Fatalf("paybridge config does not show the price list:\n%s", b.String())
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	config.RegisterFlags(fs, &c)
	if err := fs.Parse([]string{"-dropin-prices", "Americano=4500"}); err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(c.DropInPrices, map[string]int64{"Americano": 4500}) {
		t.Fatalf("after the flag, DropInPrices = %v", c.DropInPrices)
	}
	if err := fs.Parse([]string{"-dropin-prices", "Americano=free"}); err == nil {
		t.Fatal("a bad price list flag accepted")
	}
	if _, err := config.FromEnv(env(map[string]string{"PAYBRIDGE_DROPIN_PRICES": "Latte=0"})); err == nil ||
		!strings.Contains(err.Error(), "PAYBRIDGE_DROPIN_PRICES") {
		t.Fatalf("a bad price list: %v", err)
	}
}

// Ensure live mode refuses to start the drop-in without a price list (the
// browser would set the price), accepts it with one, and that test mode
// without one starts with a warning.
func TestDropInPrices_LiveModeNeedsThem(t *testing.T) {
	live := map[string]string{"PAYBRIDGE_MODE": "live", "PAYBRIDGE_PUBLIC_URL": "https://pay.example",
		"PAYBRIDGE_SECRET_KEY": secretbox.NewKeyText(), "PAYBRIDGE_TOSS_SECRET_KEY": "live_sk_x", "PAYBRIDGE_TOSS_CLIENT_KEY": "live_ck_x"}
	with := func(extra ...string) map[string]string {
		m := maps.Clone(live)
		for i := 0; i < len(extra); i += 2 {
			m[extra[i]] = extra[i+1]
		}
		return m
	}
	mustValid(t, live) // the drop-in is off by default in live mode

	c, err := config.FromEnv(env(with("PAYBRIDGE_DROPIN", "1")))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "PAYBRIDGE_DROPIN_PRICES: required in live mode") {
		t.Fatalf("live mode with the drop-in and no price list: Validate = %v", err)
	}
	c = mustValid(t, with("PAYBRIDGE_DROPIN", "1", "PAYBRIDGE_DROPIN_PRICES", "Latte=5000"))
	if w := strings.Join(c.Warnings(), "\n"); strings.Contains(w, "PAYBRIDGE_DROPIN_PRICES") {
		t.Fatalf("a warning about the price list although one is set: %s", w)
	}

	warned := func(c config.Config) bool {
		return strings.Contains(strings.Join(c.Warnings(), "\n"), "no price list (PAYBRIDGE_DROPIN_PRICES)")
	}
	if c := mustValid(t, nil); !warned(c) {
		t.Fatalf("test mode with the drop-in and no price list: warnings = %q", c.Warnings())
	}
	if c := mustValid(t, map[string]string{"PAYBRIDGE_DROPIN_PRICES": "Latte=5000"}); warned(c) {
		t.Fatalf("test mode with a price list warns: %q", c.Warnings())
	}
	if c := mustValid(t, map[string]string{"PAYBRIDGE_DROPIN": "0"}); warned(c) {
		t.Fatalf("test mode without the drop-in warns: %q", c.Warnings())
	}
}
