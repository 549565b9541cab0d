package testutil

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
)

// errorsTB records Errorf instead of failing the test.
type errorsTB struct {
	testing.TB
	errs []string
}

func (e *errorsTB) Helper() {}
func (e *errorsTB) Errorf(format string, args ...any) {
	e.errs = append(e.errs, fmt.Sprintf(format, args...))
}

func TestRequestCheck(t *testing.T) {
	r := httptest.NewRequest("POST", "/x", strings.NewReader("body"))
	r.Header.Set("Authorization", "Good")

	rec := &errorsTB{TB: t}
	c := CheckRequest(rec)
	c.Header(r, "Authorization", "Good")
	if body := c.Body(r); string(body) != "body" || !c.OK() || len(rec.errs) != 0 {
		t.Fatalf("a conforming request: body %q, OK %v, errors %v", body, c.OK(), rec.errs)
	}

	c.Header(r, "Authorization", "Other")
	if c.OK() || len(rec.errs) != 1 || rec.errs[0] != `Authorization = "Good", want "Other"` {
		t.Errorf("wrong header: OK %v, errors %q", c.OK(), rec.errs)
	}
	c = CheckRequest(rec)
	c.And(false)
	if c.OK() {
		t.Error("And(false) kept OK")
	}
}
