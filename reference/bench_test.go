package reference_test

import (
	"testing"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/mapi"
	"github.com/mapiconf/mapiconf/reference"
)

// BenchmarkLifecycle measures one recorded lifecycle of the reference
// provider through the simulated MAPI side: logon, StoreLogoff, Release
// (with MAPI's teardown), Shutdown. The goal is 300,000 lifecycles per
// second per core (make bench runs it with -cpu 1).
func BenchmarkLifecycle(b *testing.B) {
	for _, deferred := range []bool{false, true} {
		name := "immediate"
		if deferred {
			name = "deferred"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m := mapisim.New(reference.New(reference.Options{Deferred: deferred}), mapisim.Options{})
				s, err := m.Logon()
				if err != nil {
					b.Fatal(err)
				}
				c := s.Client()
				c.StoreLogoff(mapi.LogoffOrderly)
				c.Release()
				m.Shutdown()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lifecycles/s")
		})
	}
}
