package payment

// Status is the state of a payment in paybridge. The allowed moves between
// states are listed once, in transitions, and applied by the store as a
// compare-and-set so that two concurrent actors can never both move a payment
// out of the same state.
type Status string

// The payment states. See docs/architecture.md, section 3, for the diagram.
const (
	// StatusCreated is the short moment between the row being written (which
	// claims the order id) and the provider answering the prepare call.
	StatusCreated Status = "created"
	// StatusReady means the provider accepted the payment and the buyer has
	// been (or can be) sent to the provider's page.
	StatusReady Status = "ready"
	// StatusApproving means one actor has claimed the finish step and is
	// talking to the provider, or the outcome of that call is unknown and the
	// reconciler will settle it by looking the payment up. Never approved twice.
	StatusApproving         Status = "approving"
	StatusPaid              Status = "paid"
	StatusPartiallyCanceled Status = "partially_canceled"
	StatusCanceled          Status = "canceled"
	// StatusAborted means the buyer quit at the provider (confirmed by lookup).
	StatusAborted Status = "aborted"
	// StatusFailed means the provider refused, or paybridge refused the
	// provider's answer (for example an amount mismatch). FailureCode says why.
	StatusFailed Status = "failed"
	// StatusExpired means the buyer never finished within the provider's window.
	StatusExpired Status = "expired"
)

// Statuses lists every status, in lifecycle order.
var Statuses = []Status{
	StatusCreated, StatusReady, StatusApproving, StatusPaid, StatusPartiallyCanceled,
	StatusCanceled, StatusAborted, StatusFailed, StatusExpired,
}

// transitions is the one place where the lifecycle is defined.
var transitions = map[Status][]Status{
	StatusCreated: {StatusReady, StatusFailed},
	StatusReady:   {StatusApproving, StatusAborted, StatusFailed, StatusExpired},
	// approving → ready: the finishing call was refused and the provider
	// still holds the payment open for the buyer (a forged return with a
	// wrong token): the buyer's own return must still finish it.
	StatusApproving:         {StatusPaid, StatusFailed, StatusReady},
	StatusPaid:              {StatusPartiallyCanceled, StatusCanceled},
	StatusPartiallyCanceled: {StatusPartiallyCanceled, StatusCanceled},
}

// CanTransition reports whether a payment may move from one status to another.
func CanTransition(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, k := range Statuses {
		if k == s {
			return true
		}
	}
	return false
}

// Final reports whether no further transition is possible from s.
func (s Status) Final() bool { return len(transitions[s]) == 0 }

// Settled reports whether the buyer's money has moved (paid, possibly refunded
// since), i.e. the payment can be looked at as a completed sale.
func (s Status) Settled() bool {
	return s == StatusPaid || s == StatusPartiallyCanceled || s == StatusCanceled
}
