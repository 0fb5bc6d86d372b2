package conformance_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/reference"
)

// A failure message is what a provider author reads first and our code
// never: these golden files pin what the suite says for two classic defects.
func TestFailureMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		bad, spec, golden string
	}{
		{"no-stlt", "orderly path: a client calls StoreLogoff(LOGOFF_ORDERLY), then Release: StoreLogoffTransports is called exactly once", "no-stlt.STLT-01.golden"},
		{"stlt-twice", "orderly path: a client calls StoreLogoff(LOGOFF_ORDERLY), then Release: StoreLogoffTransports is called exactly once", "stlt-twice.STLT-01.golden"},
		{"stlt-after-support-release", "Release-only path: a client calls Release alone: StoreLogoffTransports comes before the provider releases the support", "stlt-after-support-release.STLT-05.golden"},
		// Two rules broken by the same calls: both sentences, the calls once.
		{"no-stlt", "session path: IMAPISession::Logoff with the store still open: StoreLogoffTransports is called exactly once", "no-stlt.session.STLT-01.SS-02.golden"},
	}
	// One Check per provider (the cases of no-stlt read the same run), in
	// parallel: a Check takes seconds with the race detector.
	runs := map[string]func() ([]conformance.Result, error){}
	for _, tt := range tests {
		if runs[tt.bad] == nil {
			cfg := knownBad(t, tt.bad).Config(conformance.Immediate)
			runs[tt.bad] = sync.OnceValues(func() ([]conformance.Result, error) { return conformance.Check(context.Background(), cfg) })
		}
	}
	for _, tt := range tests {
		t.Run(tt.bad, func(t *testing.T) {
			t.Parallel()
			res, err := runs[tt.bad]()
			if err != nil {
				t.Fatal(err)
			}
			var msg string
			for _, r := range res {
				if r.Spec == tt.spec {
					msg = r.Message
				}
			}
			if msg == "" {
				t.Fatalf("no failure for spec %q", tt.spec)
			}
			golden(t, filepath.Join("testdata", tt.golden), msg)
		})
	}
}

func knownBad(t *testing.T, name string) reference.Bad {
	for _, b := range reference.KnownBad() {
		if b.Name == name {
			return b
		}
	}
	t.Fatalf("no known-bad provider %q", name)
	return reference.Bad{}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("the message changed; if that is intended, run `go test ./conformance -update`.\ngot:\n%s\nwant:\n%s", got, want)
	}
}

// The reference provider passes every spec, and a known-bad provider's
// results name its rule.
func TestCheck(t *testing.T) {
	t.Parallel()
	for _, deferred := range []bool{false, true} {
		t.Run(fmt.Sprintf("deferred=%v", deferred), func(t *testing.T) {
			t.Parallel()
			res, err := conformance.Check(context.Background(), reference.Config(reference.Options{Deferred: deferred, StatusRow: true}))
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				if r.Status == conformance.Skipped && deferred && strings.Contains(r.Message, "deferred profile") {
					continue // SL-05: the immediate profile's
				}
				if r.Status != conformance.Passed {
					t.Errorf("%s: %s\n%s", r.Spec, r.Status, r.Message)
				}
				// Every check had something to judge.
				if len(r.Untested) > 0 && !r.Explore {
					t.Errorf("%s: %v untested against the reference provider", r.Spec, r.Untested)
				}
			}
		})
	}
	t.Run("no status row", func(t *testing.T) {
		t.Parallel()
		res, _ := conformance.Check(context.Background(), reference.Config(reference.Options{}))
		skipped := 0
		for _, r := range res {
			if r.Status == conformance.Skipped {
				skipped++
				if !strings.Contains(r.Message, "Capabilities.StatusRow") {
					t.Errorf("skipped %q for %q; want the missing capability named", r.Spec, r.Message)
				}
			}
		}
		if skipped == 0 {
			t.Error("without a status row no spec was skipped")
		}
	})
}

// "may" rules are noted, not failed, unless the config is strict; and strict
// mode narrows what SL-03 accepts.
func TestMayRules(t *testing.T) {
	cfg := knownBad(t, "answers-after-shutdown").Config(conformance.Immediate)
	for _, strict := range []bool{false, true} {
		cfg.Strict = strict
		res, err := conformance.Check(context.Background(), cfg, "RL-04")
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 1 {
			t.Fatalf("%d RL-04 specs, want 1", len(res))
		}
		r := res[0]
		if strict && (r.Status != conformance.Failed || r.Failed[0] != "RL-04") {
			t.Errorf("strict: %s %v, want failed RL-04", r.Status, r.Failed)
		}
		if !strict && (r.Status != conformance.Passed || len(r.Noted) != 1 || !strings.Contains(r.Message, "Noted")) {
			t.Errorf("not strict: %s noted %v, want passed with RL-04 noted:\n%s", r.Status, r.Noted, r.Message)
		}
	}
	cfg = knownBad(t, "accepts-invalid-flags").Config(conformance.Immediate)
	for _, strict := range []bool{false, true} {
		cfg.Strict = strict
		res, _ := conformance.Check(context.Background(), cfg, "SL-03")
		if got := conformance.FailedRules(res); strict != (len(got) == 1) {
			t.Errorf("strict=%v: S_OK for invalid flags fails %v", strict, got)
		}
	}
}
