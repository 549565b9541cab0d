package web

import (
	"maps"

	"github.com/paybridge/paybridge/internal/i18n"
	"github.com/paybridge/paybridge/internal/provider/registry"
)

// withProviderText adds, for every registered provider, its name
// ("prov_<name>": the demo shop's choice, the result page) and the name of
// its payment id ("id_<name>") in each language to c, so a new provider
// brings its own words.
func withProviderText(c i18n.Catalog) i18n.Catalog {
	out := i18n.Catalog{}
	for lang, m := range c {
		out[lang] = maps.Clone(m)
	}
	for _, r := range registry.All() {
		for lang, label := range r.Label {
			if out[lang] == nil {
				out[lang] = map[string]string{}
			}
			out[lang]["prov_"+r.Name] = label
		}
		for lang, label := range r.IDLabel {
			if out[lang] == nil {
				out[lang] = map[string]string{}
			}
			out[lang]["id_"+r.Name] = label
		}
	}
	return out
}
