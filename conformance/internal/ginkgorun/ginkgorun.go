// Package ginkgorun runs the Ginkgo tree a test binary has registered, once,
// quietly, and hands back its report: the plumbing of the suite's own tests
// of its Ginkgo tree, each of which needs a test binary of its own because
// Ginkgo allows one RunSpecs per process.
package ginkgorun

import (
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// recorder stands in for *testing.T, so that the specs a test expects to
// fail do not fail the test.
type recorder struct{ failed bool }

func (r *recorder) Fail() { r.failed = true }

// Run runs the specs registered so far with the suite configuration that
// configure adjusts (nil: Ginkgo's defaults), printing only a line of dots,
// and returns the report and whether any spec failed.
func Run(name string, configure func(*types.SuiteConfig)) (report ginkgo.Report, failed bool) {
	ginkgo.ReportAfterSuite("ginkgorun", func(r ginkgo.Report) { report = r })
	suite, reporter := ginkgo.GinkgoConfiguration()
	if configure != nil {
		configure(&suite)
	}
	reporter.Succinct = true
	rec := &recorder{}
	ginkgo.RunSpecs(rec, name, suite, reporter)
	return report, rec.failed
}
