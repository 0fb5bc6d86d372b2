package conformance

import (
	"fmt"
	"strings"
	"time"

	"github.com/onsi/gomega/types"

	"github.com/mapiconf/mapiconf/conformance/internal/judge"
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
// However late it comes, such a call breaks a rule (RULES.md revision 4).
// The simulated MAPI of every spec keeps watching until the run ends (it
// notes each late call with how long after it came: mapisim.Late), and the
// run's last spec judges every trace of the run then. Nothing waits on
// purpose: a call later than the rest of the run is seen by no run, which
// the report says by the run's length.

// lateCalls is the last spec of a run. Every other spec ends by shutting its
// provider down; a provider that goes on calling MAPI from a goroutine of
// its own does so after its spec was judged. This spec looks at the calls
// of every provider the run started, as they stand at the end of the run.
func lateCalls() *spec {
	return &spec{section: "H", rules: []string{"RL-03", "LG-03", "SS-03"},
		text: "after every other spec: no provider called the support after releasing it, updated its status row after IMSLogon::Logoff, or called MAPI after its final Release, however late",
		body: func(h *H) {
			type offence struct {
				spec string
				evs  []trace.Event
				late []mapisim.Late
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
				for _, c := range []judge.Check{judge.NoCallAfterGone, judge.NoRowAfterLogoff, judge.NothingAfterProvider} {
					if ok, _, _ := c.Judge(evs); !ok {
						found[c.Rule] = append(found[c.Rule], offence{st.spec, evs, st.m.Late(), checkOf(c)})
					}
				}
			}
			// One example per rule is enough to read; the count says how
			// widespread it is.
			for _, id := range []string{"RL-03", "LG-03", "SS-03"} {
				if len(found[id]) == 0 && scanned > 0 {
					h.prove(id) // every trace of the run was looked at
				}
				if offs := found[id]; len(offs) > 0 {
					prefix := fmt.Sprintf("In the spec %q", offs[0].spec)
					if len(offs) > 1 {
						prefix += fmt.Sprintf(" (and %s)", plural(len(offs)-1, "other spec"))
					}
					h.judge(id, offs[0].evs, &described{prefix + ":\n" + lateness(offs[0].late), offs[0].m})
				}
			}
		}}
}

// lateness says how late the late calls of a spec came, the first few.
func lateness(late []mapisim.Late) string {
	var b strings.Builder
	for i, l := range late {
		if i == 3 {
			fmt.Fprintf(&b, "  … and %s more\n", plural(len(late)-3, "late call"))
			break
		}
		fmt.Fprintf(&b, "  #%d %s came %v after %s, when the spec had been judged.\n", l.Event.Seq, l.Event.Name(), l.After.Round(time.Millisecond), l.Since)
	}
	return b.String()
}
