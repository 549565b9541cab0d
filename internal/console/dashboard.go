package console

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/paybridge/paybridge/internal/i18n"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

// dashboardDays is the dashboard's window, today included.
const dashboardDays = 30

type dayRow struct {
	Date                  string // MM-DD, KST
	Created, Paid         int64
	PaidAmount            int64
	Refunds, RefundAmount int64
	Conversion            string
}

type providerRow struct {
	Name          string
	Count, Amount int64
}

type dashboardView struct {
	Merchant string
	// Live: the figures are of live payments (real money), else of test
	// payments; the two are never added together. Other is the other
	// mode's 30 days paid, with the link that shows it.
	Live       bool
	OtherPaid  int64
	OtherCount int64
	OtherURL   string
	Merchants  []option
	Today      dayRow
	Month      dayRow
	Days       []dayRow // oldest first
	Providers  []providerRow
	DayChart   chart
	ProvChart  chart
	Attention  *store.Attention
	NeedsCare  bool
	StuckAfter time.Duration
}

// chart is a bar chart drawn on the server as SVG: no script, no CDN.
type chart struct {
	Width, Height int
	Bars          []bar
	Labels        []label
	Max           string
	Empty         bool
}

type bar struct {
	X, Y, W, H int
	Title      string
}

type label struct {
	X, Y int
	Text string
	End  bool // text-anchor end
}

func conversion(created, paid int64) string {
	if created == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", float64(paid)*100/float64(created))
}

func (c *Console) handleDashboard(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	mid := rc.merchantScope()
	if mid == "" {
		if asked := r.URL.Query().Get("merchant"); asked != "" {
			if _, err := c.st.FindMerchantByID(r.Context(), asked); err != nil {
				c.fail(w, r, rc, err)
				return
			}
			mid = asked
		}
	}
	live, err := c.dashboardMode(r)
	if err != nil {
		c.fail(w, r, rc, err)
		return
	}
	now := c.now().In(kst)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, kst)
	since := today.AddDate(0, 0, -(dashboardDays - 1))
	stats, err := c.st.ConsoleStats(r.Context(), mid, since, 9*3600)
	if err != nil {
		c.fail(w, r, rc, err)
		return
	}
	att, err := c.st.ConsoleAttention(r.Context(), mid, c.now().Add(-c.opts.StuckAfter), 20)
	if err != nil {
		c.fail(w, r, rc, err)
		return
	}
	v := dashboardView{Merchant: mid, Live: live, Attention: att, StuckAfter: c.opts.StuckAfter}
	other := url.Values{"mode": {modeTest}}
	if !live {
		other.Set("mode", modeLive)
	}
	if mid != "" && rc.merchantScope() == "" {
		other.Set("merchant", mid)
	}
	v.OtherURL = "/console?" + other.Encode()
	if rc.merchantScope() == "" {
		if v.Merchants, err = c.merchantOptions(r, rc, mid); err != nil {
			c.fail(w, r, rc, err)
			return
		}
	}
	v.NeedsCare = len(att.StuckApproving) > 0 || len(att.RefundRequired) > 0 || att.PendingRefunds > 0 || att.DeadDeliveries > 0

	// Days since the epoch in KST, as the store counts them.
	first := (since.Unix() + 9*3600) / 86400
	days := make([]dayRow, dashboardDays)
	for i := range days {
		days[i].Date = since.AddDate(0, 0, i).Format("01-02")
	}
	at := func(d int64) *dayRow {
		if i := d - first; i >= 0 && i < dashboardDays {
			return &days[i]
		}
		return nil
	}
	byProvider := map[string]*providerRow{}
	for _, f := range stats.Paid {
		if f.Livemode != live {
			if at(f.Day) != nil {
				v.OtherPaid += f.Amount
				v.OtherCount += f.Count
			}
			continue
		}
		if d := at(f.Day); d != nil {
			d.Paid += f.Count
			d.PaidAmount += f.Amount
		}
		pr := byProvider[f.Provider]
		if pr == nil {
			pr = &providerRow{Name: providerName(f.Provider)}
			byProvider[f.Provider] = pr
		}
		pr.Count += f.Count
		pr.Amount += f.Amount
	}
	for _, f := range stats.Created {
		if f.Livemode != live {
			continue
		}
		if d := at(f.Day); d != nil {
			d.Created += f.Count
		}
	}
	for _, f := range stats.Refunded {
		if f.Livemode != live {
			continue
		}
		if d := at(f.Day); d != nil {
			d.Refunds += f.Count
			d.RefundAmount += f.Amount
		}
	}
	for i := range days {
		d := &days[i]
		d.Conversion = conversion(d.Created, d.Paid)
		v.Month.Created += d.Created
		v.Month.Paid += d.Paid
		v.Month.PaidAmount += d.PaidAmount
		v.Month.Refunds += d.Refunds
		v.Month.RefundAmount += d.RefundAmount
	}
	v.Month.Conversion = conversion(v.Month.Created, v.Month.Paid)
	v.Today = days[dashboardDays-1]
	v.Days = days
	for _, p := range providerOrder {
		if pr := byProvider[p]; pr != nil {
			v.Providers = append(v.Providers, *pr)
		} else {
			v.Providers = append(v.Providers, providerRow{Name: providerName(p)})
		}
	}
	v.DayChart = dayChart(days)
	v.ProvChart = providerChart(v.Providers)
	c.render(w, r, rc, http.StatusOK, "dashboard", "Dashboard", v)
}

// dashboardMode is the mode whose figures the dashboard shows: ?mode=live
// or test; by default live when any provider is on live credentials
// (real money is what an operator counts), else test.
func (c *Console) dashboardMode(r *http.Request) (bool, error) {
	switch r.URL.Query().Get("mode") {
	case modeLive:
		return true, nil
	case modeTest:
		return false, nil
	case "":
		for _, live := range c.opts.Livemode {
			if live {
				return true, nil
			}
		}
		return false, nil
	}
	return false, payment.Errorf(payment.EINVALID, "mode must be live or test")
}

// dayChart draws the amount paid per day as vertical bars.
func dayChart(days []dayRow) chart {
	const w, h, top, bottom, left, right = 600, 210, 24, 26, 24, 24
	ch := chart{Width: w, Height: h}
	var peak int64
	for _, d := range days {
		peak = max(peak, d.PaidAmount)
	}
	ch.Empty = peak == 0
	ch.Max = i18n.Won(peak)
	slot := (w - left - right) / len(days)
	for i, d := range days {
		bh := 0
		if peak > 0 {
			bh = int(d.PaidAmount * int64(h-top-bottom) / peak)
		}
		if d.PaidAmount > 0 && bh < 2 {
			bh = 2
		}
		x := left + i*slot
		ch.Bars = append(ch.Bars, bar{X: x + 1, Y: h - bottom - bh, W: slot - 2, H: bh,
			Title: fmt.Sprintf("%s: %s, %d", d.Date, i18n.Won(d.PaidAmount), d.Paid)})
		if i%5 == 0 || i == len(days)-1 {
			ch.Labels = append(ch.Labels, label{X: x + slot/2, Y: h - 8, Text: d.Date})
		}
	}
	return ch
}

// providerChart draws the 30 days' amount per provider as horizontal bars.
func providerChart(ps []providerRow) chart {
	const w, rowH, labelW = 600, 34, 140
	ch := chart{Width: w, Height: rowH*len(ps) + 4}
	var peak int64
	for _, p := range ps {
		peak = max(peak, p.Amount)
	}
	ch.Empty = peak == 0
	for i, p := range ps {
		bw := 0
		if peak > 0 {
			bw = int(p.Amount * int64(w-labelW-120) / peak)
		}
		if p.Amount > 0 && bw < 2 {
			bw = 2
		}
		y := 4 + i*rowH
		ch.Bars = append(ch.Bars, bar{X: labelW, Y: y, W: bw, H: rowH - 10,
			Title: fmt.Sprintf("%s: %s, %d", p.Name, i18n.Won(p.Amount), p.Count)})
		ch.Labels = append(ch.Labels, label{X: labelW - 8, Y: y + rowH/2, Text: p.Name, End: true},
			label{X: labelW + bw + 6, Y: y + rowH/2, Text: i18n.Won(p.Amount)})
	}
	return ch
}
