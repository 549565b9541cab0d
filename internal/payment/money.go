package payment

import "math"

// Money in paybridge is an int64 of the currency's minor unit. Korean won has
// no minor unit, so an amount is a number of won. Floats are never used.

// CurrencyKRW is the only currency the Korean providers here settle in.
const CurrencyKRW = "KRW"

// MaxAmount is the largest amount one payment may carry: 100,000,000 won.
// KakaoPay publishes no maximum for its direct API; this bound keeps every sum
// and product far from int64 overflow and catches a misplaced digit.
const MaxAmount int64 = 100_000_000

// MaxQuantity bounds the quantity of a payment.
const MaxQuantity int64 = 1_000_000

// MulAmount returns a*b and false when the product overflows int64 or either
// factor is negative.
func MulAmount(a, b int64) (int64, bool) {
	if a < 0 || b < 0 {
		return 0, false
	}
	if a == 0 || b == 0 {
		return 0, true
	}
	if a > math.MaxInt64/b {
		return 0, false
	}
	return a * b, true
}

// AddAmount returns a+b and false on overflow or a negative operand.
func AddAmount(a, b int64) (int64, bool) {
	if a < 0 || b < 0 || a > math.MaxInt64-b {
		return 0, false
	}
	return a + b, true
}

// CheckAmount validates a payment amount: 1 ≤ amount ≤ MaxAmount.
func CheckAmount(field string, amount int64) error {
	if amount < 1 {
		return Errorf(EINVALID, "%s must be at least 1 won", field)
	}
	if amount > MaxAmount {
		return Errorf(EINVALID, "%s must be at most %d won", field, MaxAmount)
	}
	return nil
}
