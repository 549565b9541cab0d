package sandbox

import "net/http"

// Steps are what one sandbox supplies for an API call to meet its fault
// (see Serve). E is the sandbox's error body type; a nil *E is no error.
type Steps[F Faulty, E any] struct {
	// ErrorAnswer is the provider's error body for an "error" fault.
	ErrorAnswer func(F) *E
	// Refuse, if set, answers the other kinds that refuse without acting
	// (a KakaoPay "decline"); nil lets the call act.
	Refuse func(f F, kind string) *E
	// Act performs the operation; f is the fault taken, nil when none
	// matched, for the kinds the operation applies itself (a decline, a
	// webhook). It returns the answer, or a refusal that changed nothing.
	Act func(f *F) (any, *E)
	// Amount reports amount in a successful answer, for an "amount" fault.
	Amount func(answer any, amount int64)
	// WriteError and WriteOK send the answer the provider's way.
	WriteError func(w http.ResponseWriter, e *E)
	WriteOK    func(w http.ResponseWriter, answer any)
}

// Serve runs one API call of op, naming ids, under the fault queued for it,
// in the order every sandbox keeps, since a client is tested against it:
// the fault's delay first (a client that gave up gets nothing); an
// "error", or a kind Refuse answers, changes nothing; otherwise the
// operation acts, and a "lost" fault then drops the connection, so the
// effect stands but the client never learns of it; an "amount" fault
// misreports only an answer that succeeded.
func Serve[F Faulty, E any](c *Control[F], w http.ResponseWriter, r *http.Request, op string, ids []string, s Steps[F, E]) {
	f, kind, ok := c.Take(r, op, ids...)
	if !ok {
		return // the client gave up during a delay; nobody reads an answer
	}
	if kind == FaultError {
		s.WriteError(w, s.ErrorAnswer(f))
		return
	}
	if s.Refuse != nil {
		if e := s.Refuse(f, kind); e != nil {
			s.WriteError(w, e)
			return
		}
	}
	var fp *F
	if kind != "" {
		fp = &f
	}
	answer, e := s.Act(fp)
	if kind == FaultLost {
		DropConnection()
	}
	if e != nil {
		s.WriteError(w, e)
		return
	}
	if kind == FaultAmount && s.Amount != nil {
		s.Amount(answer, f.Shared().Amount)
	}
	s.WriteOK(w, answer)
}
