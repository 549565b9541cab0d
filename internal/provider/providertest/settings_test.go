package providertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/provider/registry"
)

// withSecrets is r's default settings with every setting filled: each
// secret one with a value of its own that a test can search for, the others
// with a plain value. It returns the settings and the secrets.
func withSecrets(t *testing.T, r *provider.Registration) (any, []string) {
	t.Helper()
	s := r.Config.Default
	var secrets []string
	for i, ps := range r.Config.Settings {
		v := fmt.Sprintf("visible%d", i)
		switch {
		case ps.Bool:
			v = "true"
		case ps.Secret:
			v = fmt.Sprintf("SECRET%d-%s-LEAK", i, r.Name)
			secrets = append(secrets, v)
		}
		var err error
		if s, err = ps.Set(s, v); err != nil {
			t.Fatalf("%s: %v", ps.Env, err)
		}
	}
	if len(secrets) == 0 {
		t.Fatalf("%s has no secret setting", r.Name)
	}
	return s, secrets
}

// TestSettings_NeverPrintSecrets: a provider's settings hold its secrets in
// exported fields, so fmt and encoding/json would print them; every
// rendering an operator or a log can see shows them masked, and still shows
// the settings that are not secret. One table over the registry, so a
// provider added later is held to it too.
func TestSettings_NeverPrintSecrets(t *testing.T) {
	for _, r := range registry.All() {
		t.Run(r.Name, func(t *testing.T) {
			s, secrets := withSecrets(t, r)
			holder := struct{ Settings any }{s}
			var text, jsonLog, jsonHeld bytes.Buffer
			slog.New(slog.NewTextHandler(&text, nil)).Info("settings", "s", s)
			slog.New(slog.NewJSONHandler(&jsonLog, nil)).Info("settings", "s", s)
			slog.New(slog.NewJSONHandler(&jsonHeld, nil)).Info("settings", "held", holder, "list", []any{s})
			encoded, err := json.Marshal(holder)
			if err != nil {
				t.Fatal(err)
			}
			renderings := map[string]string{
				"%v":                                fmt.Sprintf("%v", s),
				"%+v":                               fmt.Sprintf("%+v", s),
				"%#v":                               fmt.Sprintf("%#v", s),
				"%+v of a holder":                   fmt.Sprintf("%+v", holder),
				"slog text":                         text.String(),
				"slog JSON":                         jsonLog.String(),
				"slog JSON of a holder and a slice": jsonHeld.String(),
				"encoding/json of a holder":         string(encoded),
			}
			for how, out := range renderings {
				for _, secret := range secrets {
					if strings.Contains(out, secret) {
						t.Errorf("%s shows a secret: %s", how, out)
					}
				}
				if !strings.Contains(out, "visible") || !strings.Contains(out, "(set)") {
					t.Errorf("%s hides what may be shown: %s", how, out)
				}
			}
		})
	}
}
