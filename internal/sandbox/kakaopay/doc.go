// Package kakaopay is an in-memory emulator of KakaoPay's single-payment
// (단건결제) server API, both generations, plus the buyer's page.
//
// Real client code is pointed at it, so it answers with KakaoPay's field
// names, shapes, status values and error bodies (see
// docs/providers.md §1). It keeps every payment's state, expires
// unapproved payments, and can inject faults.
//
// # Routes (relative to the handler root; mount with http.StripPrefix)
//
//	POST /v1/payment/{ready,approve,cancel,order}         legacy (kapi.kakao.com):
//	                                                      Authorization: KakaoAK {key}, form-urlencoded body
//	POST /online/v1/payment/{ready,approve,cancel,order}  current (open-api.kakaopay.com):
//	                                                      Authorization: SECRET_KEY {key} or DEV_SECRET_KEY {key}, JSON body
//	GET  /checkout/{tid}                                  buyer page (next_redirect_*_url point here)
//	POST /checkout/{tid}                                  buyer's choice: action=approve|cancel|fail, method=CARD|MONEY
//	POST   /__sandbox/faults                              queue a Fault (JSON body), 204
//	DELETE /__sandbox/faults                              clear queued faults, 204
//	GET    /__sandbox/stats                               {"calls":{"ready":n,…},"approve_calls_by_tid":{tid:n}}
//
// The /__sandbox endpoints need no authorisation: the sandbox holds no real
// money, and tests and people drive it by hand.
//
// # Errors
//
// Legacy errors are {"code":…, "msg":…, "extras":{…}}; current ones are
// {"error_code":…, "error_message":…, "extras":{…}}. extras is present only
// when there is something to say (a decline). The codes:
//
//	401 -400  Authorization header missing
//	401 -401  malformed or wrong key, or the other generation's scheme (KakaoAK on /online/…, SECRET_KEY on /v1/…)
//	400 -2    wrong Content-Type, missing or invalid parameter, unknown tid, a cid that does not own the tid,
//	          wrong pg_token / partner ids / total_amount at approve, expired tid at approve,
//	          cancel of a payment that is not paid, cancel_available_amount mismatch, over-cancel
//	400 -731  cid is not 10 characters
//	400 -702  approve of a tid that is already approved (also after it was cancelled)
//	400 -780  approve of a tid the buyer has not authenticated (READY, OPEN_PAYMENT) or that has failed or
//	          been quit; and the injected "decline" fault (with extras.method_result_code)
//	404 -404  unknown path
//	405 -404  a method other than POST on an API path (KakaoPay's "wrong URL"; the real answer is undocumented)
//	500 -500  the injected "error" fault, by default
//
// # Behaviour where KakaoPay's documentation is silent
//
//   - A tid lives Options.Expiry (15 minutes by default) from ready. A tid that
//     was never approved reports FAIL_PAYMENT from /order once that time has
//     passed; approve then answers -2 "tid expired" and the buyer page
//     redirects to fail_url.
//   - Until a payment is approved, /order reports cancel_available_amount as
//     zero in every field: nothing can be cancelled yet.
//   - A full cancel that leaves cancel_vat_amount unset cancels the whole
//     remaining VAT, so rounding of earlier partial cancels leaves no residue.
//   - When green_deposit was used, only a cancel of the whole remainder is
//     accepted (KakaoPay forbids partial cancels then).
//   - The injected "decline" answers -780 with method_result_code
//     CARD_DECLINED (KakaoPay's card and bank results are not public) and
//     fails the payment; with USER_LOCKED, KakaoPay's documented "a
//     transaction is in progress", it refuses the call and leaves the
//     payment as it is.
//   - The buyer page picks MONEY unless the buyer selects CARD (or ready
//     allowed only CARD); card_info and selected_card_info hold fixed test data.
//
// # Faults
//
// Faults (see Fault) are queued with InjectFault or POST /__sandbox/faults and
// consumed first-in-first-out by the next call of their op (and tid, when
// set). They are applied after authorisation and after the body is decoded,
// so an injected fault is still counted by Calls and CallsFor.
package kakaopay
