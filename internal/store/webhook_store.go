package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

var _ payment.WebhookStore = (*Store)(nil)

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

const endpointColumns = `id, merchant_id, url, description, enabled_events, secret, previous_secret,
	previous_secret_expires_at, status, disabled_reason, created_at, updated_at, livemode`

// scanEndpoint reads an endpoint and opens its sealed secrets.
func (s *Store) scanEndpoint(row scanner) (*payment.WebhookEndpoint, error) {
	var (
		e                         payment.WebhookEndpoint
		events                    string
		prevExp, created, updated int64
		live                      int64
	)
	if err := row.Scan(&e.ID, &e.MerchantID, &e.URL, &e.Description, &events, &e.Secret, &e.PreviousSecret,
		&prevExp, &e.Status, &e.DisabledReason, &created, &updated, &live); err != nil {
		return nil, err
	}
	e.Livemode = live != 0
	var err error
	if e.Secret, err = s.open(e.Secret, endpointAAD(e.ID)); err != nil {
		return nil, fmt.Errorf("webhook endpoint %s: %w", e.ID, err)
	}
	if e.PreviousSecret, err = s.open(e.PreviousSecret, endpointAAD(e.ID)); err != nil {
		return nil, fmt.Errorf("webhook endpoint %s: %w", e.ID, err)
	}
	e.EnabledEvents = strings.Split(events, ",")
	if prevExp != 0 {
		e.PreviousSecretExpiresAt = fromMicros(prevExp)
	}
	e.CreatedAt, e.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &e, nil
}

func (s *Store) endpoints(ctx context.Context, q querier, where string, args ...any) ([]*payment.WebhookEndpoint, error) {
	return queryAll(ctx, q, "find webhook endpoints", s.scanEndpoint,
		s.q(`SELECT `+endpointColumns+` FROM webhook_endpoints WHERE `+where+` ORDER BY created_at, id`), args...)
}

// CreateWebhookEndpoint implements payment.WebhookStore.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, e *payment.WebhookEndpoint) error {
	return s.withTx(ctx, func(tx *sql.Tx) error { return s.insertEndpoint(ctx, tx, e) })
}

// AddWebhookEndpoint stores e unless its merchant already has max
// endpoints of e's mode, which is EINVALID. The limit is per mode so that
// a test key filling it cannot keep a live key from adding the endpoint
// real payments are announced to. The count and the insert are one
// transaction that first locks the merchant's row, so the limit holds
// however many adds race, on one instance or several: on PostgreSQL, under
// READ COMMITTED, a concurrent add for the same merchant waits for the lock
// and its count, a new statement, then sees the row this one inserted
// (FOR NO KEY UPDATE, so that the key-share locks of payments being
// inserted for the merchant neither wait for it nor hold it up); on SQLite
// the one writer already runs the transactions one after the other.
func (s *Store) AddWebhookEndpoint(ctx context.Context, e *payment.WebhookEndpoint, max int) error {
	lock := ""
	if s.dialect.forUpdate != "" {
		lock = " FOR NO KEY UPDATE"
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM merchants WHERE id = ?`+lock), e.MerchantID).Scan(&id)
		if err != nil {
			return notFound(err, "merchant")
		}
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT count(*) FROM webhook_endpoints WHERE merchant_id = ? AND livemode = ?`),
			e.MerchantID, boolInt(e.Livemode)).Scan(&n); err != nil {
			return fmt.Errorf("count webhook endpoints: merchant_id=%s: %w", e.MerchantID, err)
		}
		if n >= max {
			// The message is the one from before the limit was per mode:
			// clients may match it.
			return payment.Errorf(payment.EINVALID, "a merchant may have at most %d webhook endpoints", max)
		}
		return s.insertEndpoint(ctx, tx, e)
	})
}

// insertEndpoint writes e in tx, filling its times and defaults.
func (s *Store) insertEndpoint(ctx context.Context, tx *sql.Tx, e *payment.WebhookEndpoint) error {
	now := s.now()
	e.CreatedAt, e.UpdatedAt = now, now
	if e.Status == "" {
		e.Status = payment.EndpointEnabled
	}
	if len(e.EnabledEvents) == 0 {
		e.EnabledEvents = []string{"*"}
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO webhook_endpoints (`+endpointColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		e.ID, e.MerchantID, e.URL, e.Description, strings.Join(e.EnabledEvents, ","), s.seal(e.Secret, endpointAAD(e.ID)),
		s.seal(e.PreviousSecret, endpointAAD(e.ID)),
		micros0(e.PreviousSecretExpiresAt), e.Status, e.DisabledReason, micros(now), micros(now), boolInt(e.Livemode))
	if err != nil {
		return fmt.Errorf("insert webhook endpoint: merchant_id=%s: %w", e.MerchantID, err)
	}
	return nil
}

// micros0 stores the zero time as 0.
func micros0(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

// FindWebhookEndpointByID implements payment.WebhookStore.
func (s *Store) FindWebhookEndpointByID(ctx context.Context, merchantID, id string) (*payment.WebhookEndpoint, error) {
	e, err := s.scanEndpoint(s.r.QueryRowContext(ctx, s.q(`SELECT `+endpointColumns+` FROM webhook_endpoints
		WHERE id = ? AND merchant_id = ?`), id, merchantID))
	if err != nil {
		return nil, notFound(err, "webhook endpoint")
	}
	return e, nil
}

// FindWebhookEndpoints implements payment.WebhookStore.
func (s *Store) FindWebhookEndpoints(ctx context.Context, merchantID string) ([]*payment.WebhookEndpoint, error) {
	return s.endpoints(ctx, s.r, `merchant_id = ?`, merchantID)
}

// DeleteWebhookEndpoint implements payment.WebhookStore.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, merchantID, id string) error {
	now := s.now()
	return s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM webhook_endpoints WHERE id = ? AND merchant_id = ?`), id, merchantID)
		if err != nil {
			return fmt.Errorf("delete webhook endpoint: id=%s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return payment.Errorf(payment.ENOTFOUND, "webhook endpoint not found")
		}
		return s.killDeliveries(ctx, tx, id, "endpoint deleted", now)
	})
}

// killDeliveries gives up on every pending delivery to an endpoint.
func (s *Store) killDeliveries(ctx context.Context, tx *sql.Tx, endpointID, reason string, now time.Time) error {
	_, err := tx.ExecContext(ctx, s.q(`UPDATE webhook_deliveries SET status = ?, last_error = ?, lease_owner = '', lease_until = 0,
		updated_at = ? WHERE endpoint_id = ? AND status = ?`),
		payment.DeliveryDead, reason, micros(now), endpointID, payment.DeliveryPending)
	if err != nil {
		return fmt.Errorf("kill deliveries: endpoint_id=%s: %w", endpointID, err)
	}
	return nil
}

// RotateWebhookSecret implements payment.WebhookStore.
func (s *Store) RotateWebhookSecret(ctx context.Context, merchantID, id, secret string, overlapUntil time.Time) (*payment.WebhookEndpoint, error) {
	return s.updateEndpoint(ctx, "rotate webhook secret", merchantID, id,
		`previous_secret = secret, secret = ?, previous_secret_expires_at = ?, updated_at = ?`,
		s.seal(secret, endpointAAD(id)), micros(overlapUntil), micros(s.now()))
}

// updateEndpoint sets columns of one of the merchant's endpoints (set is
// the SET clause, args its values) and returns the endpoint as it is then,
// in one transaction; another merchant's endpoint is not found. what names
// the change in errors.
func (s *Store) updateEndpoint(ctx context.Context, what, merchantID, id, set string, args ...any) (*payment.WebhookEndpoint, error) {
	var e *payment.WebhookEndpoint
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE webhook_endpoints SET `+set+` WHERE id = ? AND merchant_id = ?`),
			append(args, id, merchantID)...)
		if err != nil {
			return fmt.Errorf("%s: id=%s: %w", what, id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return payment.Errorf(payment.ENOTFOUND, "webhook endpoint not found")
		}
		e, err = s.scanEndpoint(tx.QueryRowContext(ctx, s.q(`SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = ?`), id))
		return err
	})
	return e, err
}

const eventColumns = `id, merchant_id, type, payment_id, payload, created_at, livemode`

func scanWebhookEvent(row scanner) (*payment.WebhookEvent, error) {
	var (
		e       payment.WebhookEvent
		payload string
		created int64
		live    int64
	)
	if err := row.Scan(&e.ID, &e.MerchantID, &e.Type, &e.PaymentID, &payload, &created, &live); err != nil {
		return nil, err
	}
	e.Livemode = live != 0
	e.Payload, e.CreatedAt = []byte(payload), fromMicros(created)
	return &e, nil
}

const deliveryColumns = `id, event_id, endpoint_id, status, attempts, next_attempt_at, last_status_code, last_error,
	created_at, updated_at`

func scanDelivery(row scanner) (*payment.WebhookDelivery, error) {
	var (
		d                      payment.WebhookDelivery
		attempts, code         int64
		next, created, updated int64
	)
	if err := row.Scan(&d.ID, &d.EventID, &d.EndpointID, &d.Status, &attempts, &next, &code, &d.LastError,
		&created, &updated); err != nil {
		return nil, err
	}
	d.Attempts, d.LastStatusCode = int(attempts), int(code)
	d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = fromMicros(next), fromMicros(created), fromMicros(updated)
	return &d, nil
}

// FindWebhookEvents implements payment.WebhookStore.
func (s *Store) FindWebhookEvents(ctx context.Context, f payment.WebhookEventFilter) ([]*payment.WebhookEvent, error) {
	where, args := "merchant_id = ?", []any{f.MerchantID}
	if f.StartingAfter != "" {
		where, args = where+" AND id < ?", append(args, f.StartingAfter)
	}
	if f.Livemode != nil {
		where, args = where+" AND livemode = ?", append(args, boolInt(*f.Livemode))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 10
	}
	return s.eventsWithDeliveries(ctx, "find webhook events", `SELECT `+eventColumns+` FROM webhook_events WHERE `+where+
		fmt.Sprintf(" ORDER BY id DESC LIMIT %d", limit), args...)
}

// eventsWithDeliveries reads the events a query selects, each with its
// deliveries; what names the query in errors.
func (s *Store) eventsWithDeliveries(ctx context.Context, what, query string, args ...any) ([]*payment.WebhookEvent, error) {
	evs, err := queryAll(ctx, s.r, what, scanWebhookEvent, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		if e.Deliveries, err = s.deliveries(ctx, s.r, e.ID); err != nil {
			return nil, err
		}
	}
	return evs, nil
}

func (s *Store) deliveries(ctx context.Context, q querier, eventID string) ([]*payment.WebhookDelivery, error) {
	return queryAll(ctx, q, "find webhook deliveries: event_id="+eventID, scanDelivery,
		s.q(`SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE event_id = ? ORDER BY created_at, id`), eventID)
}

// FindWebhookEventByID implements payment.WebhookStore.
func (s *Store) FindWebhookEventByID(ctx context.Context, merchantID, id string) (*payment.WebhookEvent, error) {
	e, err := scanWebhookEvent(s.r.QueryRowContext(ctx, s.q(`SELECT `+eventColumns+` FROM webhook_events
		WHERE id = ? AND merchant_id = ?`), id, merchantID))
	if err != nil {
		return nil, notFound(err, "event")
	}
	if e.Deliveries, err = s.deliveries(ctx, s.r, e.ID); err != nil {
		return nil, err
	}
	return e, nil
}

// ResendWebhookEvent implements payment.WebhookStore.
func (s *Store) ResendWebhookEvent(ctx context.Context, merchantID, eventID, endpointID string) (*payment.WebhookEvent, error) {
	now := s.now()
	var e *payment.WebhookEvent
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		e, err = scanWebhookEvent(tx.QueryRowContext(ctx, s.q(`SELECT `+eventColumns+` FROM webhook_events
			WHERE id = ? AND merchant_id = ?`), eventID, merchantID))
		if err != nil {
			return notFound(err, "event")
		}
		// Only endpoints of the event's mode: a test event is never signed
		// with a live endpoint's secret nor sent to it, and the reverse.
		var eps []*payment.WebhookEndpoint
		if endpointID != "" {
			eps, err = s.endpoints(ctx, tx, `id = ? AND merchant_id = ? AND livemode = ?`, endpointID, merchantID, boolInt(e.Livemode))
			if err == nil && len(eps) == 0 {
				return payment.Errorf(payment.ENOTFOUND, "webhook endpoint not found")
			}
			if err == nil && eps[0].Status != payment.EndpointEnabled {
				return payment.Errorf(payment.ECONFLICT, "webhook endpoint %s is disabled", endpointID)
			}
		} else {
			eps, err = s.endpoints(ctx, tx, `merchant_id = ? AND status = ? AND livemode = ?`, merchantID, payment.EndpointEnabled, boolInt(e.Livemode))
		}
		if err != nil {
			return err
		}
		for _, ep := range eps {
			if endpointID == "" && !ep.Subscribed(e.Type) {
				continue
			}
			if err := s.insertDelivery(ctx, tx, e.ID, ep.ID, now); err != nil {
				return err
			}
		}
		e.Deliveries, err = s.deliveries(ctx, tx, e.ID)
		return err
	})
	return e, err
}

// ClaimWebhookDeliveries implements payment.WebhookStore, with the pattern
// of ClaimPayments: the candidates are chosen and locked skipping rows
// another instance is claiming right now (FOR UPDATE SKIP LOCKED), then
// leased, in one transaction. Endpoints already holding f.PerEndpoint
// leases are passed over in the query, and the batch itself is capped per
// endpoint, so one endpoint's backlog never fills the batch.
func (s *Store) ClaimWebhookDeliveries(ctx context.Context, c payment.Claim, f payment.WebhookClaimFilter) ([]*payment.WebhookJob, error) {
	now := c.Now.UTC().Truncate(time.Microsecond)
	limit := max(f.Limit, 1)
	where, args := "status = ? AND lease_until < ?", []any{payment.DeliveryPending, micros(now)}
	if f.DeliveryID != "" {
		where, args = where+" AND id = ?", append(args, f.DeliveryID)
	} else {
		where, args = where+" AND next_attempt_at <= ?", append(args, micros(now))
	}
	candidates := limit
	if f.PerEndpoint > 0 && f.DeliveryID == "" {
		where += ` AND endpoint_id NOT IN (SELECT endpoint_id FROM webhook_deliveries
			WHERE status = ? AND lease_until >= ? GROUP BY endpoint_id HAVING COUNT(*) >= ?)`
		args = append(args, payment.DeliveryPending, micros(now), f.PerEndpoint)
		candidates = limit * 4
	}
	choose := `SELECT id, endpoint_id FROM webhook_deliveries WHERE ` + where +
		fmt.Sprintf(" ORDER BY next_attempt_at, id LIMIT %d", candidates) + s.dialect.skipLocked
	var jobs []*payment.WebhookJob
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		jobs = jobs[:0]
		perEndpoint := map[string]int{} // leases held, by anyone, and taken now
		if f.PerEndpoint > 0 {
			var err error
			if perEndpoint, err = s.leasedPerEndpoint(ctx, tx, now); err != nil {
				return err
			}
		}
		due, err := queryAll(ctx, tx, "claim webhook deliveries", scanDeliveryEndpoint, s.q(choose), args...)
		if err != nil {
			return err
		}
		var ids []string
		for _, d := range due {
			if len(ids) == limit || (f.PerEndpoint > 0 && perEndpoint[d.endpointID] >= f.PerEndpoint) {
				continue
			}
			perEndpoint[d.endpointID]++
			ids = append(ids, d.id)
		}
		if len(ids) == 0 {
			return nil
		}
		uargs := []any{c.Owner, micros(now.Add(c.Lease))}
		for _, id := range ids {
			uargs = append(uargs, id)
		}
		ds, err := queryAll(ctx, tx, "claim webhook deliveries", scanDelivery, s.q(`UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ?
			WHERE id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+`) RETURNING `+deliveryColumns), uargs...)
		if err != nil {
			return err
		}
		for _, d := range ds {
			jobs = append(jobs, &payment.WebhookJob{Delivery: d})
		}
		for _, j := range jobs {
			if j.Event, err = scanWebhookEvent(tx.QueryRowContext(ctx, s.q(`SELECT `+eventColumns+` FROM webhook_events WHERE id = ?`),
				j.Delivery.EventID)); err != nil {
				return fmt.Errorf("claim webhook deliveries: event_id=%s: %w", j.Delivery.EventID, err)
			}
			j.Endpoint, err = s.scanEndpoint(tx.QueryRowContext(ctx, s.q(`SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = ?`),
				j.Delivery.EndpointID))
			if err != nil && err != sql.ErrNoRows {
				return fmt.Errorf("claim webhook deliveries: endpoint_id=%s: %w", j.Delivery.EndpointID, err)
			}
			// A deleted endpoint leaves j.Endpoint nil: the worker kills it.
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(jobs, func(i, j int) bool { return jobs[i].Delivery.NextAttemptAt.Before(jobs[j].Delivery.NextAttemptAt) })
	return jobs, nil
}

// leasedPerEndpoint counts the live leases of pending deliveries per
// endpoint: at most the workers of every instance, so a small result.
func (s *Store) leasedPerEndpoint(ctx context.Context, tx *sql.Tx, now time.Time) (map[string]int, error) {
	type count struct {
		endpointID string
		n          int64
	}
	counts, err := queryAll(ctx, tx, "count leased deliveries", func(row scanner) (c count, err error) {
		err = row.Scan(&c.endpointID, &c.n)
		return c, err
	}, s.q(`SELECT endpoint_id, COUNT(*) FROM webhook_deliveries
		WHERE status = ? AND lease_until >= ? GROUP BY endpoint_id`), payment.DeliveryPending, micros(now))
	if err != nil {
		return nil, err
	}
	held := map[string]int{}
	for _, c := range counts {
		held[c.endpointID] = int(c.n)
	}
	return held, nil
}

// deliveryEndpoint is a delivery's id and its endpoint's, as the claim of
// deliveries chooses among them.
type deliveryEndpoint struct{ id, endpointID string }

func scanDeliveryEndpoint(row scanner) (d deliveryEndpoint, err error) {
	err = row.Scan(&d.id, &d.endpointID)
	return d, err
}

// RecordWebhookAttempt implements payment.WebhookStore.
func (s *Store) RecordWebhookAttempt(ctx context.Context, a payment.WebhookAttempt) error {
	at := a.At.UTC().Truncate(time.Microsecond)
	var err error
	defer func() { s.observeDelivery(a.Status, err) }()
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		var endpointID string
		err := tx.QueryRowContext(ctx, s.q(`UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1,
			next_attempt_at = ?, last_status_code = ?, last_error = ?, lease_owner = '', lease_until = 0, updated_at = ?
			WHERE id = ? AND lease_owner = ? AND status = ? RETURNING endpoint_id`),
			a.Status, micros0(a.NextAttemptAt), a.StatusCode, a.Error, micros(at), a.DeliveryID, a.Owner, payment.DeliveryPending).Scan(&endpointID)
		if err == sql.ErrNoRows {
			return payment.Errorf(payment.ECONFLICT, "webhook delivery %s is no longer leased to %s", a.DeliveryID, a.Owner)
		}
		if err != nil {
			return fmt.Errorf("record webhook attempt: id=%s: %w", a.DeliveryID, err)
		}
		if !a.DisableEndpoint {
			return nil
		}
		reason := fmt.Sprintf("the endpoint answered %d", a.StatusCode)
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE webhook_endpoints SET status = ?, disabled_reason = ?, updated_at = ? WHERE id = ?`),
			payment.EndpointDisabled, reason, micros(at), endpointID); err != nil {
			return fmt.Errorf("disable webhook endpoint: id=%s: %w", endpointID, err)
		}
		return s.killDeliveries(ctx, tx, endpointID, "endpoint disabled: "+reason, at)
	})
	return err
}
