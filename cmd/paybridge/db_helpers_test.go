package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
)

func mustPost(t *testing.T, a *apptest.App, body string) {
	t.Helper()
	req, _ := http.NewRequest("POST", a.URL()+"/v1/payments", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+a.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d", resp.StatusCode)
	}
}

// tempDatabase returns the URL of a SQLite database in the test's temporary
// directory (not created yet) and an environment that names it.
func tempDatabase(t *testing.T) (string, func(string) string) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "pb.db")
	return db, envMap(map[string]string{"PAYBRIDGE_DATABASE_URL": db})
}
