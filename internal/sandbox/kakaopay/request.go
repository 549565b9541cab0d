package kakaopay

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// authorize checks the Authorization header against the generation's scheme
// and the configured key.
func (s *Sandbox) authorize(r *http.Request, gen generation) *apiError {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if h == "" {
		return errMissingAuth()
	}
	scheme, key, _ := strings.Cut(h, " ")
	key = strings.TrimSpace(key)
	var want string
	switch gen {
	case legacy:
		if scheme != "KakaoAK" {
			return errBadKey("the legacy API (/v1/payment) takes Authorization: KakaoAK {admin key}")
		}
		want = s.adminKey
	case current:
		if scheme != "SECRET_KEY" && scheme != "DEV_SECRET_KEY" {
			return errBadKey("the current API (/online/v1/payment) takes Authorization: SECRET_KEY {secret key}")
		}
		want = s.secretKey
	}
	if !wellFormedKey(key) {
		return errBadKey("malformed key")
	}
	if want != "" && subtle.ConstantTimeCompare([]byte(key), []byte(want)) != 1 {
		return errBadKey("unknown key")
	}
	return nil
}

// wellFormedKey reports whether key is a non-empty token of letters, digits,
// '_' and '-'.
func wellFormedKey(key string) bool {
	if key == "" {
		return false
	}
	for _, c := range key {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}

// params is a decoded request body of either generation: form values for
// legacy, a JSON object for current.
type params = sandbox.Params

// decodeParams reads the body in the generation's encoding. A body in the
// other generation's encoding is refused, as KakaoPay does.
func decodeParams(w http.ResponseWriter, r *http.Request, gen generation) (params, *apiError) {
	want := "application/x-www-form-urlencoded"
	if gen == current {
		want = "application/json"
	}
	body := sandbox.Body{Types: []string{want}}
	p, why, err := body.Read(w, r)
	if why != sandbox.BodyOK {
		return params{}, errInvalid("%s", body.Message(why, err))
	}
	return p, nil
}

// fields reads and checks request fields (see sandbox.Fields), refusing
// with errInvalid.
type fields struct{ sandbox.Fields[*apiError] }

func newFields(in params) fields {
	return fields{sandbox.Fields[*apiError]{Params: in, Problem: errInvalid}}
}

// num reads an integer field in [min, max]; a numeric string is accepted as
// it is in the form encoding. The bool reports whether the field was sent.
func (f *fields) num(name string, required bool, min, max int64) (int64, bool) {
	v, kind, ok := f.Lookup(name)
	if !ok {
		if required {
			f.Fail(errInvalid("%s is required", name))
		}
		return 0, false
	}
	if !kind.Scalar() {
		f.Fail(errInvalid("%s must be an integer", name))
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if errors.Is(err, strconv.ErrRange) || err == nil && (n < min || n > max) {
		f.Fail(errInvalid("%s must be between %d and %d", name, min, max))
		return 0, false
	}
	if err != nil {
		f.Fail(errInvalid("%s must be an integer", name))
		return 0, false
	}
	return n, true
}

// validCID accepts the test CID and, like a merchant's real CIDs, any other
// 10-character code.
func validCID(cid string) bool { return cid == "TC0ONETIME" || len(cid) == 10 }

// lockPayment is how approve, cancel and order start: it reports the first
// field problem read so far, then an invalid cid, then takes s.mu and finds
// tid's payment for cid, applying any due expiry. On success the caller
// holds s.mu and must unlock it; on an error s.mu is not held.
func (s *Sandbox) lockPayment(f fields, cid, tid string) (*payment, *apiError) {
	if f.Err != nil {
		return nil, f.Err
	}
	if !validCID(cid) {
		return nil, errInvalidCID()
	}
	s.mu.Lock()
	p := s.payments[tid]
	if p == nil || p.cid != cid {
		s.mu.Unlock()
		return nil, errInvalid("no payment with tid %q for this cid", tid)
	}
	s.expireIfDue(p)
	return p, nil
}
