// Package ginkgohostile runs the Ginkgo tree against providers that hang and
// panic, and checks that Ginkgo reports them as failed specs and goes on.
package ginkgohostile

import (
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/conformance/internal/ginkgorun"
	"github.com/mapiconf/mapiconf/reference"
)

func TestHangAndPanicUnderGinkgo(t *testing.T) {
	want := map[string]string{
		"hang-in-storelogoff":  "IMsgStore::StoreLogoff: no call began or returned",
		"panic-in-storelogoff": "panicked: hostile provider: StoreLogoff",
	}
	for _, h := range reference.HostileProviders() {
		if _, ok := want[h.Name]; ok {
			cfg := h.Config()
			cfg.CallTimeout = 50 * time.Millisecond
			conformance.Describe(cfg)
		}
	}
	report, _ := ginkgorun.Run("ginkgohostile", func(c *types.SuiteConfig) { c.LabelFilter = "STLT-03 && !STLT-07 && !RL-01" }) // the five flag specs

	failed := map[string]int{}
	for _, sr := range report.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt || sr.State == types.SpecStateSkipped {
			continue // filtered out
		}
		if sr.State != types.SpecStateFailed {
			t.Errorf("%s: %s, want failed", sr.FullText(), sr.State)
			continue
		}
		for name, msg := range want {
			if strings.Contains(sr.FullText(), name) {
				failed[name]++
				if !strings.Contains(sr.Failure.Message, msg) || !strings.Contains(sr.Failure.Message, "STLT-03 could not be judged") {
					t.Errorf("%s: the failure does not say %q:\n%s", sr.FullText(), msg, sr.Failure.Message)
				}
			}
		}
	}
	// Five STLT-03 specs per provider, one per valid flag: all ran, all failed.
	for name := range want {
		if failed[name] != 5 {
			t.Errorf("%s: %d STLT-03 specs failed, want 5", name, failed[name])
		}
	}
}
