// dropin.go: the drop-in API's price list (PAYBRIDGE_DROPIN_PRICES) and its
// live-mode rule, kept apart from the settings table's other entries.

package config

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paybridge/paybridge/internal/payment"
)

// maxProductName is the longest product name a price list may hold: the
// drop-in's product becomes the payment's order_name, which takes 100.
const maxProductName = 100

// ParseDropInPrices reads a drop-in price list, "Latte=5000,Tea=4000":
// product names (trimmed, unique, without "," or "=") and their unit price
// in whole won, 1 to payment.MaxAmount. An empty list is nil.
func ParseDropInPrices(v string) (map[string]int64, error) {
	var prices map[string]int64
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, price, ok := strings.Cut(item, "=")
		name, price = strings.TrimSpace(name), strings.TrimSpace(price)
		if !ok || name == "" || strings.Contains(price, "=") {
			return nil, fmt.Errorf("want product=price pairs separated by commas, like Latte=5000,Tea=4000; got %q", item)
		}
		if utf8.RuneCountInString(name) > maxProductName {
			return nil, fmt.Errorf("product name %q is longer than %d characters", name, maxProductName)
		}
		n, err := strconv.ParseInt(price, 10, 64)
		if err != nil || n < 1 || n > payment.MaxAmount {
			return nil, fmt.Errorf("the price of %q must be a whole number of won from 1 to %d, got %q", name, payment.MaxAmount, price)
		}
		if _, dup := prices[name]; dup {
			return nil, fmt.Errorf("product %q is listed twice", name)
		}
		if prices == nil {
			prices = map[string]int64{}
		}
		prices[name] = n
	}
	return prices, nil
}

// FormatDropInPrices prints a price list as ParseDropInPrices reads it,
// sorted by product.
func FormatDropInPrices(prices map[string]int64) string {
	names := make([]string, 0, len(prices))
	for name := range prices {
		names = append(names, name)
	}
	slices.Sort(names)
	for i, name := range names {
		names[i] = name + "=" + strconv.FormatInt(prices[name], 10)
	}
	return strings.Join(names, ",")
}

// dropInPrices is the PAYBRIDGE_DROPIN_PRICES entry of Settings. Its check
// is the live-mode rule: without a price list the buyer's browser sends
// the price /ready charges, so anyone could buy anything for 1 won; live
// mode refuses to mount the drop-in that way.
func dropInPrices() Setting {
	return Setting{Env: "PAYBRIDGE_DROPIN_PRICES",
		Help: "the drop-in's products and unit prices in won, like Latte=5000,Tea=4000: /ready charges these, never the browser's price (required in live mode with the drop-in on)",
		get:  func(c *Config) string { return FormatDropInPrices(c.DropInPrices) },
		set: func(c *Config, v string) error {
			prices, err := ParseDropInPrices(v)
			if err == nil {
				c.DropInPrices = prices
			}
			return err
		},
		check: func(c *Config) error {
			if c.Live() && c.DropInEnabled() && len(c.DropInPrices) == 0 {
				return errors.New("required in live mode while the drop-in API is on (PAYBRIDGE_DROPIN=1): without it the buyer's browser sets the price /ready charges")
			}
			return nil
		}}
}

// dropInWarnings: in test mode the drop-in may run without a price list
// (the original sample's pages send any price), but an operator should
// know that its /ready then charges whatever the browser asks.
func (c Config) dropInWarnings() []string {
	if c.Live() || !c.DropInEnabled() || len(c.DropInPrices) > 0 {
		return nil
	}
	return []string{"the drop-in API has no price list (PAYBRIDGE_DROPIN_PRICES): its /ready charges the price the browser sends; set one before relying on it"}
}
