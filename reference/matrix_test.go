package reference_test

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/internal/generated"
	"github.com/mapiconf/mapiconf/reference"
)

var update = flag.Bool("update", false, "rewrite the generated files under docs/")

// TestKillMatrix runs the conformance suite against every known-bad
// provider and requires each to fail exactly the rules it declares, and the
// reference provider to fail none.
func TestKillMatrix(t *testing.T) {
	m, err := reference.KillMatrix(context.Background(), reference.MatrixDepth)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range m.Rows {
		for _, id := range m.Rules {
			switch row.Cells[id] {
			case reference.Survived:
				t.Errorf("%s (%s profile) declares %s broken, but no spec failed it", row.Provider, row.Profile, id)
			case reference.Unexpected:
				t.Errorf("%s (%s profile) fails %s, which it does not declare:\n%s", row.Provider, row.Profile, id,
					strings.Join(row.Messages(id), "\n\n"))
			}
		}
	}
	for _, id := range m.Rules {
		killers := m.KilledBy(id)
		_, unbreakable := reference.Unbreakable[id]
		switch {
		case len(killers) == 0 && !unbreakable:
			t.Errorf("no known-bad provider kills %s", id)
		case len(killers) > 0 && unbreakable:
			t.Errorf("%s is listed as unbreakable, but %s kill it", id, strings.Join(killers, ", "))
		}
	}
	compareGenerated(t, "../docs/killmatrix.json", m.JSON())
	compareGenerated(t, "../docs/killmatrix.md", []byte(m.Markdown()))
}

// compareGenerated fails when a generated file is stale, or rewrites it
// with -update.
func compareGenerated(t *testing.T, path string, want []byte) {
	t.Helper()
	generated.Check(t, path, want, *update, "go test ./reference -run TestKillMatrix -update")
}

// The known-bad providers that only the enumeration finds are found at the
// gate's default depth, not only at the kill matrix's, and not without it.
// Those without timing in them are judged in parallel, after the others.
func TestEnumerationOnlyAtDefaultDepth(t *testing.T) {
	for _, b := range reference.KnownBad() {
		if !b.EnumerationOnly || b.Awaits != "" {
			continue
		}
		for _, p := range []conformance.Profile{conformance.Immediate, conformance.Deferred} {
			declared, ok := b.Declares[p]
			if !ok {
				continue
			}
			t.Run(b.Name+"/"+string(p), func(t *testing.T) {
				if !slices.Contains(timed, b.Flaw) {
					t.Parallel()
				}
				cfg := b.Config(p)
				res, err := conformance.Check(context.Background(), cfg)
				if err != nil {
					t.Fatal(err)
				}
				if got := conformance.FailedRules(res); !slices.Equal(got, conformance.InRuleOrder(declared)) {
					t.Errorf("%s (%s profile), enumeration to depth %d: fails %v, want %v", b.Name, p, conformance.DefaultDepth, got, conformance.InRuleOrder(declared))
				}
				cfg.Depth = -1
				if res, err = conformance.Check(context.Background(), cfg); err != nil {
					t.Fatal(err)
				}
				if got := conformance.FailedRules(res); slices.Equal(got, conformance.InRuleOrder(declared)) {
					t.Errorf("%s (%s profile) is found without the enumeration: it is not enumeration-only", b.Name, p)
				}
			})
		}
	}
}

// The racy provider must be caught on every run, not by luck.
func TestRacyRefCountCaughtEveryRun(t *testing.T) {
	var bad reference.Bad
	for _, b := range reference.KnownBad() {
		if b.Flaw == reference.RacyRefCount {
			bad = b
		}
	}
	for i := range 20 {
		for _, p := range []conformance.Profile{conformance.Immediate, conformance.Deferred} {
			res, err := conformance.Check(context.Background(), bad.Config(p), "RB-01")
			if err != nil {
				t.Fatal(err)
			}
			if got := conformance.FailedRules(res); len(got) != 1 || got[0] != "RB-01" {
				t.Fatalf("run %d, %s profile: failed rules %v, want [RB-01]", i, p, got)
			}
		}
	}
}

// The known-bad providers that today's suite does not judge right stay out
// of the kill matrix, each with the false verdict it waits for (Awaits):
// the suite must fail none of the rules it does not declare (but one its
// Awaits names), and miss at least one it declares. When it judges one right, this test says so, and
// the provider joins the matrix.
func TestAwaitingBad(t *testing.T) {
	for _, b := range reference.KnownBad() {
		if b.Awaits == "" {
			continue
		}
		var missed []string
		for _, p := range []conformance.Profile{conformance.Immediate, conformance.Deferred} {
			declared, ok := b.Declares[p]
			if !ok {
				continue
			}
			cfg := b.Config(p)
			cfg.Depth = reference.MatrixDepth
			res, err := conformance.Check(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			failed := conformance.FailedRules(res)
			for _, id := range failed {
				// A rule it does not declare may fail only as the false
				// verdict it awaits says.
				if !slices.Contains(declared, id) && !strings.Contains(b.Awaits, id) {
					t.Errorf("%s (%s profile) fails %s, which it does not declare", b.Name, p, id)
				}
			}
			for _, id := range declared {
				if !slices.Contains(failed, id) {
					missed = append(missed, fmt.Sprintf("%s (%s)", id, p))
				}
			}
		}
		if len(missed) == 0 {
			t.Errorf("%s is judged right now: remove its Awaits (%s) and run go test ./reference -run TestKillMatrix -update", b.Name, b.Awaits)
			continue
		}
		t.Logf("%s: the suite still misses %s: %s", b.Name, strings.Join(missed, ", "), b.Awaits)
	}
}

var (
	verdictRuns  = flag.Int("verdicts.runs", 2, "runs of Check per provider in TestSameVerdictEveryRun (issue 16 asks for 10)")
	verdictDepth = flag.Int("verdicts.depth", reference.MatrixDepth, "the enumeration's depth in TestSameVerdictEveryRun (the gate's default is 3)")
)

// One verdict per provider: Check names the same rules of the same
// provider on every run. The reference, a known-good provider and the
// known-bad providers only the enumeration finds, in both profiles. Issue
// 16's ten runs at the gate's depth:
//
//	go test ./reference -run TestSameVerdictEveryRun -verdicts.runs 10 -verdicts.depth 3
func TestSameVerdictEveryRun(t *testing.T) {
	type subject struct {
		name string
		cfg  conformance.Config
	}
	var subjects []subject
	for _, p := range []conformance.Profile{conformance.Immediate, conformance.Deferred} {
		subjects = append(subjects, subject{"reference", reference.Config(reference.Options{StatusRow: true, Deferred: p == conformance.Deferred})})
		for _, g := range reference.KnownGood() {
			if g.Name == "kept-alive-by-objects" {
				subjects = append(subjects, subject{g.Name, g.Config(p)})
			}
		}
		for _, b := range reference.KnownBad() {
			if _, ok := b.Declares[p]; ok && b.EnumerationOnly {
				subjects = append(subjects, subject{b.Name, b.Config(p)})
			}
		}
	}
	for _, s := range subjects {
		var first []string
		s.cfg.Depth = *verdictDepth
		for run := range *verdictRuns {
			res, err := conformance.Check(context.Background(), s.cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := conformance.FailedRules(res)
			if run == 0 {
				first = got
				continue
			}
			if !slices.Equal(got, first) {
				t.Errorf("%s (%s profile): run %d fails %v, run 1 failed %v", s.name, s.cfg.Profile, run+1, got, first)
			}
		}
	}
}
