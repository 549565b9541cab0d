package console

import (
	"fmt"
	"time"

	"github.com/paybridge/paybridge/internal/i18n"
	"github.com/paybridge/paybridge/internal/payment"
)

// failureReasons explains paybridge's failure codes to an operator.
var failureReasons = map[string][2]string{
	"amount_mismatch":      {"the provider reported another amount than the order's, so paybridge refused it and refunded what was charged", "PG사가 주문과 다른 금액을 알려 와 paybridge가 결제를 거절하고 청구된 금액을 환불했습니다"},
	"return_tampered":      {"the buyer's return named another order or amount, so paybridge refused it and refunded what was charged", "구매자의 복귀 주소가 다른 주문이나 금액을 가리켜 paybridge가 결제를 거절하고 청구된 금액을 환불했습니다"},
	"refund_required":      {"the payment was refused but refunding the charge failed at the provider; every sweep retries the refund", "결제를 거절했지만 PG사 환불이 실패했습니다. 정산 작업이 환불을 계속 다시 시도합니다"},
	"refunded_after_retry": {"the payment was refused and its charge was refunded after retrying", "결제를 거절했고 청구된 금액은 재시도 끝에 환불되었습니다"},
	"provider_declined":    {"the provider declined the payment", "PG사가 결제를 거절했습니다"},
}

// explain says in one or two sentences what happened to a payment, from
// its state, amounts and failure: the first thing an operator reads.
func explain(lang string, p *payment.Payment, cs []*payment.Cancellation) string {
	ko := lang == langKo
	won := i18n.Won
	prov := providerName(p.Provider)
	var s string
	switch p.Status {
	case payment.StatusCreated:
		s = pick(ko, "The payment was created and paybridge is waiting for "+prov+" to accept it.",
			"결제가 생성되었고 "+prov+"의 응답을 기다리는 중입니다.")
	case payment.StatusReady:
		s = pick(ko, "The buyer was sent to "+prov+" and has not finished paying yet; it expires at "+kstShort(p.ExpiresAt)+".",
			"구매자가 "+prov+" 결제창으로 이동했고 아직 결제를 마치지 않았습니다. "+kstShort(p.ExpiresAt)+"에 만료됩니다.")
	case payment.StatusApproving:
		s = pick(ko, "paybridge asked "+prov+" to finish the payment and the outcome is not known yet; it settles it by asking "+prov+".",
			"paybridge가 "+prov+"에 결제 승인을 요청했고 결과를 아직 모릅니다. "+prov+"에 조회해 확정합니다.")
	case payment.StatusPaid:
		s = pick(ko, fmt.Sprintf("Paid %s through %s at %s.", won(p.Amount), prov, kstShort(p.ApprovedAt)),
			fmt.Sprintf("%s에 %s로 %s 결제되었습니다.", kstShort(p.ApprovedAt), prov, won(p.Amount)))
	case payment.StatusPartiallyCanceled:
		s = pick(ko, fmt.Sprintf("Paid %s through %s; %s has been refunded and %s can still be refunded.", won(p.Amount), prov, won(p.CanceledAmount), won(p.CancelableAmount())),
			fmt.Sprintf("%s로 %s 결제되었고, %s 환불되어 %s 더 환불할 수 있습니다.", prov, won(p.Amount), won(p.CanceledAmount), won(p.CancelableAmount())))
	case payment.StatusCanceled:
		s = pick(ko, fmt.Sprintf("Paid %s through %s and refunded in full.", won(p.Amount), prov),
			fmt.Sprintf("%s로 %s 결제되었고 전액 환불되었습니다.", prov, won(p.Amount)))
	case payment.StatusAborted:
		s = pick(ko, "The buyer left "+prov+"'s payment window without paying (confirmed with "+prov+"). No money moved.",
			"구매자가 "+prov+" 결제창에서 결제하지 않고 나갔습니다("+prov+" 조회로 확인). 돈은 움직이지 않았습니다.")
	case payment.StatusExpired:
		s = pick(ko, "The buyer did not finish within "+prov+"'s time window. No money moved.",
			"구매자가 "+prov+"의 결제 가능 시간 안에 결제하지 않았습니다. 돈은 움직이지 않았습니다.")
	case payment.StatusFailed:
		reason := pick(ko, "the payment failed", "결제가 실패했습니다")
		if r, ok := failureReasons[p.FailureCode]; ok {
			reason = pick(ko, r[0], r[1])
		}
		s = pick(ko, "Failed: "+reason+".", "실패: "+reason+".")
		if p.ProviderErrorCode != "" || p.ProviderErrorMessage != "" {
			s += pick(ko, fmt.Sprintf(" %s said: %s %s.", prov, p.ProviderErrorCode, p.ProviderErrorMessage),
				fmt.Sprintf(" %s 응답: %s %s.", prov, p.ProviderErrorCode, p.ProviderErrorMessage))
		}
	}
	for _, c := range cs {
		if c.Status == payment.CancellationPending {
			s += pick(ko, fmt.Sprintf(" A refund of %s is pending at %s; paybridge settles it by asking %s.", won(c.Amount), prov, prov),
				fmt.Sprintf(" %s 환불이 %s에서 처리 중이며, paybridge가 조회로 확정합니다.", won(c.Amount), prov))
		}
	}
	return s
}

func pick(ko bool, en, kor string) string {
	if ko {
		return kor
	}
	return en
}

// kstShort is a time in KST to the minute.
func kstShort(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(kst).Format("2006-01-02 15:04") + " KST"
}
