package reference_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/reference"
)

// The reference provider survives a long exploration in both profiles.
func TestExploreReference(t *testing.T) {
	for _, deferred := range []bool{false, true} {
		cfg := reference.Config(reference.Options{Deferred: deferred, StatusRow: true})
		if err := conformance.Explore(context.Background(), cfg, 1, 2000); err != nil {
			t.Errorf("deferred=%v: %v", deferred, err)
		}
	}
}

// timed are the flaws whose providers have timing in them: a racer that
// must come within 2 ms, a timer that makes a call late. Their tests run
// alone, not beside other tests that load the machine.
var timed = []reference.Flaw{reference.RacyRefCount, reference.DelayedStatusUpdate, reference.LateRowOnPurge, reference.RowASecondLate}

// Every known-bad provider of the kill matrix is found by exploration too,
// and every rule it finds is one the provider declares. The explorations of
// the providers without timing run in parallel, after the others.
func TestExploreFindsEveryKnownBadProvider(t *testing.T) {
	for _, b := range reference.KnownBad() {
		for _, p := range []conformance.Profile{conformance.Immediate, conformance.Deferred} {
			declared, ok := b.Declares[p]
			if !ok {
				continue
			}
			t.Run(b.Name+"/"+string(p), func(t *testing.T) {
				if !slices.Contains(timed, b.Flaw) {
					t.Parallel()
				}
				if b.Unexplorable != "" {
					t.Skip(b.Unexplorable)
				}
				if b.Awaits != "" {
					t.Skip("awaits " + b.Awaits)
				}
				// The exploration runs all n lifecycles, collecting; from
				// seed 1 every rule of every known-bad provider is found by
				// lifecycle 24.
				n, tries := 1000, 1
				if b.Flaw == reference.SubobjectsGoWithFolder {
					// Three steps in one order (a folder, its subobject,
					// the folder's Release) that the random draws make
					// first at lifecycle 2173 from seed 1; the enumeration
					// makes them within depth 3.
					n = 3000
				}
				if b.Flaw == reference.RacyRefCount {
					// Each of its Releases spins 2ms for a racer, and a
					// racer that the race detector or a loaded machine
					// delays longer is missed: 100 lifecycles missed the
					// race in about 1 run of 25 under load, so it gets
					// three tries, each with lifecycles of its own.
					n, tries = 100, 3
				}
				var ee *conformance.ExploreError
				for try := range tries {
					err := conformance.Explore(context.Background(), b.Config(p), 1+uint64(try*n), n)
					if errors.As(err, &ee) {
						break
					}
				}
				if ee == nil {
					t.Fatalf("%d times %d lifecycles did not find %s", tries, n, b.Doc)
				}
				for _, f := range ee.Findings {
					if f.Rule != "" && !slices.Contains(declared, f.Rule) {
						t.Errorf("found %s, which it does not declare (%v):\n%s", f.Rule, declared, f.Message)
					}
					if !strings.Contains(f.Message, "Replay it with Config.Seed") {
						t.Errorf("the report does not say how to replay it:\n%s", f.Message)
					}
				}
			})
		}
	}
}
