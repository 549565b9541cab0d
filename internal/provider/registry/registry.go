// Package registry is the one list of the providers paybridge offers. The
// configuration, the app's wiring, the demo shop and checkout page, the
// webhook routes, the OpenAPI provider enum and "paybridge sandbox" all
// iterate over it: a new provider is its two packages
// (internal/provider/<name> with its register.go, internal/sandbox/<name>)
// and one line here.
package registry

import (
	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/provider/iamport"
	"github.com/paybridge/paybridge/internal/provider/kakaopay"
	"github.com/paybridge/paybridge/internal/provider/portone"
	"github.com/paybridge/paybridge/internal/provider/toss"
)

// all is the list, in the order paybridge offers the providers.
var all = []*provider.Registration{
	&kakaopay.Registration,
	&portone.Registration,
	&iamport.Registration,
	&toss.Registration,
}

// All returns the registrations in offer order. The slice is a copy; the
// registrations are shared and must not be changed.
func All() []*provider.Registration { return append([]*provider.Registration(nil), all...) }

// Names returns the providers' names in offer order.
func Names() []string {
	out := make([]string, len(all))
	for i, r := range all {
		out[i] = r.Name
	}
	return out
}

// Lookup returns the registration of the provider name.
func Lookup(name string) (*provider.Registration, bool) {
	for _, r := range all {
		if r.Name == name {
			return r, true
		}
	}
	return nil, false
}
