package conformance

import (
	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// Section H: robustness.
func robustness() []*spec {
	var out []*spec
	for _, withLogoff := range []bool{false, true} {
		text := "eight clients drop the last eight references at once: one StoreLogoffTransports, one support Release"
		if withLogoff {
			text = "StoreLogoff(LOGOFF_ORDERLY), then " + text
		}
		out = append(out, &spec{section: "H", rules: []string{"RB-01"}, text: text,
			body: func(h *H) {
				_, s := h.start(mapisim.Options{})
				if withLogoff {
					h.drive(func() { s.Client().StoreLogoff(mapi.LogoffOrderly) })
				}
				h.concurrentRelease(s, 8)
				h.expect("RB-01", HaveCallCount(stlt, 1))
				h.expect("RB-01", HaveCallCount(trace.SupportRelease, 1))
			}})
	}
	for _, p := range []path{orderly, releaseOnly} {
		out = append(out, &spec{section: "H", rules: []string{"RB-02"},
			text: p.name + ", the support's AddRef and Release returning 0: shutdown does not depend on the counts",
			body: func(h *H) {
				p.drive(h, mapisim.Options{BogusCounts: true})
				h.expect("RB-02", HaveCallCount(stlt, 1))
				h.expect("RB-02", HaveBalancedRefs(trace.SupportAddRef, trace.SupportRelease))
				h.expect("RB-02", logoffInsideSupportRelease)
			}})
	}
	return out
}
