package web

import (
	"github.com/paybridge/paybridge/internal/i18n"
	"github.com/paybridge/paybridge/internal/payment"
)

// text is every sentence of the pages, in Korean (the default: buyers of
// Korean shops read Korean) and English. Each provider's name and the name
// of its payment id come from its registration (see providerText).
var text = withProviderText(i18n.Catalog{
	i18n.Korean: {
		"switch":         "English",
		"sandbox_banner": "샌드박스 모드 — 결제는 paybridge에 내장된 결제사 샌드박스로 갑니다. 실제 돈은 오가지 않습니다.",
		"shop_title":     "paybridge 데모 상점",
		"shop_h1":        "데모 상점",
		"shop_intro":     "원래 예제의 주문 양식을 안전하게 만든 것입니다. 합계는 서버에서 계산하고 넘침을 검사하며, 구매자의 브라우저는 결제사의 결제 ID를 갖지 않습니다.",
		"buyer":          "구매자 ID",
		"product":        "상품",
		"price":          "단가 (원)",
		"quantity":       "수량",
		"pay_with":       "결제 수단",
		"pay":            "결제하기",
		"err_provider":   "제공되는 결제사 중 하나를 고르세요.",
		"err_csrf":       "이 양식은 만료되었거나 이 상점에서 온 것이 아닙니다. 페이지를 새로 고친 뒤 다시 시도하세요.",
		"err_price":      "단가는 1원 이상의 정수여야 합니다.",
		"err_quantity":   "수량은 1 이상 %s 이하의 정수여야 합니다.",
		"err_total":      "합계(단가 × 수량)는 %s 이하여야 합니다.",
		"error_title":    "문제가 생겼습니다",
		"err_not_found":  "결제 정보를 찾을 수 없습니다. 링크가 맞는지 확인해 주세요.",
		"back_shop":      "데모 상점으로 돌아가기",
		"back_merchant":  "상점으로 돌아가기",
		"back_later":     "결제가 확인되면 여기에 상점으로 돌아가는 링크가 나타납니다.",
		"payment":        "결제 번호",
		"provider":       "결제사",
		"item":           "상품",
		"amount":         "결제 금액",
		"refunded":       "환불 금액",
		"customer":       "구매자",
		"created":        "주문 시각",
		"approved":       "승인 시각",
		"checkout_title": "결제",
		"checkout_open":  "결제창을 여는 중입니다…",
		"no_charge":      "청구된 금액은 없습니다.",
		"provider_says":  "결제사 안내: %s",

		"status_paid":               "결제 완료",
		"status_partially_canceled": "부분 환불",
		"status_canceled":           "전액 환불",
		"status_approving":          "확인 중",
		"status_ready":              "미완료",
		"status_aborted":            "결제 취소",
		"status_expired":            "시간 초과",
		"status_failed":             "결제 실패",

		"h_paid":                "결제가 완료되었습니다",
		"p_paid":                "결제사가 주문하신 금액의 결제를 승인했습니다.",
		"h_partially_canceled":  "결제 금액 중 일부가 환불되었습니다",
		"p_partially_canceled":  "환불된 금액은 아래에 있습니다. 나머지 금액은 결제된 상태입니다.",
		"h_canceled":            "결제가 취소되어 전액 환불되었습니다",
		"p_canceled":            "카드사에 따라 환불이 반영되기까지 며칠이 걸릴 수 있습니다.",
		"h_approving":           "결제 결과를 확인하고 있습니다",
		"p_approving":           "결제사의 답을 기다리는 중입니다. 이 페이지는 저절로 새로 고쳐지며, 두 번 청구되는 일은 없습니다.",
		"h_ready":               "결제가 끝나지 않았습니다",
		"h_aborted":             "결제를 취소하셨습니다",
		"h_expired":             "결제 시간이 지났습니다",
		"p_expired":             "정해진 시간 안에 결제가 끝나지 않았습니다.",
		"h_failed":              "결제하지 못했습니다",
		"p_declined":            "결제사가 결제를 승인하지 않았습니다.",
		"p_mismatch":            "결제 내용이 주문과 맞지 않아 결제를 취소하고, 청구된 금액이 있다면 환불했습니다.",
		"p_refund_pending":      "결제 내용이 주문과 맞지 않아 결제를 취소했습니다. 청구된 금액의 환불을 진행하고 있습니다.",
		"p_late_refunded":       "결제가 닫힌 뒤에 청구된 금액은 환불했습니다.",
		"p_late_refund_pending": "결제가 닫힌 뒤에 청구된 금액의 환불을 진행하고 있습니다.",
		"p_interrupted":         "결제를 시작하는 중에 문제가 생겼습니다.",
	},
	i18n.English: {
		"switch":         "한국어",
		"sandbox_banner": "SANDBOX MODE — payments go to paybridge's built-in provider sandbox; no real money moves.",
		"shop_title":     "paybridge demo shop",
		"shop_h1":        "Demo shop",
		"shop_intro":     "The original sample's form, done safely: the total is computed on the server and checked for overflow; the buyer's browser never holds the provider's payment id.",
		"buyer":          "Buyer id",
		"product":        "Product",
		"price":          "Unit price (won)",
		"quantity":       "Quantity",
		"pay_with":       "Pay with",
		"pay":            "Pay",
		"err_provider":   "Choose one of the payment providers offered.",
		"err_csrf":       "This form has expired or did not come from this shop: reload the page and try again.",
		"err_price":      "Unit price must be a whole number of won, at least 1.",
		"err_quantity":   "Quantity must be a whole number between 1 and %s.",
		"err_total":      "The total (unit price × quantity) must be at most %s.",
		"error_title":    "Something went wrong",
		"err_not_found":  "No such payment. Please check the link.",
		"back_shop":      "Back to the demo shop",
		"back_merchant":  "Back to the shop",
		"back_later":     "The link back to the shop appears here once the payment is confirmed.",
		"payment":        "Payment",
		"provider":       "Provider",
		"item":           "Item",
		"amount":         "Amount",
		"refunded":       "Refunded",
		"customer":       "Buyer",
		"created":        "Ordered",
		"approved":       "Approved",
		"checkout_title": "Pay",
		"checkout_open":  "Opening the payment window…",
		"no_charge":      "Nothing has been charged.",
		"provider_says":  "The provider says: %s",

		"status_paid":               "Paid",
		"status_partially_canceled": "Partly refunded",
		"status_canceled":           "Refunded",
		"status_approving":          "Confirming",
		"status_ready":              "Not completed",
		"status_aborted":            "Cancelled",
		"status_expired":            "Expired",
		"status_failed":             "Failed",

		"h_paid":                "Your payment is complete",
		"p_paid":                "The provider approved the payment for your order.",
		"h_partially_canceled":  "Part of your payment was refunded",
		"p_partially_canceled":  "The refunded amount is shown below; the rest remains paid.",
		"h_canceled":            "Your payment was cancelled and refunded in full",
		"p_canceled":            "Depending on the card company, the refund may take a few days to appear.",
		"h_approving":           "Confirming your payment with the provider",
		"p_approving":           "Waiting for the provider's answer. This page refreshes by itself; you will not be charged twice.",
		"h_ready":               "The payment was not completed",
		"h_aborted":             "You cancelled the payment",
		"h_expired":             "The payment timed out",
		"p_expired":             "The payment was not finished within the provider's time limit.",
		"h_failed":              "The payment did not go through",
		"p_declined":            "The provider did not approve the payment.",
		"p_mismatch":            "The payment did not match the order, so it was cancelled and anything charged was refunded.",
		"p_refund_pending":      "The payment did not match the order, so it was cancelled; the refund of what was charged is under way.",
		"p_late_refunded":       "What was charged after the payment had closed has been refunded.",
		"p_late_refund_pending": "What was charged after the payment had closed is being refunded.",
		"p_interrupted":         "Something went wrong while starting the payment.",
	},
})

// outcome is what the result page says about a payment: a status word, a
// headline and sentences a buyer understands, never a raw status or code.
type outcome struct {
	Class, Label, Headline string
	Lines                  []string
	// Alert shows Lines as a problem: for a failure, not for a buyer's own
	// cancel, where "nothing has been charged" is reassurance.
	Alert bool
}

// lateCharge is what a closed payment's page says about money: nothing
// charged, or a charge made after it closed (a provider window that
// outlived it) refunded or being refunded.
func lateCharge(p *payment.Payment, m map[string]string) string {
	switch p.FailureCode {
	case "refund_required":
		return m["p_late_refund_pending"]
	case "late_charge_refunded", "refunded_after_retry":
		return m["p_late_refunded"]
	}
	return m["no_charge"]
}

func describe(p *payment.Payment, m map[string]string) outcome {
	st := string(p.Status)
	if p.Status == payment.StatusCreated {
		st = string(payment.StatusReady)
	}
	o := outcome{Label: m["status_"+st], Headline: m["h_"+st]}
	switch p.Status {
	case payment.StatusPaid, payment.StatusPartiallyCanceled, payment.StatusCanceled:
		o.Class = "ok"
		o.Lines = []string{m["p_"+st]}
	case payment.StatusApproving:
		o.Class = "wait"
		o.Lines = []string{m["p_approving"]}
	case payment.StatusReady, payment.StatusCreated:
		o.Class = "wait"
		o.Lines = []string{m["no_charge"]}
	case payment.StatusAborted:
		o.Class = "bad"
		o.Lines = []string{lateCharge(p, m)}
	case payment.StatusExpired:
		o.Class = "bad"
		o.Lines = []string{m["p_expired"], lateCharge(p, m)}
	default: // failed
		o.Class, o.Alert = "bad", true
		switch p.FailureCode {
		case "refund_required":
			o.Lines = []string{m["p_refund_pending"]}
		case "amount_mismatch", "return_tampered", "refunded_after_retry", "late_charge_refunded":
			o.Lines = []string{m["p_mismatch"]}
		case "prepare_interrupted":
			o.Lines = []string{m["p_interrupted"], m["no_charge"]}
		default:
			o.Lines = []string{m["p_declined"], m["no_charge"]}
		}
	}
	return o
}
