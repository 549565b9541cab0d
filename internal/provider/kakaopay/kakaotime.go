package kakaopay

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// kst is Korea Standard Time. KakaoPay's timestamps carry no offset and are
// KST (docs/providers.md §1.2, §5.8); reading them as UTC shifts every time by
// nine hours.
var kst = time.FixedZone("KST", 9*60*60)

// parseTime reads a KakaoPay timestamp such as "2016-11-15T21:18:22" as KST.
// An explicit offset, should KakaoPay ever send one, wins. Empty is the zero
// time.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	// KakaoPay's own form first: a failed parse builds an error. The two
	// layouts accept disjoint strings (RFC 3339 requires an offset, the
	// other allows none), so the order changes no result. Fractional
	// seconds are accepted by both layouts without being named.
	if t, err := time.ParseInLocation("2006-01-02T15:04:05", s, kst); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateTime, s, kst); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("kakaopay: unrecognised timestamp %q", s)
}

// kakaoTime is a timestamp field of a KakaoPay response. An unparseable value
// is kept in bad and read as the zero time instead of failing the decode: a
// strange approved_at must not turn a successful approval into an unknown
// outcome.
type kakaoTime struct {
	time.Time
	// bad is the unparseable value whole: it is redacted before it is cut
	// to badTimeShown for the log, so that a cut cannot split a key
	// KakaoPay echoed and leave part of it behind (as classify does).
	bad string
}

// badTimeShown is how much of an unparseable timestamp the log shows.
const badTimeShown = 40

// UnmarshalJSON accepts a string timestamp, "" or null.
func (t *kakaoTime) UnmarshalJSON(b []byte) error {
	*t = kakaoTime{}
	if string(b) == "null" {
		return nil
	}
	s, ok := plainString(b)
	if !ok {
		if err := json.Unmarshal(b, &s); err != nil {
			t.bad = string(b)
			return nil
		}
	}
	parsed, err := parseTime(s)
	if err != nil {
		t.bad = s
		return nil
	}
	t.Time = parsed
	return nil
}

// warnBadTimes logs the timestamps of a response that could not be read.
func (c *Client) warnBadTimes(ctx context.Context, op string, ts ...kakaoTime) {
	for _, t := range ts {
		if t.bad != "" {
			c.t.Log.WarnContext(ctx, "kakaopay: unparseable timestamp read as zero",
				"provider", payment.ProviderKakaoPay, "op", op, "value", provider.Truncate(c.t.Redact(t.bad), badTimeShown))
		}
	}
}

// plainString reads b, a JSON value the decoder has checked, when it is a
// string without escapes: what json.Unmarshal would make of it, without
// scanning it twice more. Anything else (an escape, bytes that are not
// UTF-8, which json.Unmarshal replaces, or not a string) is left to
// json.Unmarshal.
func plainString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	in := b[1 : len(b)-1]
	for _, c := range in {
		if c == '\\' || c == '"' || c < ' ' {
			return "", false
		}
	}
	if !utf8.Valid(in) {
		return "", false
	}
	return string(in), true
}
