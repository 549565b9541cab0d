package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// EventRenderer renders the JSON body of an outbound webhook event: the
// event's id, type and time, and the payment (with its cancellations) as
// the API shows it.
type EventRenderer func(eventID, eventType string, p *payment.Payment, cs []*payment.Cancellation, at time.Time) ([]byte, error)

// SetEventRenderer sets how this store renders webhook event bodies
// (app hands it webhook.RenderEvent: the body is the API's payment object,
// which the store does not need to know). Call it once,
// before the store is used; until then defaultEventRenderer is used.
func (s *Store) SetEventRenderer(fn EventRenderer) { s.eventRenderer = fn }

func (s *Store) renderEvent(eventID, eventType string, p *payment.Payment, cs []*payment.Cancellation, at time.Time) ([]byte, error) {
	if s.eventRenderer != nil {
		return s.eventRenderer(eventID, eventType, p, cs, at)
	}
	return defaultEventRenderer(eventID, eventType, p, cs, at)
}

// defaultEventRenderer is a minimal body, for tests of the store alone.
func defaultEventRenderer(eventID, eventType string, p *payment.Payment, _ []*payment.Cancellation, at time.Time) ([]byte, error) {
	return json.Marshal(map[string]any{
		"id": eventID, "type": eventType, "created_at": at.UTC().Format(time.RFC3339), "livemode": p.Livemode,
		"data": map[string]any{"object": map[string]any{
			"id": p.ID, "object": "payment", "status": p.Status, "amount": p.Amount, "livemode": p.Livemode,
			"canceled_amount": p.CanceledAmount, "order_id": p.OrderID,
		}},
	})
}

// writeOutbox records, inside the transaction that changed payment p, the
// event of type typ announcing it ("" announces nothing) and one pending
// delivery per enabled endpoint of the merchant, of the payment's mode,
// subscribed to its type. Because it shares the transaction, an event
// exists exactly when the change was committed (the outbox pattern); the
// worker sends it later, at least once.
func (s *Store) writeOutbox(ctx context.Context, tx *sql.Tx, p *payment.Payment, from payment.Status, typ string, now time.Time) error {
	if typ == "" {
		return nil
	}
	now = now.UTC().Truncate(time.Microsecond)
	var cs []*payment.Cancellation
	if !neverSettled(from) {
		var err error
		if cs, err = queryAll(ctx, tx, "cancellations", scanCancellation, s.q(paymentCancellations), p.ID); err != nil {
			return fmt.Errorf("outbox: payment_id=%s: %w", p.ID, err)
		}
	}
	ev, insert, args, err := s.outboxEvent(p, typ, cs, now)
	if err != nil {
		return err
	}
	// Only the endpoints' ids and subscriptions: nothing else is needed
	// here, and their secrets need not be opened on the writer.
	subscribers, subArgs := outboxSubscribers, []any{p.MerchantID, payment.EndpointEnabled, boolInt(p.Livemode)}
	if s.dialect.oneStatement {
		// The event's insert rides on the read: one round trip.
		subscribers, subArgs = `WITH ev AS (`+insert+`) `+subscribers, append(args, subArgs...)
	} else if _, err := tx.ExecContext(ctx, s.q(insert), args...); err != nil {
		return fmt.Errorf("outbox: insert event: payment_id=%s: %w", p.ID, err)
	}
	eps, err := queryAll(ctx, tx, "outbox: insert event and find its endpoints", scanSubscriber, s.q(subscribers), subArgs...)
	if err != nil {
		return fmt.Errorf("outbox: payment_id=%s: %w", p.ID, err)
	}
	for _, e := range eps {
		if !e.Subscribed(typ) {
			continue
		}
		if err := s.insertDelivery(ctx, tx, ev.ID, e.ID, now); err != nil {
			return err
		}
	}
	return nil
}

// neverSettled reports whether a payment that was in status from until this
// transaction was never paid: statuses only move forward, and none before
// paid is reachable from paid. Such a payment has no cancellations
// (CreateCancellation refuses a payment that is not settled), so the event
// announcing its change need not look for them: one statement fewer on
// the writer for every payment that becomes paid.
func neverSettled(from payment.Status) bool {
	return from == payment.StatusCreated || from == payment.StatusReady || from == payment.StatusApproving
}

// deliveryInsert is the INSERT (? placeholders) of a pending delivery of
// event eventID to endpoint endpointID, with its arguments.
func deliveryInsert(eventID, endpointID string, now time.Time) (string, []any) {
	return `INSERT INTO webhook_deliveries (id, event_id, endpoint_id, status, attempts,
		next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?)`,
		[]any{payment.NewID("whd", now), eventID, endpointID, payment.DeliveryPending, micros(now), micros(now), micros(now)}
}

// outboxSubscribers reads the ids and subscriptions of a merchant's
// enabled endpoints of one mode (the arguments: merchant id,
// payment.EndpointEnabled, the payment's livemode as 0 or 1). An event goes
// only to endpoints of its payment's mode: a live endpoint's secret never
// signs a test event, and a test endpoint never hears of real money.
const outboxSubscribers = `SELECT id, enabled_events FROM webhook_endpoints
	WHERE merchant_id = ? AND status = ? AND livemode = ? ORDER BY created_at, id`

// outboxEvent is the webhook event of type typ announcing payment p, as
// it is now with its cancellations cs, and its INSERT (? placeholders)
// with arguments.
func (s *Store) outboxEvent(p *payment.Payment, typ string, cs []*payment.Cancellation, now time.Time) (*payment.WebhookEvent, string, []any, error) {
	ev := &payment.WebhookEvent{
		ID: payment.NewID("evt", now), MerchantID: p.MerchantID, Type: typ, PaymentID: p.ID, CreatedAt: now,
	}
	var err error
	if ev.Payload, err = s.renderEvent(ev.ID, typ, p, cs, now); err != nil {
		return nil, "", nil, fmt.Errorf("outbox: render %s: payment_id=%s: %w", typ, p.ID, err)
	}
	insert := `INSERT INTO webhook_events (id, merchant_id, type, payment_id, payload, created_at, livemode)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	args := []any{ev.ID, ev.MerchantID, ev.Type, ev.PaymentID, string(ev.Payload), micros(now), boolInt(p.Livemode)}
	return ev, insert, args, nil
}

// scanSubscriber reads an endpoint's id and the events it is subscribed to.
func scanSubscriber(row scanner) (*payment.WebhookEndpoint, error) {
	var (
		e      payment.WebhookEndpoint
		events string
	)
	if err := row.Scan(&e.ID, &events); err != nil {
		return nil, err
	}
	e.EnabledEvents = strings.Split(events, ",")
	return &e, nil
}

// paymentCancellations reads a payment's cancellations, oldest first.
const paymentCancellations = `SELECT ` + cancellationColumns + ` FROM cancellations WHERE payment_id = ? ORDER BY created_at, id`

func (s *Store) insertDelivery(ctx context.Context, tx *sql.Tx, eventID, endpointID string, now time.Time) error {
	insert, args := deliveryInsert(eventID, endpointID, now)
	_, err := tx.ExecContext(ctx, s.q(insert), args...)
	if err != nil {
		return fmt.Errorf("insert delivery: event_id=%s endpoint_id=%s: %w", eventID, endpointID, err)
	}
	return nil
}
