// Package ginkgoorder checks that Ginkgo runs the suite's specs in the order
// of the spec table, even with --randomize-all: the last spec judges calls
// that providers made after every spec before it had ended, so it must run
// last, and on the same process as the rest.
package ginkgoorder

import (
	"context"
	"slices"
	"sort"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/conformance/internal/ginkgorun"
	"github.com/mapiconf/mapiconf/reference"
)

func TestSpecsRunInTableOrder(t *testing.T) {
	cfg := reference.Config(reference.Options{StatusRow: true})
	conformance.Describe(cfg)
	report, failed := ginkgorun.Run("ginkgoorder", func(c *types.SuiteConfig) {
		c.RandomizeAllSpecs, c.RandomSeed = true, 1
	})
	if failed {
		t.Fatal("the reference provider failed")
	}

	var ran []types.SpecReport
	for _, sr := range report.SpecReports {
		if sr.LeafNodeType == types.NodeTypeIt {
			ran = append(ran, sr)
		}
	}
	sort.SliceStable(ran, func(i, j int) bool { return ran[i].StartTime.Before(ran[j].StartTime) })
	var got []string
	for _, sr := range ran {
		if !slices.Contains(sr.Labels(), "explore") { // Check leaves the exploration to Explore
			got = append(got, sr.LeafNodeText)
		}
	}
	res, err := conformance.Check(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range res {
		want = append(want, r.Spec)
	}
	if !slices.Equal(got, want) {
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Fatalf("spec %d ran %q, want %q (the table's order)", i+1, got[i], want[i])
			}
		}
		t.Fatalf("ran %d specs, want %d", len(got), len(want))
	}
}
