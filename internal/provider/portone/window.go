package portone

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
)

// Browser SDK payment parameters (PortOne.requestPayment) that the sandbox's
// window takes as its query, in the order they are written.
var windowParams = []string{
	"storeId", "paymentId", "orderName", "totalAmount", "currency",
	"payMethod", "customerId", "redirectUrl",
}

// payMethodCard is the only method paybridge requests: the sandbox's window
// and paybridge's checkout page both open the card flow.
const payMethodCard = "CARD"

// checkoutURL is the sandbox buyer window for p:
//
//	{WindowURL}/checkout?storeId=…&paymentId=…&orderName=…&totalAmount=…
//	    &currency=KRW&payMethod=CARD&customerId=…&redirectUrl=…
//
// storeId is left out when no StoreID is configured. The amount in it is
// only what the window shows and checks against the pre-registration: the
// amount that counts is verified on the server after the buyer returns.
func (c *Client) checkoutURL(p *payment.Payment, redirectURL string) string {
	v := map[string]string{
		"storeId":     c.storeID,
		"paymentId":   p.ID,
		"orderName":   p.OrderName,
		"totalAmount": strconv.FormatInt(p.Amount, 10),
		"currency":    payment.CurrencyKRW,
		"payMethod":   payMethodCard,
		"customerId":  p.CustomerID,
		"redirectUrl": redirectURL,
	}
	var q []string
	for _, k := range windowParams {
		if k == "storeId" && v[k] == "" {
			continue
		}
		q = append(q, url.QueryEscape(k)+"="+url.QueryEscape(v[k]))
	}
	return c.windowURL + "/checkout?" + strings.Join(q, "&")
}
