package explore_test

import (
	"context"
	"testing"
	"time"

	"github.com/mapiconf/mapiconf/conformance/internal/drive"
	"github.com/mapiconf/mapiconf/conformance/internal/judge"
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/mapi"
	"github.com/mapiconf/mapiconf/reference"
)

func TestProbeRate(t *testing.T) {
	caps := lifecycle.Caps{Objects: true, MultipleStores: true}
	for _, deferred := range []bool{false, true} {
		cfg := reference.Config(reference.Options{StatusRow: true, Deferred: deferred})
		dc := drive.Config{NewProvider: func() (mapi.IMSProvider, error) { return cfg.NewProvider() }, CallTimeout: 5 * time.Second, Spooler: true, Setting: judge.Setting{Deferred: deferred, Strict: true}}
		var rn drive.Runner
		start := time.Now()
		n, bad := 0, 0
		lifecycle.Enumerate(caps, 3, func(lc lifecycle.Lifecycle) bool {
			r := rn.Run(context.Background(), dc, lc)
			n++
			if len(r.Vs) > 0 {
				bad++
				if bad < 3 {
					t.Logf("%v\n%v", r.Vs, lc)
				}
			} else {
				rn.Retire(r)
			}
			return true
		})
		rn.Close()
		t.Logf("deferred=%v: %d lifecycles in %v, %d bad", deferred, n, time.Since(start), bad)
	}
}
