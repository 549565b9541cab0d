package service

import (
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
)

func TestMismatch(t *testing.T) {
	p := &payment.Payment{ProviderTID: "T1", ProviderCID: "TC0ONETIME", ProviderOrderID: "pay_1", Amount: 9000}
	ok := payment.ProviderPayment{TID: "T1", CID: "TC0ONETIME", OrderID: "pay_1", Amount: 9000}
	tests := []struct {
		name   string
		change func(*payment.ProviderPayment)
		want   bool
	}{
		{"Same", func(*payment.ProviderPayment) {}, false},
		{"ProviderOmitsIDs", func(r *payment.ProviderPayment) { r.TID, r.CID, r.OrderID = "", "", "" }, false},
		{"OtherTID", func(r *payment.ProviderPayment) { r.TID = "T2" }, true},
		{"OtherCID", func(r *payment.ProviderPayment) { r.CID = "TCSUBSCRIP" }, true},
		{"OtherOrder", func(r *payment.ProviderPayment) { r.OrderID = "pay_2" }, true},
		{"LessMoney", func(r *payment.ProviderPayment) { r.Amount = 8999 }, true},
		{"MoreMoney", func(r *payment.ProviderPayment) { r.Amount = 9001 }, true},
		{"NoAmount", func(r *payment.ProviderPayment) { r.Amount = 0 }, true},
		{"SameCurrency", func(r *payment.ProviderPayment) { r.Currency = payment.CurrencyKRW }, false},
		{"OtherCurrency", func(r *payment.ProviderPayment) { r.Currency = "USD" }, true},
		{"CurrencyInOtherCase", func(r *payment.ProviderPayment) { r.Currency = "krw" }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.change(&r)
			if got := mismatch(p, &r) != ""; got != tt.want {
				t.Fatalf("mismatch = %q, want mismatch %v", mismatch(p, &r), tt.want)
			}
		})
	}
}

func TestDropInURLs_Expand(t *testing.T) {
	got := DefaultDropInURLs.expand("a b&c")
	if got.Success != "http://localhost:8080/Client/success.html?userId=a+b%26c" {
		t.Fatalf("success = %q", got.Success)
	}
}
