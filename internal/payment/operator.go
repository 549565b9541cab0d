package payment

import "time"

// Operator roles, weakest first. A viewer reads; an admin also refunds,
// resends webhooks and manages webhook endpoints; an owner also manages
// operators, merchants and API keys.
const (
	RoleViewer = "viewer"
	RoleAdmin  = "admin"
	RoleOwner  = "owner"
)

// Roles lists the roles, weakest first.
var Roles = []string{RoleViewer, RoleAdmin, RoleOwner}

// RoleRank orders roles: a higher rank may do everything a lower one may.
// An unknown role ranks below every role, so it may do nothing.
func RoleRank(role string) int {
	for i, r := range Roles {
		if r == role {
			return i
		}
	}
	return -1
}

// Operator is a person who signs in to the console. Only a memory-hard hash
// of the password is kept.
type Operator struct {
	ID           string
	Email        string
	PasswordHash string
	Role         string
	// MerchantID limits the operator to one merchant; "" means every
	// merchant.
	MerchantID string
	// FailedLogins counts sign-in failures since the last success;
	// LockedUntil refuses sign-in until then (the lock-out).
	FailedLogins int
	LockedUntil  time.Time
	DisabledAt   time.Time // zero while the operator may sign in
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Sees reports whether the operator may see merchantID's data.
func (o *Operator) Sees(merchantID string) bool {
	return o.MerchantID == "" || o.MerchantID == merchantID
}

// OperatorSession is a signed-in browser. Only the SHA-256 of the cookie's
// token is kept (Hash), so a copy of the database signs nobody in.
type OperatorSession struct {
	Hash       string
	OperatorID string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// ExpiresAt is the absolute end, whatever the activity.
	ExpiresAt time.Time
}

// AuditEntry is one operator action, kept for the audit log.
type AuditEntry struct {
	ID            string // time-ordered (NewID), so newest first is by id
	OperatorID    string // "" for a sign-in attempt with an unknown email
	OperatorEmail string
	MerchantID    string // the merchant acted on, "" when none
	Action        string // e.g. sign_in, refund, webhook_resend
	Target        string // the object acted on: a payment, endpoint, key… id
	Detail        string // human-readable outcome; never a secret
	RemoteAddr    string
	CreatedAt     time.Time
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	MerchantID string // "" for every merchant
	Target     string // "" for every target
	BeforeID   string // only entries older than this id ("" from the newest)
	Limit      int
}
