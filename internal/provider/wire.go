package provider

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Readers of the loosely typed values providers send. Each was written
// once per adapter; the rules about money (an amount is never rounded)
// and about codes (without one nothing can be concluded) belong to all.

// LooseString accepts a JSON string, number, boolean or null and keeps its
// text. Adapters use it for informational fields whose type the public
// material does not pin down, so that a detail sent as a number instead of
// a string never fails the decode of an answer about money.
type LooseString string

// UnmarshalJSON keeps a string's value and any other scalar's JSON text.
func (s *LooseString) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*s = ""
		return nil
	}
	var str string
	if err := json.Unmarshal(b, &str); err == nil {
		*s = LooseString(str)
		return nil
	}
	*s = LooseString(b)
	return nil
}

// Code reads a provider's error or result code, sent as a number (-780, 0)
// or a string ("-780", "1"), as its decimal text; a non-numeric code is
// kept as it is, cut to 64 runes. It fails when there is none (absent,
// null, blank): without a code nothing can be concluded, not even success.
func Code(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		s = string(raw)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return strconv.FormatInt(n, 10), true
	}
	return Truncate(s, 64), true
}

// WholeNumber reads text, a JSON number, as a whole number of won: 1000,
// or 1000.0 as a Java BigDecimal may print it. A fraction or a float
// beyond 2^53 (the integers a float64 holds exactly) is refused, which
// makes the answer unreadable: an amount is never rounded.
func WholeNumber(text string) (int64, bool) {
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// IsCodeWord reports whether s looks like a provider's code word
// (USER_LOCKED, REJECT_CARD_COMPANY): upper-case letters, digits and '_',
// at most 64 of them. Only such a code is safe to repeat to an API caller;
// anything else a provider (or a proxy) sent is free text.
func IsCodeWord(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}
