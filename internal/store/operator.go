package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// This file keeps the console's operators, their sessions and the audit log.

const operatorColumns = `id, email, password_hash, role, merchant_id, failed_logins, locked_until, disabled_at,
	created_at, updated_at`

func scanOperator(row scanner) (*payment.Operator, error) {
	var (
		o                payment.Operator
		failed, locked   int64
		disabled         sql.NullInt64
		created, updated int64
	)
	if err := row.Scan(&o.ID, &o.Email, &o.PasswordHash, &o.Role, &o.MerchantID, &failed, &locked, &disabled,
		&created, &updated); err != nil {
		return nil, err
	}
	o.FailedLogins = int(failed)
	if locked != 0 {
		o.LockedUntil = fromMicros(locked)
	}
	o.DisabledAt = fromNullMicros(disabled)
	o.CreatedAt, o.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &o, nil
}

// CreateOperator stores a new operator. An email already taken is ECONFLICT.
func (s *Store) CreateOperator(ctx context.Context, o *payment.Operator) error {
	now := s.now()
	o.CreatedAt, o.UpdatedAt = now, now
	return s.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO operators (`+operatorColumns+`)
			VALUES (?, ?, ?, ?, ?, 0, 0, NULL, ?, ?)`),
			o.ID, o.Email, o.PasswordHash, o.Role, o.MerchantID, micros(now), micros(now))
		if err != nil {
			if s.dialect.isUniqueViolation(err) {
				return payment.Errorf(payment.ECONFLICT, "an operator with email %s already exists", o.Email)
			}
			return fmt.Errorf("insert operator: %w", err)
		}
		return nil
	})
}

// FindOperatorByEmail returns ENOTFOUND when no operator has the email.
func (s *Store) FindOperatorByEmail(ctx context.Context, email string) (*payment.Operator, error) {
	o, err := scanOperator(s.r.QueryRowContext(ctx, s.q(`SELECT `+operatorColumns+` FROM operators WHERE email = ?`), email))
	if err != nil {
		return nil, notFound(err, "operator")
	}
	return o, nil
}

// FindOperatorByID returns ENOTFOUND when there is no such operator.
func (s *Store) FindOperatorByID(ctx context.Context, id string) (*payment.Operator, error) {
	o, err := scanOperator(s.r.QueryRowContext(ctx, s.q(`SELECT `+operatorColumns+` FROM operators WHERE id = ?`), id))
	if err != nil {
		return nil, notFound(err, "operator")
	}
	return o, nil
}

// FindOperators lists every operator, oldest first.
func (s *Store) FindOperators(ctx context.Context) ([]*payment.Operator, error) {
	return queryAll(ctx, s.r, "find operators", scanOperator, `SELECT `+operatorColumns+` FROM operators ORDER BY created_at, id`)
}

// RecordLoginFailure counts a failed sign-in and, once failures reach
// maxFailures, locks the operator until lockUntil. It returns the operator
// as it is now. The count is one atomic UPDATE, so concurrent guesses on
// several instances all count.
func (s *Store) RecordLoginFailure(ctx context.Context, id string, maxFailures int, lockUntil time.Time) (*payment.Operator, error) {
	now := s.now()
	var o *payment.Operator
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`UPDATE operators SET failed_logins = failed_logins + 1,
			locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END, updated_at = ?
			WHERE id = ?`), maxFailures, micros(lockUntil), micros(now), id)
		if err != nil {
			return fmt.Errorf("record login failure: %w", err)
		}
		o, err = scanOperator(tx.QueryRowContext(ctx, s.q(`SELECT `+operatorColumns+` FROM operators WHERE id = ?`), id))
		return notFound(err, "operator")
	})
	return o, err
}

// ResetLoginFailures clears the failure count after a successful sign-in.
func (s *Store) ResetLoginFailures(ctx context.Context, id string) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`UPDATE operators SET failed_logins = 0, locked_until = 0, updated_at = ? WHERE id = ?`),
			micros(s.now()), id)
		if err != nil {
			return fmt.Errorf("reset login failures: %w", err)
		}
		return nil
	})
}

// SetOperatorDisabled disables (or enables again) an operator. Disabling
// also ends every session of the operator, in the same transaction.
func (s *Store) SetOperatorDisabled(ctx context.Context, id string, disabled bool) error {
	now := s.now()
	return s.withTx(ctx, func(tx *sql.Tx) error {
		at := sql.NullInt64{}
		if disabled {
			at = nullMicros(now)
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE operators SET disabled_at = ?, failed_logins = 0, locked_until = 0,
			updated_at = ? WHERE id = ?`), at, micros(now), id)
		if err != nil {
			return fmt.Errorf("disable operator: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return payment.Errorf(payment.ENOTFOUND, "operator not found")
		}
		if !disabled {
			return nil
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM operator_sessions WHERE operator_id = ?`), id); err != nil {
			return fmt.Errorf("end operator sessions: %w", err)
		}
		return nil
	})
}

// SetOperatorPassword replaces an operator's password hash and ends every
// session of the operator.
func (s *Store) SetOperatorPassword(ctx context.Context, id, hash string) error {
	now := s.now()
	return s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE operators SET password_hash = ?, failed_logins = 0, locked_until = 0,
			updated_at = ? WHERE id = ?`), hash, micros(now), id)
		if err != nil {
			return fmt.Errorf("set operator password: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return payment.Errorf(payment.ENOTFOUND, "operator not found")
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM operator_sessions WHERE operator_id = ?`), id)
		return err
	})
}

// CreateOperatorSession stores a session (its token's hash).
func (s *Store) CreateOperatorSession(ctx context.Context, se *payment.OperatorSession) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO operator_sessions (token_hash, operator_id, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`), se.Hash, se.OperatorID, micros(se.CreatedAt), micros(se.LastSeenAt), micros(se.ExpiresAt))
		if err != nil {
			return fmt.Errorf("insert operator session: %w", err)
		}
		return nil
	})
}

// FindOperatorSession returns the session with the token hash and its
// operator, or ENOTFOUND. Expiry is the caller's to judge.
func (s *Store) FindOperatorSession(ctx context.Context, hash string) (*payment.OperatorSession, *payment.Operator, error) {
	var (
		se                     payment.OperatorSession
		created, seen, expires int64
	)
	err := s.r.QueryRowContext(ctx, s.q(`SELECT token_hash, operator_id, created_at, last_seen_at, expires_at
		FROM operator_sessions WHERE token_hash = ?`), hash).Scan(&se.Hash, &se.OperatorID, &created, &seen, &expires)
	if err != nil {
		return nil, nil, notFound(err, "session")
	}
	se.CreatedAt, se.LastSeenAt, se.ExpiresAt = fromMicros(created), fromMicros(seen), fromMicros(expires)
	o, err := s.FindOperatorByID(ctx, se.OperatorID)
	if err != nil {
		return nil, nil, err
	}
	return &se, o, nil
}

// TouchOperatorSession records activity on a session (the idle clock).
func (s *Store) TouchOperatorSession(ctx context.Context, hash string, at time.Time) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`UPDATE operator_sessions SET last_seen_at = ? WHERE token_hash = ?`), micros(at), hash)
		if err != nil {
			return fmt.Errorf("touch operator session: %w", err)
		}
		return nil
	})
}

// DeleteOperatorSession ends a session (sign-out or expiry).
func (s *Store) DeleteOperatorSession(ctx context.Context, hash string) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM operator_sessions WHERE token_hash = ?`), hash)
		if err != nil {
			return fmt.Errorf("delete operator session: %w", err)
		}
		return nil
	})
}

// ReapOperatorSessions deletes sessions past their absolute expiry or idle
// since before idleBefore, and returns how many.
func (s *Store) ReapOperatorSessions(ctx context.Context, now, idleBefore time.Time) (int, error) {
	var n int64
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM operator_sessions WHERE expires_at <= ? OR last_seen_at < ?`),
			micros(now), micros(idleBefore))
		if err != nil {
			return fmt.Errorf("reap operator sessions: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}

const auditColumns = `id, operator_id, operator_email, merchant_id, action, target, detail, remote_addr, created_at`

// InsertAudit appends an entry to the audit log. ID and CreatedAt are set
// here.
func (s *Store) InsertAudit(ctx context.Context, e *payment.AuditEntry) error {
	now := s.now()
	e.ID, e.CreatedAt = payment.NewID("aud", now), now
	return s.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO audit_log (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			e.ID, e.OperatorID, e.OperatorEmail, e.MerchantID, e.Action, e.Target, e.Detail, e.RemoteAddr, micros(now))
		if err != nil {
			return fmt.Errorf("insert audit entry: %w", err)
		}
		return nil
	})
}

// FindAudit lists audit entries matching f, newest first.
func (s *Store) FindAudit(ctx context.Context, f payment.AuditFilter) ([]*payment.AuditEntry, error) {
	where, args := "1 = 1", []any{}
	if f.MerchantID != "" {
		where, args = where+" AND merchant_id = ?", append(args, f.MerchantID)
	}
	if f.Target != "" {
		where, args = where+" AND target = ?", append(args, f.Target)
	}
	if f.BeforeID != "" {
		where, args = where+" AND id < ?", append(args, f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	return queryAll(ctx, s.r, "find audit entries", scanAudit, s.q(`SELECT `+auditColumns+` FROM audit_log WHERE `+where+
		fmt.Sprintf(" ORDER BY id DESC LIMIT %d", limit)), args...)
}

func scanAudit(row scanner) (*payment.AuditEntry, error) {
	var (
		e       payment.AuditEntry
		created int64
	)
	err := row.Scan(&e.ID, &e.OperatorID, &e.OperatorEmail, &e.MerchantID, &e.Action, &e.Target, &e.Detail,
		&e.RemoteAddr, &created)
	e.CreatedAt = fromMicros(created)
	return &e, err
}
