package sandbox

import "time"

// KST is Korean time, the zone the Korean providers write their timestamps
// in. It is fixed rather than loaded from tzdata, so that the binary needs
// no zone database.
var KST = time.FixedZone("KST", 9*60*60)

// OptTime is a timestamp that may be unset: format(t), or nil for the zero
// time, which is null (or omitted) in the JSON until it happens, as the
// providers write it.
func OptTime(t time.Time, format func(time.Time) string) *string {
	if t.IsZero() {
		return nil
	}
	s := format(t)
	return &s
}
