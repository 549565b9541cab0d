package app_test

import (
	"testing"

	"github.com/paybridge/paybridge/internal/pgtest"
)

// TestMain stops the throwaway PostgreSQL, if a test started one.
func TestMain(m *testing.M) { pgtest.Main(m) }
