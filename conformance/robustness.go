package conformance

import (
	"fmt"
	"strings"
	"time"

	"github.com/onsi/gomega/types"

	"github.com/mapiconf/mapiconf/conformance/internal/judge"
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// Section H: robustness. RB-01 and RB-02 compare two runs of a lifecycle
// (judge.Alternatives): a rule broken only with concurrent Releases is
// RB-01's, one broken only with bogus counts, or calls other than with
// true counts, RB-02's.
func robustness() []*spec {
	var out []*spec
	for _, withLogoff := range []bool{false, true} {
		text := "eight references dropped at once from eight goroutines: as many StoreLogoffTransports and support Releases as when dropped one by one"
		ss := []lifecycle.Step{addRef, addRef, addRef, addRef, addRef, addRef, addRef, {Kind: lifecycle.ConcurrentRelease, N: 8}}
		if withLogoff {
			text = "StoreLogoff(LOGOFF_ORDERLY), then " + text
			ss = append([]lifecycle.Step{logoff(mapi.LogoffOrderly)}, ss...)
		}
		out = append(out, releaseOnly.with("H", text, []string{"RB-01"}, steps(ss...)))
	}
	for _, p := range []path{orderly, releaseOnly} {
		lc := p.life
		lc.Bogus = true
		out = append(out, p.with("H", p.name+", the support's AddRef and Release returning 0: the provider makes the same calls as with true counts", []string{"RB-02"}, lc))
	}
	return out
}

// Stray goroutines: a provider may leave work running that calls MAPI later,
// a timer that updates the status row, a cleanup scheduled from Logoff.
// However late it comes, such a call breaks a rule (RULES.md revision 4).
// The simulated MAPI of every spec keeps watching until the run ends (it
// notes each late call with how long after it came: mapisim.Late), and the
// run's last spec judges every trace of the run then. Nothing waits on
// purpose but the enumeration and the exploration, each for at most
// explore.LateFloor after its last lifecycle: a call later than the rest of
// the run is seen by no run, which the report says by the run's length.

// lateCalls is the last spec of a run. Every other spec ends by shutting its
// provider down; a provider that goes on calling MAPI from a goroutine of
// its own does so after its spec was judged. This spec looks at the calls
// of every provider the run started, as they stand at the end of the run.
func lateCalls() *spec {
	return &spec{section: "H", rules: []string{"RL-03", "LG-03", "SS-03"},
		text: "after every other spec: no provider called the support after releasing it, updated its status row after IMSLogon::Logoff, or called MAPI after its final Release, however late",
		body: func(h *H) {
			if h.cfg.LateWatch > 0 {
				// The one wait of a run, and only when asked for.
				select {
				case <-time.After(h.cfg.LateWatch):
				case <-h.ctx.Done():
				}
			}
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
				judge.Broken(evs, lateChecks, func(c judge.Check) {
					found[c.Rule] = append(found[c.Rule], offence{st.spec, evs, st.m.Late(), checkOf(c)})
				})
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

// lateChecks are the checks of a call made late.
var lateChecks = []judge.Check{judge.NoCallAfterGone, judge.NoRowAfterLogoff, judge.NothingAfterProvider}

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
