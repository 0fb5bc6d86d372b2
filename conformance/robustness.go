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
		text := "eight references dropped at once from eight goroutines: as many StoreLogoffTransports and support Releases as when dropped one by one"
		if withLogoff {
			text = "StoreLogoff(LOGOFF_ORDERLY), then " + text
		}
		out = append(out, &spec{section: "H", rules: []string{"RB-01"}, text: text,
			body: func(h *H) {
				// The same path dropped one reference at a time is the
				// baseline: RB-01 judges what concurrency changes, while
				// STLT-01 and RL-01 judge the counts themselves.
				var want [2]int
				for _, concurrent := range []bool{false, true} {
					_, s := h.start(mapisim.Options{})
					if withLogoff {
						h.drive(func() { s.Client().StoreLogoff(mapi.LogoffOrderly) })
					}
					if !concurrent {
						h.drive(func() {
							for range 7 {
								s.Client().AddRef()
							}
							for range 8 {
								s.Client().Release()
							}
						})
						evs := h.m.Trace().Events()
						want = [2]int{len(trace.Select(evs, stlt)), len(trace.Select(evs, trace.SupportRelease))}
						continue
					}
					h.concurrentRelease(s, 8)
					h.expect("RB-01", HaveCallCount(stlt, want[0]))
					h.expect("RB-01", HaveCallCount(trace.SupportRelease, want[1]))
				}
			}})
	}
	for _, p := range []path{orderly, releaseOnly} {
		out = append(out, &spec{section: "H", rules: []string{"RB-02"},
			text: p.name + ", the support's AddRef and Release returning 0: the provider makes the same calls as with true counts",
			body: func(h *H) {
				p.drive(h, mapisim.Options{})
				accurate := h.m.Trace().Events()
				p.drive(h, mapisim.Options{BogusCounts: true})
				h.expect("RB-02", HaveSameCallsAs(accurate))
			}})
	}
	return out
}
