// Package toss is an in-memory emulator of Toss Payments' core API v1
// (api.tosspayments.com) for card payments, plus the buyer's payment window.
//
// Real client code is pointed at it, so it answers with Toss's field names,
// the Payment object (version 2022-11-16), status values and error bodies
// (see docs/providers.md §4). It keeps every payment's state,
// expires unconfirmed payments, replays idempotent requests and can inject
// faults. It shares no types with paybridge's Toss adapter, so a wrong field
// name in one is caught by the other.
//
// # Routes (relative to the handler root; mount with http.StripPrefix)
//
//	POST /v1/payments/confirm               {paymentKey, orderId, amount} → Payment
//	POST /v1/payments/{paymentKey}          {orderId, amount}: the earlier confirm path, the same as confirm
//	GET  /v1/payments/{paymentKey}          the payment in any status → Payment
//	GET  /v1/payments/orders/{orderId}      the confirmed payment of orderId → Payment
//	POST /v1/payments/{paymentKey}/cancel   {cancelReason, cancelAmount?, taxFreeAmount?, refundableAmount?} → Payment
//	GET  /checkout?clientKey&orderId&orderName&amount&customerKey&method&successUrl&failUrl[&taxFreeAmount]
//	                                        the buyer window (the SDK's requestPayment parameters)
//	POST /checkout?…                        the buyer's choice: action=approve|cancel|fail, answered 303
//	GET  /receipt/{paymentKey}              the page receipt.url points to
//	POST   /__sandbox/faults                queue a Fault (JSON body), 204
//	DELETE /__sandbox/faults                clear queued faults, 204
//	GET    /__sandbox/stats                 {"calls":{"confirm":n,…},"calls_by_id":{"confirm":{id:n},…}}
//
// The API takes Authorization: Basic base64(secretKey + ":"), JSON bodies,
// and an optional Idempotency-Key (≤ 300 characters) on POSTs. The /checkout,
// /receipt and /__sandbox endpoints need no authorisation: the sandbox holds
// no real money, and tests and people drive it by hand.
//
// # The buyer window
//
// approve creates an IN_PROGRESS payment (authenticated, waiting for
// confirm) with a new paymentKey ("tgen_" + 20 characters) and redirects to
// successUrl?paymentKey=…&orderId=…&amount=…&paymentType=NORMAL; cancel
// redirects to failUrl?code=PAY_PROCESS_CANCELED&message=…&orderId=…; fail
// to failUrl?code=REJECT_CARD_COMPANY&message=…&orderId=…. successUrl's and
// failUrl's own query is kept. Parameters the SDK would refuse get a 400 page
// and no redirect; the amount authenticated is the window's.
//
// # Errors
//
// Every error is {"code": …, "message": …} with the HTTP status:
//
//	401 UNAUTHORIZED_KEY           missing Authorization, not Basic, bad base64, no ':' after the key (the
//	                               classic mistake), a non-empty password, a client key, a key other than
//	                               Options.SecretKey, or (without it) one not starting test_sk_ / test_gsk_
//	400 INVALID_REQUEST            wrong Content-Type, body not a JSON object, missing or malformed field,
//	                               Idempotency-Key over 300 characters
//	405 INVALID_REQUEST            a method the path does not take
//	404 NOT_FOUND                  no such path
//	404 NOT_FOUND_PAYMENT          unknown paymentKey; GET by orderId of an order with no confirmed payment
//	404 NOT_FOUND_PAYMENT_SESSION  confirm after ConfirmWindow (the payment becomes EXPIRED), or with an
//	                               orderId other than the one the buyer authenticated
//	400 NOT_MATCHES_AMOUNT         confirm with an amount other than the one authenticated (invented:
//	                               Toss documents no code for this)
//	400 ALREADY_PROCESSED_PAYMENT  confirm of a payment already confirmed, cancelled or declined
//	400 DUPLICATED_ORDER_ID        confirm when another payment of the orderId is already confirmed (also
//	                               the window's fail code when the buyer tries to pay such an order again)
//	400 ALREADY_CANCELED_PAYMENT   cancel of a fully cancelled payment
//	403 NOT_CANCELABLE_PAYMENT     cancel of a payment never confirmed
//	403 NOT_CANCELABLE_AMOUNT      refundableAmount ≠ balanceAmount, cancelAmount > balanceAmount, or a
//	                               taxFreeAmount that does not fit; nothing changes
//	422 IDEMPOTENCY_KEY_REUSED     an Idempotency-Key first used with another body (invented)
//	500 FAILED_INTERNAL_SYSTEM_PROCESSING  the injected "error" fault, by default
//	403 REJECT_CARD_COMPANY        the injected "decline" fault, by default
//
// # Behaviour where Toss's documentation is silent
//
//   - The confirm window counts from the buyer's approval in the window
//     (Toss's 10 minutes; its other statement says 30). requestedAt is that
//     moment too. Expiry is applied lazily on every access.
//   - An Idempotency-Key replays the first answer byte for byte (status and
//     body, 4xx included) for 15 days; its scope is key + secret key + path +
//     method. See idempotency.go.
//   - Before confirm a payment reports balanceAmount = totalAmount, card,
//     approvedAt, lastTransactionKey and receipt null. The card is fixed test
//     data; acquireStatus is READY until fully cancelled (CANCELED). secret
//     (virtual-account webhooks) is null, as in Toss's card examples.
//   - VAT is one eleventh of the taxable balance, rounded half up, and is
//     recomputed from the balance after every cancel.
//   - A full cancel without taxFreeAmount takes the whole tax-free balance; a
//     cancel must leave a balance that covers the tax-free part left.
//   - Amounts are accepted as JSON numbers or numeric strings (Toss's own
//     sample forwards the success URL's amount as a string).
//   - Card amounts under 100 won: approving in the window redirects to
//     failUrl with BELOW_MINIMUM_AMOUNT.
//
// # Faults
//
// Faults (see Fault) are queued with InjectFault or POST /__sandbox/faults
// and consumed first-in-first-out by the next call of their op (and id,
// when set). They apply after authorisation and body decoding, so a faulted
// call is still counted by Calls and CallsFor.
package toss
