package toss

import (
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
)

func TestClient_ParseWebhook(t *testing.T) {
	c := MustClient(t, "")
	const id = "pay_01hzx3k4m5n6p7q8r9s0t1v2w3"
	for _, tt := range []struct {
		name string
		body string
		want string
		code string // expected error code; "" = none
	}{
		{"StatusChanged", string(mustTestdata(t, "webhook_payment_status_changed.json")), id, ""},
		{"DepositCallbackFlat", string(mustTestdata(t, "webhook_deposit_callback.json")), id, ""},
		{"DepositCallbackWrapped", `{"eventType":"DEPOSIT_CALLBACK","createdAt":"2024-02-13T12:18:15.000000","data":{"secret":"ps_x","status":"DONE","transactionKey":"T","orderId":"` + id + `"}}`, id, ""},
		{"DepositCallbackTopLevelID", `{"eventType":"DEPOSIT_CALLBACK","orderId":"` + id + `","secret":"ps_x"}`, id, ""},
		{"OtherEvent", `{"eventType":"BILLING_DELETED","createdAt":"2024-02-13T12:18:15.000000","data":{"billingKey":"b"}}`, "", ""},
		{"PayoutEvent", `{"eventType":"PAYOUT_STATUS_CHANGED","data":{"orderId":"` + id + `"}}`, "", ""},
		{"NoEventNoOrder", `{"createdAt":"2024-02-13T12:18:15.000000"}`, "", ""},
		{"BareOrderID", `{"orderId":"` + id + `"}`, "", ""}, // no deposit fields: not a callback
		{"StatusChangedWithoutOrder", `{"eventType":"PAYMENT_STATUS_CHANGED","data":{"status":"DONE"}}`, "", payment.EINVALID},
		{"StatusChangedNoData", `{"eventType":"PAYMENT_STATUS_CHANGED"}`, "", payment.EINVALID},
		{"DataNotObject", `{"eventType":"PAYMENT_STATUS_CHANGED","data":"x"}`, "", payment.EINVALID},
		{"OrderIDTooLong", `{"eventType":"PAYMENT_STATUS_CHANGED","data":{"orderId":"` + string(make([]byte, 65)) + `"}}`, "", payment.EINVALID},
		{"NotJSON", `eventType=PAYMENT_STATUS_CHANGED`, "", payment.EINVALID},
		{"Array", `[{"eventType":"PAYMENT_STATUS_CHANGED"}]`, "", payment.EINVALID},
		{"Null", `null`, "", payment.EINVALID},
		{"Empty", ``, "", payment.EINVALID},
		{"Truncated", `{"eventType":"PAYMENT_STATUS_CHANGED","data":{"orderId":"pay_`, "", payment.EINVALID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.ParseWebhook(http.Header{"Content-Type": {"application/json"}}, []byte(tt.body))
			if payment.ErrorCode(err) != tt.code || got != tt.want {
				t.Errorf("ParseWebhook = %q, %v; want %q, code %q", got, err, tt.want, tt.code)
			}
		})
	}
}
