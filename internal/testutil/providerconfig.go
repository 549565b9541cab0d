package testutil

import "testing"

// ConfigCase is an invalid adapter Config and the problems its Validate
// must report, one substring each. An alias of an unnamed struct, so that
// the adapters' tables stay as terse as before.
type ConfigCase[C any] = struct {
	Name string
	Cfg  C
	Want []string
}

// CheckConfigs is every adapter's TestConfig_Validate table: each valid
// Config passes validate, and each case is refused by validate with exactly
// its problems (AssertProblems) and by newClient, so that New never builds
// a client Validate would refuse.
func CheckConfigs[C, T any](t *testing.T, validate func(C) error, newClient func(C) (T, error), valid []C, cases []ConfigCase[C]) {
	t.Helper()
	for _, c := range valid {
		if err := validate(c); err != nil {
			t.Errorf("Validate(%+v) = %v, want nil", c, err)
		}
	}
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			AssertProblems(t, validate(tt.Cfg), tt.Want)
			if _, err := newClient(tt.Cfg); err == nil {
				t.Error("New accepted an invalid config")
			}
		})
	}
}
