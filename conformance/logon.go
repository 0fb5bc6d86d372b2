package conformance

import (
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
)

// Section F: the logon bookkeeping that shutdown must undo.
func logonBookkeeping() []*spec {
	var out []*spec
	out = append(out, releaseOnly.named("F", "IMSProvider::Logon keeps a reference on the support (AddRef, at least once)", []string{"LG-01"}),
		namedFor("F", "IMSProvider::Logon calls SetProviderUID with flags 0, on every logon (a second store's too, with Capabilities.MultipleStores)", []string{"LG-02"},
			func(c Capabilities) lifecycle.Lifecycle {
				if !c.MultipleStores {
					return releaseOnly.life
				}
				lc := steps(clientRelease, onSecond(clientRelease))
				lc.TwoStores = true
				return lc
			}).outlined(releaseOnly.pathOutline()))
	// Not only for providers that declare a row: one that makes a row
	// late, undeclared, breaks LG-03 all the same.
	for _, p := range []path{orderly, releaseOnly} {
		out = append(out, p.named("F", p.name+": the status row, if any, is added inside Logon and never touched once the support is gone", []string{"LG-03"}))
	}
	for _, p := range endingPaths {
		out = append(out, p.named("F", p.name+": IMSLogon::Logoff(0) returns S_OK, the store already gone", []string{"LG-04"}))
	}
	for _, p := range []path{orderly, releaseOnly} {
		out = append(out, p.named("F", p.name+": the logon object goes with the store, inside the call that ends it", []string{"LG-05"}))
	}
	return out
}
