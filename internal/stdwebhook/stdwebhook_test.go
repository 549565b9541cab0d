package stdwebhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/stdwebhook"
)

// The example of the Standard Webhooks specification: secret, id, timestamp,
// body and the signature its reference libraries produce.
const (
	specSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTS     = 1614265330
	specBody   = `{"test": 2432232314}`
	specSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSign_MatchesSpecExample(t *testing.T) {
	got, err := stdwebhook.Sign(specSecret, specID, time.Unix(specTS, 0), []byte(specBody))
	if err != nil || got != specSig {
		t.Fatalf("Sign = %q, %v; want %q", got, err, specSig)
	}
}

// independentSign computes the signature from the specification's wording
// alone, not through the package.
func independentSign(secret []byte, id string, ts int64, body string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(id + "." + strconv.FormatInt(ts, 10) + "." + body))
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestVerify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	raw := make([]byte, 32)
	for i := range raw {
		raw[i] = byte(i)
	}
	secret := "whsec_" + base64.StdEncoding.EncodeToString(raw)
	other := stdwebhook.NewSecret()
	body := `{"type":"Transaction.Paid","data":{"paymentId":"pay_1"}}`
	headers := func(id string, ts int64, sig string) http.Header {
		h := http.Header{}
		h.Set("webhook-id", id)
		h.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
		h.Set("webhook-signature", sig)
		return h
	}
	good := independentSign(raw, "msg_1", now.Unix(), body)
	tests := []struct {
		name    string
		h       http.Header
		body    string
		secrets []string
		want    error
	}{
		{"Valid", headers("msg_1", now.Unix(), good), body, []string{secret}, nil},
		{"ValidWithoutPrefixedSecret", headers("msg_1", now.Unix(), good), body, []string{secret[len("whsec_"):]}, nil},
		{"BodyChangedByOneByte", headers("msg_1", now.Unix(), good), body[:len(body)-2] + "X}", []string{secret}, stdwebhook.ErrNoMatch},
		{"WrongSecret", headers("msg_1", now.Unix(), good), body, []string{other}, stdwebhook.ErrNoMatch},
		{"SecondOfTwoSecrets", headers("msg_1", now.Unix(), good), body, []string{other, secret}, nil},
		{"SecondOfTwoSignatures", headers("msg_1", now.Unix(), "v1,AAAA "+good), body, []string{secret}, nil},
		{"OtherVersionIgnored", headers("msg_1", now.Unix(), "v2,"+good[3:]), body, []string{secret}, stdwebhook.ErrNoMatch},
		{"IDChanged", headers("msg_2", now.Unix(), good), body, []string{secret}, stdwebhook.ErrNoMatch},
		{"MissingHeaders", http.Header{}, body, []string{secret}, stdwebhook.ErrMissingHeaders},
		{"Stale301s", headers("msg_1", now.Unix()-301, independentSign(raw, "msg_1", now.Unix()-301, body)), body, []string{secret}, stdwebhook.ErrTooOld},
		{"Future301s", headers("msg_1", now.Unix()+301, independentSign(raw, "msg_1", now.Unix()+301, body)), body, []string{secret}, stdwebhook.ErrTooNew},
		{"Edge300s", headers("msg_1", now.Unix()-300, independentSign(raw, "msg_1", now.Unix()-300, body)), body, []string{secret}, nil},
		{"BadTimestamp", headers("msg_1", 0, good), body, []string{secret}, stdwebhook.ErrTooOld},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := stdwebhook.Verify(tt.h, []byte(tt.body), tt.secrets, now)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSignHeaders_RoundTrip(t *testing.T) {
	now := time.Now()
	s1, s2 := stdwebhook.NewSecret(), stdwebhook.NewSecret()
	h := http.Header{}
	if err := stdwebhook.SignHeaders(h, []string{s1, s2}, "msg_9", now, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{s1, s2} {
		if id, err := stdwebhook.Verify(h, []byte("{}"), []string{s}, now); err != nil || id != "msg_9" {
			t.Fatalf("Verify with one of the two = %q, %v", id, err)
		}
	}
}
