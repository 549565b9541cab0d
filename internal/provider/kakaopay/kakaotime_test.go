package kakaopay

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestParseTime checks that KakaoPay's offset-less timestamps are read as KST
// (nine hours ahead of UTC), not as UTC, and that an explicit offset wins.
func TestParseTime(t *testing.T) {
	tests := []struct {
		in      string
		wantUTC time.Time
	}{
		{"2016-11-15T21:18:22", time.Date(2016, 11, 15, 12, 18, 22, 0, time.UTC)},
		{"2016-11-15T21:18:22.123", time.Date(2016, 11, 15, 12, 18, 22, 123e6, time.UTC)},
		{"2016-11-15 21:18:22", time.Date(2016, 11, 15, 12, 18, 22, 0, time.UTC)},
		{"2016-11-15T21:18:22+09:00", time.Date(2016, 11, 15, 12, 18, 22, 0, time.UTC)},
		{"2016-11-15T21:18:22Z", time.Date(2016, 11, 15, 21, 18, 22, 0, time.UTC)},
		{"2016-11-15T21:18:22+01:00", time.Date(2016, 11, 15, 20, 18, 22, 0, time.UTC)},
		{"2016-01-01T03:00:00", time.Date(2015, 12, 31, 18, 0, 0, 0, time.UTC)}, // day and year roll back
		{"", time.Time{}},
		{"  ", time.Time{}},
	}
	for _, tt := range tests {
		got, err := parseTime(tt.in)
		if err != nil {
			t.Errorf("parseTime(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.wantUTC) {
			t.Errorf("parseTime(%q) = %v, want %v", tt.in, got.UTC(), tt.wantUTC)
		}
	}

	got, _ := parseTime("2016-11-15T21:18:22")
	if name, off := got.Zone(); name != "KST" || off != 9*3600 {
		t.Errorf("zone = %s %d, want KST 32400", name, off)
	}

	t.Run("ErrGarbage", func(t *testing.T) {
		for _, in := range []string{"yesterday", "2016-13-45T99:00:00", "1479212302"} {
			if _, err := parseTime(in); err == nil {
				t.Errorf("parseTime(%q) succeeded", in)
			}
		}
	})
}

// TestKakaoTime_UnmarshalJSON checks that null and "" are the zero time and
// that a strange value is kept aside instead of failing the whole decode.
func TestKakaoTime_UnmarshalJSON(t *testing.T) {
	var v struct {
		A, B, C, D, E kakaoTime
		Total         int64
	}
	in := `{"A":"2016-11-15T21:18:22","B":null,"C":"","D":"soon","E":1479212302,"Total":5}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if !v.A.Equal(time.Date(2016, 11, 15, 12, 18, 22, 0, time.UTC)) || v.A.bad != "" {
		t.Errorf("A = %v (bad %q)", v.A.Time, v.A.bad)
	}
	for name, kt := range map[string]kakaoTime{"B": v.B, "C": v.C} {
		if !kt.IsZero() || kt.bad != "" {
			t.Errorf("%s = %v (bad %q), want zero", name, kt.Time, kt.bad)
		}
	}
	if !v.D.IsZero() || v.D.bad != "soon" {
		t.Errorf("D = %v (bad %q), want zero and bad=soon", v.D.Time, v.D.bad)
	}
	if !v.E.IsZero() || v.E.bad != "1479212302" {
		t.Errorf("E = %v (bad %q)", v.E.Time, v.E.bad)
	}
	if v.Total != 5 {
		t.Errorf("decode stopped early: Total = %d", v.Total)
	}
}

// TestWarnBadTimes_RedactsBeforeCutting: an unparseable timestamp that
// echoes the key across the point where the log cuts it shows no part of
// the key (the log shows 40 characters; cut first, the key's first ten
// would survive the redaction).
func TestWarnBadTimes_RedactsBeforeCutting(t *testing.T) {
	var logs bytes.Buffer
	c := MustClient(t, GenerationCurrent, "http://kakaopay.invalid", func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	var v struct{ At kakaoTime }
	in := `{"At":"` + strings.Repeat("x", 30) + testSecretKey + `"}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	c.warnBadTimes(context.Background(), opApprove, v.At)
	if !strings.Contains(logs.String(), "unparseable timestamp") {
		t.Fatalf("no warning: %s", logs.String())
	}
	if strings.Contains(logs.String(), testSecretKey[:8]) {
		t.Errorf("log shows part of the key: %s", logs.String())
	}
}

// TestPlainString: the shortcut for a timestamp string reads what
// json.Unmarshal reads, and leaves to it everything it might read
// differently.
func TestPlainString(t *testing.T) {
	for _, in := range []string{`"2016-11-15T21:18:22"`, `""`, `"초코파이"`} {
		var want string
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatal(err)
		}
		if got, ok := plainString([]byte(in)); !ok || got != want {
			t.Errorf("plainString(%s) = %q, %v; want %q, true", in, got, ok, want)
		}
	}
	for _, in := range []string{`"2016-11-15T21:18:22\u0030"`, "\"\xff\"", `null`, `123`, `"`, `"a"b"`, "\"a\tb\""} {
		if got, ok := plainString([]byte(in)); ok {
			t.Errorf("plainString(%q) = %q, true; want it left to json.Unmarshal", in, got)
		}
	}
}
