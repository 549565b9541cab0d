package store_test

import (
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/store"
)

func TestParseURL(t *testing.T) {
	for u, pg := range map[string]bool{
		"sqlite:paybridge.db": false, "sqlite:/var/lib/pb/pb.db": false, "file:pb.db?mode=rwc": false,
		"postgres://pb:pw@db:5432/pb": true, "postgresql://pb@db/pb?sslmode=require": true,
		"postgres:///pb?host=/run/postgresql": true,
	} {
		got, err := store.ParseURL(u)
		if err != nil || got != pg {
			t.Errorf("%s: postgres %v, %v", u, got, err)
		}
	}
	for _, u := range []string{"", "sqlite:", "mysql://pb:pw@db/pb", "pg://pb:pw@db/pb", "host=db password=pw",
		"pb.db", "postgres://", "postgres:///pb", "postgres://pb:p%zz@db/pb"} {
		if _, err := store.ParseURL(u); err == nil {
			t.Errorf("%q accepted", u)
		} else if strings.Contains(err.Error(), "pw") && u != "" {
			t.Errorf("%q: the error quotes the value: %v", u, err)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://pb:secret@db:5432/pb":                     "postgres://pb:xxxxx@db:5432/pb",
		"postgres://pb@db/pb?sslmode=require&password=secret": "postgres://pb@db/pb?sslmode=require&password=xxxxx",
		"postgresql://pb:secret@db/pb?sslpassword=secret&x=1": "postgresql://pb:xxxxx@db/pb?sslpassword=xxxxx&x=1",
		"sqlite:paybridge.db":                                 "sqlite:paybridge.db",
		"host=db password=secret":                             "(refused database URL)",
		"secret":                                              "(refused database URL)",
	} {
		if got := store.RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
