// Package benchrun measures the conformance run against the Ginkgo floor:
// the same number of trivial Ginkgo specs, in the same run.
package benchrun

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/conformance/internal/ginkgorun"
	"github.com/mapiconf/mapiconf/reference"
)

var (
	once              sync.Once
	suiteWall, floorW time.Duration
	suiteRun          time.Duration // the specs' own run time, summed
	failed            bool
	specs             int
)

// BenchmarkGinkgoRunVsFloor runs the full conformance suite against the
// reference provider (both profiles, five times each; exploration off:
// BenchmarkExplore measures it) and the same number of empty Ginkgo specs,
// in one RunSpecs, and reports both wall times and their ratio (goal: at
// most 3). The enumeration is off: it is no Ginkgo overhead, and
// BenchmarkDefaultRun (package reference) measures the whole run.
//
// Ginkgo allows one RunSpecs per process, so the measurement is made once
// and reported for every b.N; run it with -benchtime=1x.
func BenchmarkGinkgoRunVsFloor(b *testing.B) {
	once.Do(func() {
		// Five copies of each profile make the run long enough to measure.
		var cfgs []conformance.Config
		for i := range 10 {
			deferred := i%2 == 1
			cfg := reference.Config(reference.Options{Deferred: deferred, StatusRow: true})
			cfg.Name = fmt.Sprintf("reference-%d", i) // one container title per run, to time each apart
			cfg.Explore, cfg.Depth = -1, -1
			res, err := conformance.Check(context.Background(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			specs += len(res)
			cfgs = append(cfgs, cfg)
		}
		for _, cfg := range cfgs {
			conformance.Describe(cfg)
		}
		ginkgo.Describe("floor", func() {
			for range specs {
				ginkgo.It("does nothing", func() {})
			}
		})
		r, anyFailed := ginkgorun.Run("benchrun", nil)
		failed = anyFailed
		// Ginkgo shuffles the top-level containers, so the floor may run
		// between two conformance runs: time each container on its own,
		// from its first spec's start to its last one's end.
		spans := map[string][2]time.Time{}
		for _, sr := range r.SpecReports {
			if len(sr.ContainerHierarchyTexts) == 0 {
				continue
			}
			c := sr.ContainerHierarchyTexts[0]
			if c != "floor" {
				suiteRun += sr.RunTime
			}
			sp := spans[c]
			if sp[0].IsZero() || sr.StartTime.Before(sp[0]) {
				sp[0] = sr.StartTime
			}
			if sr.EndTime.After(sp[1]) {
				sp[1] = sr.EndTime
			}
			spans[c] = sp
		}
		for c, sp := range spans {
			if c == "floor" {
				floorW = sp[1].Sub(sp[0])
			} else {
				suiteWall += sp[1].Sub(sp[0])
			}
		}
	})
	if failed {
		b.Fatal("the reference provider failed specs")
	}
	b.ReportMetric(float64(specs), "specs")
	b.ReportMetric(float64(suiteWall.Microseconds())/1000, "suite-ms")
	b.ReportMetric(float64(floorW.Microseconds())/1000, "floor-ms")
	b.ReportMetric(float64(suiteRun.Microseconds())/1000, "suite-spec-run-ms")
	b.ReportMetric(float64(suiteWall)/float64(floorW), "x-floor")
}
