// Package payment is paybridge's domain: what a payment is, which states it
// may move between, how money is counted, what can go wrong, and what the
// rest of paybridge must provide to handle one. The layers around it
// (service, store, provider adapters, HTTP) import it; it imports nothing but
// the standard library.
//
// It stays that small on purpose. The rules that protect money (an amount
// fixed on the server, one transition table, an unknown provider outcome
// kept distinct from a refusal) must read the same whichever database,
// provider or HTTP route is involved, and they can only do that if they do
// not depend on any of them. Being free of dependencies also keeps the
// package cheap to test and safe to import from anywhere without cycles.
//
// What lives here:
//
//   - Payment, Cancellation, Event, Merchant and APIKey: the records paybridge
//     keeps (payment.go), and Update, the fields a transition may change.
//   - Status and transitions: the payment lifecycle, defined once
//     (status.go). The store applies each move as a compare-and-set and
//     refuses any move CanTransition does not allow. The state diagram, and
//     which use case makes each move, are in docs/architecture.md
//     ("Payment states").
//   - Money: int64 won, never floats, with overflow-checked arithmetic and
//     paybridge's bounds on an amount (money.go).
//   - Error and its codes: the one error type, whose code says what is known
//     about an outcome (EDECLINED: the provider certainly did nothing;
//     EUPSTREAM: it may have acted, look the payment up), and ProviderError,
//     the provider's own code and message carried along (error.go).
//   - The interfaces the outer layers implement: Provider and WebhookParser
//     (provider.go; one adapter per provider under internal/provider), Store,
//     PaymentLister, IdempotencyStore and WebhookStore (internal/store), with
//     the values they exchange (ProviderPayment, ProviderState, Return,
//     CancelRequest, Claim, the filters).
//   - Outbound webhook events and endpoints (webhook.go), list queries
//     (list.go), idempotency records (idempotency.go) and ids (id.go).
//
// What the providers' APIs guarantee, and which of those facts the adapters
// rely on, is in docs/providers.md.
package payment
