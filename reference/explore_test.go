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

// Every known-bad provider of the kill matrix is found by exploration too,
// and for one of the rules it declares.
func TestExploreFindsEveryKnownBadProvider(t *testing.T) {
	for _, b := range reference.KnownBad() {
		for _, p := range []conformance.Profile{conformance.Immediate, conformance.Deferred} {
			declared, ok := b.Declares[p]
			if !ok {
				continue
			}
			t.Run(b.Name+"/"+string(p), func(t *testing.T) {
				if b.Unexplorable != "" {
					t.Skip(b.Unexplorable)
				}
				err := conformance.Explore(context.Background(), b.Config(p), 1, 2000)
				var ee *conformance.ExploreError
				if !errors.As(err, &ee) {
					t.Fatalf("2000 lifecycles did not find %s", b.Doc)
				}
				if ee.Rule != "" && !slices.Contains(declared, ee.Rule) {
					t.Errorf("found %s, which it does not declare (%v):\n%s", ee.Rule, declared, ee.Message)
				}
				if !strings.Contains(ee.Message, "Replay it with Config.Seed") {
					t.Errorf("the report does not say how to replay it:\n%s", ee.Message)
				}
			})
		}
	}
}
