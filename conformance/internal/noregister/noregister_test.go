// Package noregister proves that importing conformance registers no spec:
// a test binary that imports it and calls nothing has an empty Ginkgo tree.
package noregister

import (
	"testing"

	"github.com/onsi/ginkgo/v2"

	"github.com/mapiconf/mapiconf/conformance"
)

var _ = conformance.Rules // imported, used, and nothing called

func TestImportRegistersNothing(t *testing.T) {
	var total = -1
	ginkgo.ReportAfterSuite("count", func(r ginkgo.Report) { total = r.PreRunStats.TotalSpecs })
	ginkgo.RunSpecs(t, "noregister")
	if total != 0 {
		t.Errorf("importing conformance registered %d specs, want 0", total)
	}
}
