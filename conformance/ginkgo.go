package conformance

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2"
)

// Run runs the whole suite against each provider in cfgs, as Ginkgo specs
// inside the test t, and prints a report by rule ID when they are done. Set
// the environment variable MAPICONF_REPORT to a file name to also get the
// report as JSON, or MAPICONF_REPORT_DIR to a directory to get every report
// of package report there (mapiconf.xml, .json, .md, .html, .svg).
//
// Run calls ginkgo.RunSpecs, which Ginkgo allows once per test binary: give
// Run every provider at once rather than calling it twice. A package that
// already has a Ginkgo suite uses Describe instead.
func Run(t *testing.T, cfgs ...Config) {
	t.Helper()
	if len(cfgs) == 0 {
		t.Fatal("conformance.Run: no Config given")
	}
	for _, c := range cfgs {
		Describe(c)
	}
	ginkgo.ReportAfterSuite("mapiconf report", func(r ginkgo.Report) {
		rep := Summarize(r)
		fmt.Fprint(os.Stdout, "\n"+rep.String())
		if err := rep.WriteFromEnv(); err != nil {
			ginkgo.Fail(err.Error())
		}
	})
	ginkgo.RunSpecs(t, "mapiconf conformance")
}

// reportEntry is the name of the report entry that carries a spec's Result.
const reportEntry = "mapiconf-result"

// Describe registers the suite for the provider cfg describes, as a Ginkgo
// container, in the caller's own Ginkgo suite:
//
//	var _ = conformance.Describe(conformance.Config{...})
//
// It returns true, like ginkgo.Describe, so that it can be called at package
// level. Add Summarize to a ReportAfterSuite for the report by rule ID.
//
// The container is Ordered (its last spec must run after the others) with
// ContinueOnFailure, which Ginkgo allows only on an outermost Ordered
// container: call Describe at the top level or inside plain containers,
// not inside an Ordered one.
func Describe(cfg Config) bool {
	cfg, err := cfg.withDefaults()
	title := "mapiconf: " + key{cfg.Name, cfg.Profile}.String()
	// Ordered keeps the specs in the order of RULES.md (Ginkgo would
	// otherwise sort them by text, as they share one code location) and on
	// one process under ginkgo -p: the last spec looks for late calls from
	// the providers of every spec before it. ContinueOnFailure, because
	// one failed rule must not hide the others.
	decorators := []any{ginkgo.Label("mapiconf", string(cfg.Profile)), ginkgo.Ordered, ginkgo.ContinueOnFailure}
	return ginkgo.Describe(title, decorators, func() {
		if err != nil {
			ginkgo.It("has a valid Config", func() { ginkgo.Fail(err.Error()) })
			return
		}
		specs, rs := runSpecs(cfg), &runState{}
		ginkgo.AfterAll(rs.close)
		// A spec's deadline is a backstop for a provider that keeps busy
		// without ever hanging in one call (a hang is CallTimeout's). The
		// enumeration's thousands of lifecycles get it per lifecycle too:
		// through a DLL under Wine on a loaded machine one takes about
		// 10ms, and a deadline that passes mid-run would be reported as a
		// hang of a provider that has none.
		timeout := max(time.Minute, 30*cfg.CallTimeout)
		for _, sec := range runOrder {
			ginkgo.Context(sec+". "+Sections[sec], func() {
				for _, sp := range specs {
					if sp.section != sec || (sp.explore && !sp.enumerate && cfg.Explore < 0) || (sp.enumerate && cfg.Depth < 0) {
						continue
					}
					labels := sp.labels()
					if sp.explore {
						// Only its own label: a filter on a rule ID runs
						// the specs of that rule, not 27 rules' worth of
						// random lifecycles.
						labels = []string{"explore", sectionLabel(sp.section)}
						if sp.enumerate {
							labels[0] = "enumerate"
						}
					}
					ginkgo.It(sp.text, ginkgo.Label(labels...), ginkgo.SpecTimeout(timeout+time.Duration(sp.lifecycles)*perLifecycle), func(ctx ginkgo.SpecContext) {
						r := sp.run(ctx, cfg, rs)
						if r.Status != Passed || len(r.Noted) > 0 || len(r.Untested) > 0 || len(r.SelfChecked) > 0 || sp.explore {
							// A plain pass is read back from the spec's
							// labels and container (Summarize); the rest
							// needs its Result.
							b, _ := json.Marshal(r)
							ginkgo.AddReportEntry(reportEntry, string(b), ginkgo.ReportEntryVisibilityNever)
						}
						switch {
						case r.Status == Skipped:
							ginkgo.Skip(r.Message)
						case r.Status == Failed:
							ginkgo.Fail(r.Message)
						case len(r.Noted) > 0:
							ginkgo.AddReportEntry("mapiconf note", r.Message)
						}
					})
				}
			})
		}
	})
}

// perLifecycle is what a spec's deadline grants each lifecycle it runs:
// five times what one took through a DLL under Wine at load 25 on two cores.
const perLifecycle = 50 * time.Millisecond
