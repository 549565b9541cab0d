package providertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/provider/iamport"
	"github.com/paybridge/paybridge/internal/provider/kakaopay"
	"github.com/paybridge/paybridge/internal/provider/portone"
	"github.com/paybridge/paybridge/internal/provider/toss"
)

// TestAdapterConfig_NeverPrintsKeys: an adapter's Config holds the
// provider's keys in exported fields, like its Settings, so every way a
// Config can be printed, logged or encoded (alone or inside another value)
// masks them and still shows what is not secret.
func TestAdapterConfig_NeverPrintsKeys(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     any
		secrets []string
		visible string
	}{
		{"kakaopay", kakaopay.Config{SecretKey: "DEVLEAK1", AdminKey: "LEAK2", CID: "TC0ONETIME", HTTPClient: http.DefaultClient},
			[]string{"LEAK1", "LEAK2"}, "CID:TC0ONETIME"},
		{"iamport", iamport.Config{APIKey: "LEAK1", APISecret: "LEAK2", BaseURL: "http://127.0.0.1:1"},
			[]string{"LEAK1", "LEAK2"}, "BaseURL:http://127.0.0.1:1"},
		{"portone", portone.Config{APISecret: "LEAK1", StoreID: "store-1", WebhookSecrets: []string{"whsec_LEAK2"}},
			[]string{"LEAK1", "LEAK2"}, "StoreID:store-1"},
		{"toss", toss.Config{SecretKey: "test_sk_LEAK1", ClientKey: "test_ck_public"},
			[]string{"LEAK1"}, "ClientKey:test_ck_public"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			holder := struct{ Config any }{tc.cfg}
			var text, jsonLog bytes.Buffer
			slog.New(slog.NewTextHandler(&text, nil)).Info("config", "c", tc.cfg)
			slog.New(slog.NewJSONHandler(&jsonLog, nil)).Info("config", "c", tc.cfg, "held", holder, "list", []any{tc.cfg})
			encoded, err := json.Marshal(holder)
			if err != nil {
				t.Fatal(err)
			}
			for how, out := range map[string]string{
				"%v": fmt.Sprintf("%v", tc.cfg), "%+v": fmt.Sprintf("%+v", tc.cfg), "%#v": fmt.Sprintf("%#v", tc.cfg),
				"%+v of a holder": fmt.Sprintf("%+v", holder), "slog text": text.String(), "slog JSON": jsonLog.String(),
				"encoding/json of a holder": string(encoded),
			} {
				for _, secret := range tc.secrets {
					if strings.Contains(out, secret) {
						t.Errorf("%s shows a key: %s", how, out)
					}
				}
				if !strings.Contains(out, tc.visible) || !strings.Contains(out, "(set)") {
					t.Errorf("%s hides what may be shown (want %q and a (set) key): %s", how, tc.visible, out)
				}
			}
		})
	}
}
