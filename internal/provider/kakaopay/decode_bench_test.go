package kakaopay

import (
	"os"
	"testing"

	"github.com/paybridge/paybridge/internal/provider"
)

var benchApprove = []byte(`{"aid":"A4122826646966291988","tid":"T1746434190941047034","cid":"TC0ONETIME","partner_order_id":"pay_01m7y6bh0wymaba0wnqv9vms1r","partner_user_id":"buyer","amount":{"total":1000,"tax_free":0,"vat":91,"point":0,"discount":0,"green_deposit":0},"item_name":"Tea","quantity":1,"created_at":"2026-12-03T07:54:22","payment_method_type":"MONEY","approved_at":"2026-12-03T07:54:26"}`)

// BenchmarkAnswerApprove: an approve answer decoded and kept, as Approve
// reads it (provider.Keep through Transport.JSON).
func BenchmarkAnswerApprove(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var v approveResponse
		var raw []byte
		if err := provider.Keep(&v, &raw).UnmarshalJSON(benchApprove); err != nil || raw == nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnswerReady: a ready answer decoded through provider.Keep (Ready
// itself keeps no copy, but reads it with the same decoder).
func BenchmarkAnswerReady(b *testing.B) {
	body, err := os.ReadFile("testdata/ready.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var v readyResponse
		var raw []byte
		if err := provider.Keep(&v, &raw).UnmarshalJSON(body); err != nil {
			b.Fatal(err)
		}
	}
}
