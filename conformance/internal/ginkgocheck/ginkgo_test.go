// Package ginkgocheck runs the suite's Ginkgo tree against a known-bad
// provider and checks what a provider author would see: the spec fails,
// names the rule, and the label filter and the report work.
package ginkgocheck

import (
	"regexp"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/conformance/internal/ginkgorun"
	"github.com/mapiconf/mapiconf/reference"
)

func TestGinkgoTreeFailsABadProvider(t *testing.T) {
	var bad reference.Bad
	for _, b := range reference.KnownBad() {
		if b.Name == "no-stlt" {
			bad = b
		}
	}
	conformance.Describe(bad.Config(conformance.Immediate))
	report, anyFailed := ginkgorun.Run("ginkgocheck", func(c *types.SuiteConfig) { c.LabelFilter = "(STLT-01 || STLT-03 || SD-01) && !STLT-07 && !RL-01" })
	if !anyFailed {
		t.Fatal("the suite passed a provider that never calls StoreLogoffTransports")
	}
	ran, failed := 0, 0
	for _, sr := range report.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt || sr.State == types.SpecStateSkipped {
			continue
		}
		ran++
		labels := strings.Join(sr.Labels(), " ")
		if !strings.Contains(labels, "STLT-01") && !strings.Contains(labels, "STLT-03") && !strings.Contains(labels, "SD-01") {
			t.Errorf("the label filter let %q (%s) through", sr.LeafNodeText, labels)
		}
		if sr.State == types.SpecStateFailed {
			failed++
			msg := sr.Failure.Message
			for _, want := range []string{"STLT-01 (must)", "exactly once per shutdown", "Source: shutting-down-a-message-store-provider.md",
				"Expected: ", "Actual:   ", "Call sequence:"} {
				if !strings.Contains(msg, want) {
					t.Errorf("failure of %q does not say %q:\n%s", sr.LeafNodeText, want, msg)
				}
			}
		}
	}
	// Fourteen STLT-01 specs fail (one per path, the concurrent
	// StoreLogoffs, five invalid flag words, two reused flag variables);
	// the two SD-01 specs and the five STLT-03 specs pass, the STLT-03 ones
	// vacuously: with no StoreLogoffTransports call there is no flag to
	// check.
	if ran != 21 || failed != 14 {
		t.Errorf("ran %d specs, %d failed; want 21 and 14", ran, failed)
	}
	rep := conformance.Summarize(report)
	text := rep.String()
	if !regexp.MustCompile(`\d+ specs: 7 passed, 14 failed, 0 skipped, \d+ not run`).MatchString(text) {
		t.Errorf("the report does not count 7 specs passed, 14 failed:\n%s", text)
	}
	for _, want := range []string{"no-stlt (immediate profile)", "STLT-01  must            FAIL            14 of 14 failed", "SD-01    does            pass            2",
		"STLT-03  does            untested        5", "SL-01    does            not run         0"} {
		if !strings.Contains(text, want) {
			t.Errorf("the report does not say %q:\n%s", want, text)
		}
	}
}
