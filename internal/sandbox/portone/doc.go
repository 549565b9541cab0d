// Package portone is an in-memory emulator of PortOne's V2 server API
// (api.portone.io) and of PortOne's payment window.
//
// Real client code is pointed at it, so it answers with PortOne's field
// names, union members, status values and {type, message} error bodies
// (docs/providers.md §3 and PortOne's OpenAPI schema, testdata/portone-v2.openapi.json), keeps
// every payment's state, signs webhooks the Standard Webhooks way, and can
// inject faults. It shares no types with paybridge's adapter, so a wrong
// field name in one is caught by the other.
//
// # Routes (relative to the handler root; mount with http.StripPrefix)
//
//	POST /payments/{paymentId}/pre-register   PreRegisterPaymentBody → {}
//	GET  /payments/{paymentId}[?storeId=…]     → Payment (the union member of its status)
//	POST /payments/{paymentId}/cancel          CancelPaymentBody → {cancellation}
//	GET  /checkout?storeId&paymentId&orderName&totalAmount&currency&payMethod&customerId&redirectUrl
//	                                           the payment window (requestPayment's parameters)
//	POST /checkout?…                           the buyer's choice: action=approve|cancel|fail
//	                                           (|return on a refused window), 303 to redirectUrl
//	GET  /receipts/{paymentId}                 the page receiptUrl points to
//	POST   /__sandbox/faults                   queue a Fault (JSON body), 204
//	DELETE /__sandbox/faults                   clear queued faults, 204
//	GET    /__sandbox/stats                    {"calls":{op:n},"calls_by_payment_id":{op:{id:n}}}
//
// API calls need "Authorization: PortOne {API secret}". Path ids are
// URL-decoded. The /__sandbox endpoints, the window and receipts need no
// authorisation: the sandbox holds no real money.
//
// # Errors
//
// Every error body is {"type": …, "message": …} (PG_PROVIDER adds pgCode
// and pgMessage):
//
//	400 INVALID_REQUEST         a body that is not JSON (whatever its Content-Type: JSON is accepted as
//	                            text/plain or without one, as PortOne's server SDK sends it), an unknown body field, a missing
//	                            or invalid value (pre-register: totalAmount; cancel: reason, amount…)
//	401 UNAUTHORIZED            Authorization missing, not "PortOne {secret}" (Bearer included), wrong secret
//	403 FORBIDDEN               a storeId other than Options.StoreID
//	404 PAYMENT_NOT_FOUND       GET or cancel of a paymentId that is not a payment (yet), or of another store
//	409 ALREADY_PAID            pre-register of a paid (or refunded) payment
//	409 PAYMENT_NOT_PAID        cancel of a READY or FAILED payment
//	409 PAYMENT_ALREADY_CANCELLED
//	409 CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN   currentCancellableAmount ≠ the remainder
//	409 CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT
//	409 SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT, CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT,
//	    CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT
//	404 NOT_FOUND, 405 METHOD_NOT_ALLOWED       unknown path or method (types the schema does not
//	                                            name; deliberately not PAYMENT_NOT_FOUND)
//	5xx                         only when injected (Fault kind "error")
//
// # Behaviour where PortOne's documentation is silent
//
//   - Pre-registering does not make a payment: GET answers PAYMENT_NOT_FOUND
//     until the buyer opens the window, which makes it READY with a new
//     transactionId. Registering again before payment replaces the amount.
//     The sandbox requires totalAmount and settles KRW only.
//   - The window refuses (400 page with a "return" button that sends the
//     buyer back with code=FAILURE_TYPE_PG) a totalAmount other than the
//     pre-registered one, another store's storeId, a currency other than
//     KRW, and a payMethod other than CARD or EASY_PAY. A refusal changes
//     no state. A paid payment's window is a 409 page without buttons.
//   - approve makes the payment PAID and redirects with paymentId,
//     transactionType=PAYMENT and txId. cancel and fail make it FAILED
//     (failure.reason "사용자가 결제를 취소했습니다", or a decline) and add
//     code=FAILURE_TYPE_PG and message. A FAILED payment's window may be
//     opened again: a new attempt, READY with a new transactionId.
//   - A cancel without amount refunds the whole remainder, its tax-free
//     part included; with an amount and no taxFreeAmount it is all
//     taxable. VAT defaults to 1/11 of the taxable part, and the cancel
//     that takes the last taxable won takes the VAT left. A REQUESTED
//     cancellation holds its amount: it is not cancellable twice.
//   - Unknown body fields are refused (400), so that a misspelt
//     currentCancellableAmount cannot silently switch the guard off.
//   - Webhooks go to Options.WebhookURL asynchronously (not ordered against
//     the answer or the redirect), signed with Options.WebhookSecret, for
//     Transaction.Paid, .Failed, .CancelPending, .PartialCancelled and
//     .Cancelled (not when the cancel asked skipWebhook). A delivery that
//     gets no 2xx is tried three times in all, over about five seconds,
//     with the same webhook-id.
//
// # Faults
//
// Faults (see Fault) are queued with InjectFault or POST /__sandbox/faults
// and consumed first-in-first-out by the next call of their op (and
// paymentId, when set). They are applied after authorisation, so a faulted
// call is still counted by Calls and CallsFor.
package portone
