package iamport

import (
	"net/http"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// route is one API endpoint.
type route struct {
	op string
	// public routes need no token (getToken is how one gets a token).
	public bool
	// ids names the imp_uid and merchant_uid a call is about, for counting
	// and for matching faults.
	ids func(r *http.Request, in params) []string
	// do performs the operation. It returns the envelope's response, or a
	// refusal that changed nothing.
	do func(r *http.Request, in params) (any, *apiError)
}

// serveAPI is the common path of every API call: method, token, counting,
// body, faults, then the operation itself.
func (s *Sandbox) serveAPI(w http.ResponseWriter, r *http.Request, method string, rt route) {
	if r.Method != method {
		w.Header().Set("Allow", method)
		writeError(w, errMethod(method))
		return
	}
	if !rt.public {
		if e := s.authorize(r); e != nil {
			writeError(w, e)
			return
		}
	}
	var in params
	var bodyErr *apiError
	if method == http.MethodPost {
		in, bodyErr = decodeParams(w, r)
	}
	ids := rt.ids(r, in)
	s.mu.Lock()
	// Counted before anything can refuse the call: the count is what tests
	// use to prove a client made exactly one cancel, refused or not.
	s.ctl.Count(rt.op, ids...)
	s.mu.Unlock()
	if bodyErr != nil {
		writeError(w, bodyErr)
		return
	}

	sandbox.Serve(s.ctl, w, r, rt.op, ids, sandbox.Steps[Fault, apiError]{
		ErrorAnswer: faultAnswer,
		Act:         func(*Fault) (any, *apiError) { return rt.do(r, in) },
		Amount:      reportAmount,
		WriteError:  writeError,
		WriteOK:     writeOK,
	})
}

// reportAmount is an "amount" fault: the Payment or pre-registration
// answered reports amount.
func reportAmount(answer any, amount int64) {
	switch v := answer.(type) {
	case *paymentJSON:
		v.Amount = amount
	case *prepareJSON:
		v.Amount = amount
	}
}

// noIDs is the ids of a call that names no payment.
func noIDs(*http.Request, params) []string { return nil }

// pathIDs returns the ids of a call that names its payment in the path.
func pathIDs(name string) func(*http.Request, params) []string {
	return func(r *http.Request, _ params) []string { return []string{r.PathValue(name)} }
}

// bodyIDs returns the ids of a call that names its payment in the body.
func bodyIDs(names ...string) func(*http.Request, params) []string {
	return func(_ *http.Request, in params) []string {
		var ids []string
		for _, n := range names {
			if v, k, ok := in.Lookup(n); ok && k == sandbox.KindText {
				ids = append(ids, v)
			}
		}
		return ids
	}
}
