// Package iamport is an in-memory emulator of PortOne V1's REST API
// (api.iamport.kr) plus the buyer's payment window.
//
// Real client code is pointed at it, so it answers with PortOne's field
// names, envelope, status values and HTTP statuses (see
// docs/providers.md §2 and testdata/portone-v1.openapi.json). It keeps
// every token, pre-registration and payment, sends webhooks, and can inject
// faults. It shares no types with paybridge's adapter, so that a wrong
// field name in one is caught by the other.
//
// # Routes (relative to the handler root; mount with http.StripPrefix)
//
//	POST /users/getToken                          {imp_key, imp_secret} (JSON or form) → {access_token, expired_at, now}
//	POST /payments/prepare                        {merchant_uid, amount[, currency]} → the pre-registration
//	GET  /payments/prepare/{merchant_uid}         the pre-registration
//	GET  /payments/{imp_uid}?include_sandbox=true the Payment
//	GET  /payments/find/{merchant_uid}[/{payment_status}][?sorting=…]  the first Payment by sorting (default -started)
//	POST /payments/cancel                         (JSON or form) → the Payment after the refund
//	GET  /checkout?merchant_uid&amount&name&buyer_name&pay_method&m_redirect_url[&pg&imp]
//	                                              the payment window (IMP.request_pay's parameters)
//	POST /checkout?…                              the buyer's button: action=approve|cancel|fail (|return)
//	GET  /receipt/{imp_uid}                       the page receipt_url points to
//	POST   /__sandbox/faults                      queue a Fault (JSON body), 204
//	DELETE /__sandbox/faults                      clear queued faults, 204
//	GET    /__sandbox/stats                       {"calls":{"getToken":n,…},"calls_by_id":{op:{id:n}}}
//
// API calls other than getToken need "Authorization: Bearer <token>" or the
// raw token as the header value: PortOne's docs use the first, its official
// sample and Java client the second (§2.2). Tokens live 30 minutes; asking
// again before expiry returns the same token, extended by 5 minutes when at
// most a minute remains. The /__sandbox endpoints need no token: the
// sandbox holds no real money.
//
// # Answers
//
// Every answer is PortOne's envelope {"code", "message", "response"}: code 0
// and message null on success; on a refusal a non-zero code, the message,
// and response null:
//
//	401 -1  getToken with missing or wrong imp_key/imp_secret; any other call without a valid token ("Unauthorized")
//	400 -1  missing or malformed parameter, wrong Content-Type, unknown payment_status or sorting
//	404 -1  GET /payments/{imp_uid} of an unknown imp_uid, or WITHOUT include_sandbox=true (see below);
//	        find with no match ("존재하지 않는 결제정보입니다."); GET prepare of an unknown merchant_uid; unknown path
//	405 -1  a route called with the wrong method
//	200  1  business refusals, which change nothing:
//	          second POST prepare of a merchant_uid, whatever the amount
//	            ("결제정보 사전등록에 실패하였습니다(이미 등록된 merchant_uid입니다).")
//	          cancel of an unknown imp_uid, or of a payment that is not paid ("취소할 결제건이 존재하지 않습니다.")
//	          cancel of a fully refunded payment ("이미 전액취소된 주문입니다.")
//	          cancel whose checksum differs from the balance ("checksum(…)이 취소가능잔액(…)과 일치하지 않아 …")
//	          cancel above the balance ("취소요청금액(…)이 취소가능잔액(…)을 초과합니다.")
//	          cancel whose tax_free exceeds its amount
//	500 -1  the injected "error" fault, by default
//
// The 200/code 1 refusals and the first two wordings are how public client
// code shows PortOne answering; the guards' wording is the sandbox's own.
//
// # Test-channel payments and include_sandbox
//
// Every payment made here is a test-channel payment (sandbox: true). PortOne
// leaves those out of GET /payments/{imp_uid} unless include_sandbox=true
// (default false), and a client that forgets it sees "not found" for a
// payment that exists (§5 item 12). The sandbox does the same, so the
// mistake shows up here and not in production. find has no include_sandbox
// parameter in the schema, so it is not required there.
//
// # The window
//
// GET /checkout opens PortOne's window as IMP.request_pay would: each
// opening starts a payment with a new imp_uid (status ready), so several
// payments may share a merchant_uid, as at PortOne. The buttons POST back to
// the same URL and are answered 303 to m_redirect_url (any query it has is
// kept) with PortOne's redirect parameters (§2.6):
//
//	approve  → paid          ?imp_uid&merchant_uid&imp_success=true            + webhook "paid"
//	cancel   → failed        ?imp_uid&merchant_uid&imp_success=false&error_msg  (fail_reason "사용자가 결제를 취소하셨습니다")
//	fail     → failed        ?imp_uid&merchant_uid&imp_success=false&error_code=F1001&error_msg
//
// The window refuses to open (a page whose only button returns with
// ?merchant_uid&imp_success=false&error_code=F400&error_msg) when the
// merchant_uid was pre-registered with another amount, which is what
// prepare is for (§2.4), and when the merchant_uid is already paid.
//
// # Behaviour where the reference is silent
//
//   - Error codes: 1 for business refusals, -1 for everything else; the
//     window's error_code values F400 and F1001 are the sandbox's.
//   - A partial refund leaves the status paid (the common observation of
//     §2.3); the last refund goes fully to cancelled. cancelled_at is the
//     time of the latest refund, partial ones included.
//   - A cancel by merchant_uid refunds the paid payment of that
//     merchant_uid. tax_free is checked against the refund's amount only;
//     vat_amount and the refund_* fields are accepted and ignored.
//   - A cancel webhook (enable_webhook=true) says status "cancelled", with
//     the refund's cancellation_id, partial refunds included.
//   - Webhooks are sent once, in the background, as JSON.
//   - pg_provider is html5_inicis (pg_id INIpayTest) unless the window's pg
//     parameter names another ("kcp.MID"); channel is pc; card payments carry
//     a fixed test card.
//
// # Faults
//
// Faults (see Fault) are queued with InjectFault or POST /__sandbox/faults
// and consumed first-in-first-out by the next call of their op (and id,
// when set). They are applied after authorisation and after the body is
// read, so a faulted call is still counted by Calls and CallsFor.
package iamport
