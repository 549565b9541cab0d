package httpapi

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paybridge/paybridge/client"
	"github.com/paybridge/paybridge/internal/payment"
)

// paymentListJSON is one page of GET /v1/payments: the client package's
// type, like paymentJSON.
type paymentListJSON = client.PaymentList

// maxListParamLen bounds every text parameter of a list; no id, order id or
// provider name is longer, and nothing longer is worth echoing in an error.
const maxListParamLen = 255

// Bounds of a created[…] time: Unix seconds from 1970 to the end of 9999.
var (
	minListTime = time.Unix(0, 0).UTC()
	maxListTime = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
)

// handlePaymentList serves GET /v1/payments: the authenticated merchant's
// payments, newest first, one page at a time, each with its cancellations.
func (a *API) handlePaymentList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q, err := parsePaymentListQuery(MerchantID(ctx), r.URL.RawQuery)
	if err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	if live, ok := payment.LivemodeFrom(ctx); ok {
		q.Livemode = &live // a key lists only payments of its own mode
	}
	ps, cs, more, err := a.svc.ListPayments(ctx, q)
	if err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	data := make([]*paymentJSON, 0, len(ps)) // [] rather than null when empty
	for _, p := range ps {
		data = append(data, toPaymentJSON(p, cs[p.ID]))
	}
	WriteJSON(w, http.StatusOK, paymentListJSON{Object: "list", Data: data, HasMore: more, URL: "/v1/payments"})
}

// listParams are the query parameters GET /v1/payments knows. Any other one
// is refused, as unknown fields are on the money endpoints: a misspelt
// filter silently ignored would list payments the caller did not ask for.
var listParams = map[string]bool{
	"limit": true, "starting_after": true, "ending_before": true,
	"status": true, "provider": true, "order_id": true, "customer_id": true,
	"created[gte]": true, "created[gt]": true, "created[lte]": true, "created[lt]": true,
}

// parsePaymentListQuery turns the query string of GET /v1/payments into a
// ListQuery for merchantID, reporting the first bad parameter as EINVALID.
func parsePaymentListQuery(merchantID, rawQuery string) (payment.ListQuery, error) {
	q := payment.ListQuery{MerchantID: merchantID}
	vals, err := url.ParseQuery(rawQuery)
	if err != nil {
		return q, payment.Errorf(payment.EINVALID, "malformed query string")
	}
	// Sorted, so that the error for a query with several problems is stable.
	for _, name := range slices.Sorted(maps.Keys(vals)) {
		if !listParams[name] {
			return q, payment.Errorf(payment.EINVALID, "unknown parameter %q", clipListValue(name))
		}
		vs := vals[name]
		if name != "status" && len(vs) > 1 {
			return q, payment.Errorf(payment.EINVALID, "%s must be given once", name)
		}
		for _, v := range vs {
			if err := checkListText(name, v); err != nil {
				return q, err
			}
		}
	}
	if v, ok := vals["limit"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > payment.MaxListLimit {
			return q, payment.Errorf(payment.EINVALID, "limit must be an integer between 1 and %d", payment.MaxListLimit)
		}
		q.Limit = n
	}
	for _, v := range vals["status"] {
		// status=paid&status=canceled and status=paid,canceled mean the same.
		for s := range strings.SplitSeq(v, ",") {
			st := payment.Status(strings.TrimSpace(s))
			if !st.Valid() {
				return q, payment.Errorf(payment.EINVALID, "status %q is not one of %s", clipListValue(string(st)), statusList())
			}
			if !slices.Contains(q.Statuses, st) {
				q.Statuses = append(q.Statuses, st)
			}
		}
	}
	q.Provider = vals.Get("provider")
	q.OrderID = vals.Get("order_id")
	q.CustomerID = vals.Get("customer_id")
	q.StartingAfter = vals.Get("starting_after")
	q.EndingBefore = vals.Get("ending_before")
	for _, c := range []struct {
		name string
		dst  *time.Time
	}{
		{"created[gt]", &q.CreatedGT}, {"created[gte]", &q.CreatedGTE},
		{"created[lt]", &q.CreatedLT}, {"created[lte]", &q.CreatedLTE},
	} {
		if v, ok := vals[c.name]; ok {
			t, err := parseListTime(c.name, v[0])
			if err != nil {
				return q, err
			}
			*c.dst = t
		}
	}
	return q, q.Validate()
}

// checkListText requires 1..maxListParamLen bytes of UTF-8 without control
// characters: PostgreSQL refuses invalid UTF-8 and NUL in text, which must
// be the caller's 400 and not our 500.
func checkListText(name, v string) error {
	if v == "" {
		return payment.Errorf(payment.EINVALID, "%s must not be empty", name)
	}
	if len(v) > maxListParamLen {
		return payment.Errorf(payment.EINVALID, "%s must be at most %d bytes", name, maxListParamLen)
	}
	if !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
		return payment.Errorf(payment.EINVALID, "%s must be valid UTF-8 without control characters", name)
	}
	return nil
}

// parseListTime reads Unix seconds or an RFC 3339 time.
func parseListTime(name, v string) (time.Time, error) {
	bad := payment.Errorf(payment.EINVALID,
		"%s must be Unix seconds or an RFC 3339 time such as 2026-03-01T09:00:00Z, between 1970 and 9999", name)
	var t time.Time
	if strings.Trim(v, "0123456789") == "" {
		sec, err := strconv.ParseInt(v, 10, 64)
		if err != nil || sec > maxListTime.Unix() {
			return t, bad
		}
		t = time.Unix(sec, 0).UTC()
	} else {
		var err error
		t, err = time.Parse(time.RFC3339Nano, v)
		if err != nil {
			// An unescaped "+09:00" arrives as " 09:00": a query string
			// decodes + as a space, and RFC 3339 has no spaces otherwise.
			t, err = time.Parse(time.RFC3339Nano, strings.Replace(v, " ", "+", 1))
		}
		if err != nil {
			return t, bad
		}
	}
	if t.Before(minListTime) || t.After(maxListTime) {
		return time.Time{}, bad
	}
	return t, nil
}

func statusList() string {
	names := make([]string, len(payment.Statuses))
	for i, s := range payment.Statuses {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// clipListValue shortens a caller's value for an error message.
func clipListValue(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	for i := n; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "…"
		}
	}
	return s[:n] + "…"
}
