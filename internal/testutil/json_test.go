package testutil

import (
	"testing"
	"time"
)

func TestJSONPaths(t *testing.T) {
	o := DecodeJSON(t, []byte(`{"amount":{"total":1000,"vat":null},"cancels":[{"id":"c1"},{"id":"c2"}],"n":"7"}`))
	if got := o.Int(t, "amount.total"); got != 1000 {
		t.Errorf("amount.total = %d, want 1000", got)
	}
	if got := o.Str(t, "cancels.1.id"); got != "c2" {
		t.Errorf("cancels.1.id = %q, want c2", got)
	}
	if l := o.List(t, "cancels"); len(l) != 2 || l[0].Str(t, "id") != "c1" {
		t.Errorf("cancels = %v", l)
	}
	if !o.IsNull("amount.vat") || o.IsNull("amount.total") || o.IsNull("missing") {
		t.Error("IsNull: only a present null is null")
	}
	if !o.Has("amount.vat") || o.Has("cancels.2") || o.Has("n.x") {
		t.Error("Has: a null is present; an index past the end and a path through a string are not")
	}
	if _, ok := o.At("cancels.-1"); ok {
		t.Error("a negative index was found")
	}
}

func TestClockAdvances(t *testing.T) {
	start := time.Date(2025, 3, 1, 1, 2, 3, 0, time.UTC)
	c := NewClock(start)
	c.Advance(time.Minute)
	if got := c.Now(); !got.Equal(start.Add(time.Minute)) {
		t.Errorf("Now = %v, want a minute after %v", got, start)
	}
}
