package toss

import (
	"encoding/json"
	"testing"
	"time"
)

func TestWon_UnmarshalJSON(t *testing.T) {
	for in, want := range map[string]int64{
		`15000`: 15000, `15000.0`: 15000, `"15000"`: 15000, `null`: 0, `0`: 0, ` 7 `: 7,
	} {
		var w won
		if err := json.Unmarshal([]byte(in), &w); err != nil || int64(w) != want {
			t.Errorf("won(%s) = %d, %v; want %d", in, w, err, want)
		}
	}
	for _, in := range []string{`15000.5`, `"15,000"`, `"abc"`, `true`, `{}`, `1e300`} {
		var w won
		if err := json.Unmarshal([]byte(in), &w); err == nil {
			t.Errorf("won(%s) = %d, want an error: won has no fraction", in, w)
		}
	}
}

func TestTossTime_UnmarshalJSON(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{`"2024-02-13T12:18:14+09:00"`, kstTime(2024, 2, 13, 12, 18, 14), false},
		{`"2024-02-13T03:18:14Z"`, kstTime(2024, 2, 13, 12, 18, 14), false},
		{`"2024-02-13T12:18:14.123+09:00"`, kstTime(2024, 2, 13, 12, 18, 14).Add(123 * time.Millisecond), false},
		// Without an offset it is Toss's own zone, KST.
		{`"2024-02-13T12:18:14"`, kstTime(2024, 2, 13, 12, 18, 14), false},
		{`null`, time.Time{}, false},
		{`""`, time.Time{}, false},
		{`"yesterday"`, time.Time{}, true},
		{`12345`, time.Time{}, true},
	} {
		var got tossTime
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
			t.Errorf("%s: error %v: a timestamp must never fail a decode", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) || got.bad() != tt.bad {
			t.Errorf("%s = %v (bad %v), want %v (bad %v)", tt.in, got.Time, got.bad(), tt.want, tt.bad)
		}
	}
}
