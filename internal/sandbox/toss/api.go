package toss

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// apiRoute is one API endpoint with the id its path names.
type apiRoute struct {
	op         string
	method     string
	paymentKey string // GET /v1/payments/{paymentKey}, POST …/{paymentKey}/cancel
	orderID    string // GET /v1/payments/orders/{orderId}
}

// route maps the path after /v1/payments/ to an endpoint. The method is
// checked later, so that a wrong method gets a 405 rather than a 404, except
// on /v1/payments/{paymentKey}, which takes two: GET looks the payment up,
// and POST {orderId, amount} confirms it, as the API did before
// /v1/payments/confirm existed and as clients written against it still do.
func route(method, rest string) (apiRoute, bool) {
	switch {
	case rest == "confirm":
		return apiRoute{op: opConfirm, method: http.MethodPost}, true
	case strings.HasPrefix(rest, "orders/"):
		id := strings.TrimPrefix(rest, "orders/")
		return apiRoute{op: opGet, method: http.MethodGet, orderID: id}, id != "" && !strings.Contains(id, "/")
	case strings.HasSuffix(rest, "/cancel"):
		key := strings.TrimSuffix(rest, "/cancel")
		return apiRoute{op: opCancel, method: http.MethodPost, paymentKey: key}, key != "" && !strings.Contains(key, "/")
	case method == http.MethodPost:
		return apiRoute{op: opConfirm, method: http.MethodPost, paymentKey: rest}, rest != "" && !strings.Contains(rest, "/")
	default:
		return apiRoute{op: opGet, method: http.MethodGet, paymentKey: rest}, rest != "" && !strings.Contains(rest, "/")
	}
}

// answer is an operation's result before encoding: an HTTP status and
// either a *paymentJSON or an *apiError.
type answer struct {
	status int
	body   any
}

func failed(e *apiError) answer { return answer{e.status, e} }

// serveAPI is the common path of every API call: method, auth, counting,
// body, faults, idempotent replay, then the operation itself.
func (s *Sandbox) serveAPI(w http.ResponseWriter, r *http.Request, rt apiRoute) {
	if r.Method != rt.method {
		w.Header().Set("Allow", rt.method)
		writeError(w, errMethod(rt.method))
		return
	}
	key, e := s.authorize(r)
	if e != nil {
		writeError(w, e)
		return
	}
	var in fields
	if rt.method == http.MethodPost {
		in, e = decodeBody(w, r)
	}
	if e == nil && rt.op == opConfirm && rt.paymentKey != "" {
		e = in.setPathKey(rt.paymentKey)
	}
	// Counted before anything can refuse the call: the count is what tests
	// use to prove a client made exactly one confirm, refused or not.
	ids := []string{rt.paymentKey, rt.orderID}
	if rt.op == opConfirm {
		pk, _ := in.peek("paymentKey")
		if rt.paymentKey != "" {
			pk = rt.paymentKey
		}
		oid, _ := in.peek("orderId")
		ids = []string{pk, oid}
	}
	s.ctl.Count(rt.op, ids...)
	if e != nil {
		writeError(w, e)
		return
	}

	sandbox.Serve(s.ctl, w, r, rt.op, ids, sandbox.Steps[Fault, apiError]{
		ErrorAnswer: faultErrorAnswer,
		Act: func(f *Fault) (any, *apiError) {
			var decline *Fault
			if f != nil && f.Kind == sandbox.FaultDecline {
				decline = f
			}
			// Even a refusal is an answer here: it may be the stored
			// replay of an Idempotency-Key, which a "lost" fault drops too.
			a := &executed{}
			a.status, a.body, a.stored = s.execute(r, rt, key, in, decline)
			return a, nil
		},
		Amount: func(answer any, amount int64) {
			// Only the answer sent is changed; the stored replay keeps the truth.
			if a := answer.(*executed); a.stored != nil {
				cp := *a.stored
				cp.TotalAmount = amount
				a.body = mustJSON(&cp)
			}
		},
		WriteError: writeError,
		WriteOK: func(w http.ResponseWriter, answer any) {
			a := answer.(*executed)
			writeRaw(w, a.status, a.body)
		},
	})
}

// executed is an operation's encoded answer and, for a successful
// operation run now, the Payment it rendered (see execute).
type executed struct {
	status int
	body   []byte
	stored *paymentJSON
}

// execute runs the operation under the lock, or replays the stored answer
// of an earlier request with the same Idempotency-Key. It returns the
// encoded answer and, for a successful operation run now, the Payment it
// rendered (for the "amount" fault).
func (s *Sandbox) execute(r *http.Request, rt apiRoute, key string, in fields, decline *Fault) (int, []byte, *paymentJSON) {
	s.mu.Lock()
	defer s.mu.Unlock()
	scope, hasKey, e := replayScopeOf(r, key)
	if e != nil {
		return e.status, mustJSON(e), nil
	}
	if hasKey {
		if rp, ok := s.replayLocked(scope, in.canonical()); ok {
			return rp.status, rp.body, nil
		} else if rp != nil {
			e := errIdempotencyReused()
			return e.status, mustJSON(e), nil
		}
	}
	var a answer
	switch {
	case rt.op == opConfirm:
		a = s.confirmLocked(r, in, decline)
	case rt.op == opCancel:
		a = s.cancelLocked(r, rt.paymentKey, in, decline)
	case decline != nil:
		// A lookup refuses nothing; the fault only shapes the answer.
		a = failed(declineAnswer(*decline))
	case rt.orderID != "":
		a = s.getByOrderLocked(r, rt.orderID)
	default:
		a = s.getLocked(r, rt.paymentKey)
	}
	body := mustJSON(a.body)
	if hasKey {
		s.storeReplayLocked(scope, in.canonical(), a.status, body)
	}
	pj, _ := a.body.(*paymentJSON)
	return a.status, body, pj
}

// authorize checks Authorization: Basic base64(secretKey + ":") and returns
// the key. Every failure is 401 UNAUTHORIZED_KEY; the message says which
// part is wrong, the missing colon included (docs/providers.md §5 item 21).
func (s *Sandbox) authorize(r *http.Request) (string, *apiError) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if h == "" {
		return "", errUnauthorized("Authorization header is missing")
	}
	scheme, cred, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return "", errUnauthorized("use Authorization: Basic base64(secretKey + \":\")")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return "", errUnauthorized("the Basic credentials are not valid base64")
	}
	key, password, colon := strings.Cut(string(raw), ":")
	switch {
	case !colon:
		return "", errUnauthorized("the encoded value has no ':'; encode secretKey + \":\"")
	case password != "":
		return "", errUnauthorized("the password after ':' must be empty")
	case key == "":
		return "", errUnauthorized("the secret key is empty")
	case s.secretKey != "":
		if subtle.ConstantTimeCompare([]byte(key), []byte(s.secretKey)) != 1 {
			return "", errUnauthorized("unknown secret key")
		}
	case strings.HasPrefix(key, "test_ck_") || strings.HasPrefix(key, "test_gck_") ||
		strings.HasPrefix(key, "live_ck_") || strings.HasPrefix(key, "live_gck_"):
		return "", errUnauthorized("that is a client key; the API takes the secret key")
	case !strings.HasPrefix(key, "test_sk_") && !strings.HasPrefix(key, "test_gsk_"):
		return "", errUnauthorized("the sandbox accepts test secret keys only (test_sk_…, test_gsk_…)")
	}
	return key, nil
}

// decodeBody reads a JSON object body, as Toss requires.
func decodeBody(w http.ResponseWriter, r *http.Request) (fields, *apiError) {
	body := sandbox.Body{Types: []string{"application/json"}}
	p, why, err := body.Read(w, r)
	if why != sandbox.BodyOK {
		return fields{}, errInvalid("%s", body.Message(why, err))
	}
	return fields{js: p.JSON}, nil
}
