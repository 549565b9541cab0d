package iamport

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// params is a decoded request body: form values or a JSON object. The
// swagger declares formData, while official samples send JSON; PortOne
// takes both (docs/providers.md §2.2, §2.5), and so does the sandbox.
type params = sandbox.Params

// decodeParams reads a POST body in either encoding.
func decodeParams(w http.ResponseWriter, r *http.Request) (params, *apiError) {
	body := sandbox.Body{Types: []string{"application/json", "application/x-www-form-urlencoded"}, LaxType: true}
	p, why, err := body.Read(w, r)
	if why != sandbox.BodyOK {
		return params{}, errBadRequest("%s", body.Message(why, err))
	}
	return p, nil
}

// fields reads and checks request fields (see sandbox.Fields), refusing
// with errBadRequest.
type fields struct{ sandbox.Fields[*apiError] }

func newFields(in params) fields {
	return fields{sandbox.Fields[*apiError]{Params: in, Problem: errBadRequest}}
}

// amount reads a number field in [min, MaxInt64]: a JSON number or a
// numeric string (form values are strings; PortOne's Java side coerces
// strings too). The schema types amounts as "number", so 1000.0 is 1000; a
// fraction of a won is refused. The bool reports whether it was sent.
func (f *fields) amount(name string, required bool, min int64) (int64, bool) {
	v, k, ok := f.Lookup(name)
	if !ok {
		if required {
			f.Fail(errBadRequest("%s is required", name))
		}
		return 0, false
	}
	if !k.Scalar() {
		f.Fail(errBadRequest("%s must be a number", name))
		return 0, false
	}
	n, ok := parseWon(v)
	if !ok || n < min {
		f.Fail(errBadRequest("%s must be a whole number of won, at least %d", name, min))
		return 0, false
	}
	return n, true
}

// boolean reads a boolean field; form values "true"/"false" too.
func (f *fields) boolean(name string) bool {
	v, k, ok := f.Lookup(name)
	if !ok {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil || k == sandbox.KindOther || k == sandbox.KindNumber {
		f.Fail(errBadRequest("%s must be true or false", name))
		return false
	}
	return b
}

// parseWon parses a whole number of won written as an integer or as an
// integral decimal ("1000", "1000.0", "1e3").
func parseWon(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || x != math.Trunc(x) || math.Abs(x) > 1<<53 {
		return 0, false
	}
	return int64(x), true
}
