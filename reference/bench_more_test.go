package reference_test

import (
	"context"
	"testing"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/reference"
)

// BenchmarkExplore measures the exploration against the reference provider:
// random lifecycles, each judged step by step by the model. The goal is
// 150,000 lifecycles per second per core and at most 10 allocations a
// lifecycle (make bench runs it with -cpu 1).
func BenchmarkExplore(b *testing.B) {
	cfg := reference.Config(reference.Options{StatusRow: true})
	b.ReportAllocs()
	b.ResetTimer()
	if err := conformance.Explore(context.Background(), cfg, 1, b.N); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lifecycles/s")
}

// BenchmarkCheck measures one run of every fixed spec against the reference
// provider, without Ginkgo: the named specs and the enumeration to the
// default depth.
func BenchmarkCheck(b *testing.B) {
	cfg := reference.Config(reference.Options{StatusRow: true})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := conformance.Check(context.Background(), cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDefaultRun measures the whole default conformance run in
// process, as a gate runs it, in each profile: every named spec, the
// enumeration to conformance.DefaultDepth and the default exploration (50
// random lifecycles from conformance.DefaultSeed). The goal is at most 5s
// a run on a two-core machine shared with other work (issue 16 item 9).
func BenchmarkDefaultRun(b *testing.B) {
	for _, deferred := range []bool{false, true} {
		cfg := reference.Config(reference.Options{StatusRow: true, Deferred: deferred})
		b.Run(string(cfg.Profile), func(b *testing.B) {
			for b.Loop() {
				if _, err := conformance.Check(context.Background(), cfg); err != nil {
					b.Fatal(err)
				}
				if err := conformance.Explore(context.Background(), cfg, conformance.DefaultSeed, 50); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
		})
	}
}
