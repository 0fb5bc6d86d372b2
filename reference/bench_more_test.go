package reference_test

import (
	"context"
	"testing"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/reference"
)

// BenchmarkExplore measures the exploration against the reference provider:
// random lifecycles, each judged step by step by the model.
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
// provider, without Ginkgo.
func BenchmarkCheck(b *testing.B) {
	cfg := reference.Config(reference.Options{StatusRow: true})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := conformance.Check(context.Background(), cfg); err != nil {
			b.Fatal(err)
		}
	}
}
