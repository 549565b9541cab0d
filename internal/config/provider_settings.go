package config

import (
	"fmt"
	"maps"

	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/provider/registry"
)

// providerSettings maps a provider's name to its settings value (the type
// its registration declares, e.g. kakaopay.Settings). It is never written
// in place: SetProviderSettings replaces the map, so a Config copied by
// value (config.Defaults is copied by every test) keeps its own settings.
// The settings values are copied shallowly: a slice field (PortOne's
// WebhookSecrets) is shared between copies, so replace it, never write
// into it.
type providerSettings map[string]any

func defaultProviderSettings() providerSettings {
	m := providerSettings{}
	for _, r := range registry.All() {
		m[r.Name] = r.Config.Default
	}
	return m
}

// ProviderSettings returns the settings of the provider name: a value of
// the type its registration declares, its defaults if never set.
func (c Config) ProviderSettings(name string) any {
	if s, ok := c.providers[name]; ok {
		return s
	}
	if r, ok := registry.Lookup(name); ok {
		return r.Config.Default
	}
	return nil
}

// SetProviderSettings replaces the settings of the provider name.
func (c *Config) SetProviderSettings(name string, s any) {
	m := maps.Clone(c.providers)
	if m == nil {
		m = providerSettings{}
	}
	m[name] = s
	c.providers = m
}

// Get returns the settings of the registered provider whose settings are
// of type S: config.Get[kakaopay.Settings](c).
func Get[S any](c Config) S {
	name := providerOf[S]()
	return c.ProviderSettings(name).(S)
}

// Put sets the settings of the registered provider whose settings are of
// type S.
func Put[S any](c *Config, s S) { c.SetProviderSettings(providerOf[S](), s) }

// Edit changes the settings of the registered provider whose settings are
// of type S: config.Edit(c, func(k *kakaopay.Settings) { k.CID = "…" }).
func Edit[S any](c *Config, f func(*S)) {
	s := Get[S](*c)
	f(&s)
	Put(c, s)
}

// providerOf names the registered provider whose settings are of type S.
func providerOf[S any]() string {
	for _, r := range registry.All() {
		if _, ok := r.Config.Default.(S); ok {
			return r.Name
		}
	}
	var zero S
	panic(fmt.Sprintf("config: no registered provider has settings of type %T", zero))
}

// providerSetting is a provider's setting as one of the Settings.
func providerSetting(r *provider.Registration, ps provider.Setting) Setting {
	return Setting{Env: ps.Env, Help: ps.Help, Secret: ps.Secret, Bool: ps.Bool,
		get: func(c *Config) string { return ps.Get(c.ProviderSettings(r.Name)) },
		set: func(c *Config, v string) error {
			s, err := ps.Set(c.ProviderSettings(r.Name), v)
			if err != nil {
				return err
			}
			c.SetProviderSettings(r.Name, s)
			return nil
		}}
}

// providerSettingsTable is every registered provider's settings, in offer
// order.
func providerSettingsTable() []Setting {
	var out []Setting
	for _, r := range registry.All() {
		for _, ps := range r.Config.Settings {
			out = append(out, providerSetting(r, ps))
		}
	}
	return out
}
