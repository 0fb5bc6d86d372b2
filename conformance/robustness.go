package conformance

import (
	"context"
	"fmt"
	"github.com/mapiconf/mapiconf/conformance/internal/judge"
	"time"

	"github.com/onsi/gomega/types"

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

// Stray goroutines: a provider may leave work running that calls MAPI later,
// a timer that updates the status row, a cleanup scheduled from Logoff.
// Two waits give it the time to show:
//
//   - idleWindow: one spec ends a store and keeps its provider loaded, as
//     MAPI does while the session goes on, for this long before Shutdown;
//   - the last spec waits until idleWindow has passed since the run's first
//     provider was shut down (every provider runs the same code, so a
//     delayed call shows in the first), and lateCallWindow at least, for the
//     last few.
//
// A call delayed longer than idleWindow goes unseen: the suite cannot wait
// for ever, and these windows cost each run about idleWindow.
const (
	idleWindow     = 50 * time.Millisecond
	lateCallWindow = 2 * time.Millisecond
)

// idle is the spec that keeps a provider loaded after its store ended.
func idle() *spec {
	return &spec{section: "D", rules: []string{"RL-03", "LG-03"}, waits: true,
		text: fmt.Sprintf("%s, then the provider stays loaded for %v before IMSProvider::Shutdown: no call on the released support, no status row update once the support is gone", orderly.name, idleWindow),
		body: func(h *H) {
			orderly.drive(h, mapisim.Options{})
			wait(h.ctx, idleWindow)
			h.expect("RL-03", checkOf(judge.NoCallAfterGone))
			h.expect("LG-03", checkOf(judge.NoRowAfterLogoff))
		}}
}

// wait sleeps for d, or until ctx ends.
func wait(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// lateCalls is the last spec of a run. Every other spec ends by shutting its
// provider down; a provider that goes on calling MAPI from a goroutine of
// its own does so after its spec was judged. This spec waits a moment, then
// looks at the calls of every provider the run started.
func lateCalls() *spec {
	return &spec{section: "H", rules: []string{"RL-03", "SS-03"}, waits: true,
		text: "after every other spec: no provider called the support after releasing it, or MAPI after its final Release",
		body: func(h *H) {
			d := lateCallWindow
			if first := h.run.firstShutdown(); !first.IsZero() {
				d = max(d, time.Until(first.Add(idleWindow)))
			}
			wait(h.ctx, d)
			type offence struct {
				spec string
				evs  []trace.Event
				m    types.GomegaMatcher
			}
			found := map[string][]offence{}
			scanned := 0
			for _, st := range h.run.started() {
				if st.m == h.m {
					continue
				}
				scanned++
				evs := st.m.Trace().Events()
				for _, c := range []judge.Check{judge.NoCallAfterGone, judge.NothingAfterProvider} {
					if ok, _, _ := c.Judge(evs); !ok {
						found[c.Rule] = append(found[c.Rule], offence{st.spec, evs, checkOf(c)})
					}
				}
			}
			// One example per rule is enough to read; the count says how
			// widespread it is.
			for _, id := range []string{"RL-03", "SS-03"} {
				if len(found[id]) == 0 && scanned > 0 {
					h.prove(id) // every trace of the run was looked at
				}
				if offs := found[id]; len(offs) > 0 {
					prefix := fmt.Sprintf("In the spec %q", offs[0].spec)
					if len(offs) > 1 {
						prefix += fmt.Sprintf(" (and %s)", plural(len(offs)-1, "other spec"))
					}
					h.judge(id, offs[0].evs, &described{prefix + ":\n", offs[0].m})
				}
			}
		}}
}
