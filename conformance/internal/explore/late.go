package explore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mapiconf/mapiconf/conformance/internal/judge"
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/conformance/mapisim"
)

// Late calls: a provider may call MAPI from a thread of its own long after
// a lifecycle was judged (RULES.md revision 4: "a late call is late
// whenever it comes"). Each lifecycle's simulated MAPI keeps noting such
// calls in a small log that outlives it; at the end of the exploration or
// the enumeration the logs of all its lifecycles are read, and each rule a
// late call breaks is a finding, with the first lifecycle that showed it
// and how late the call came. Every lifecycle is watched for at least
// LateFloor after it ended (the last one's wait is the run's only one); a
// call later than the whole run is seen by no run.

// LateFloor is how long after its end a lifecycle's late calls are always
// seen: the end of the enumeration and of the exploration waits that long
// after the last lifecycle. Without it a late call of one of the last
// lifecycles was seen or not by how fast the rest of the run went, which
// a loaded machine changes (the known-bad late-row-on-purge, 10 ms late,
// was missed by one kill matrix run in six at load 6).
const LateFloor = 50 * time.Millisecond

// watchLate waits until LateFloor has passed since the last lifecycle
// ended, or ctx ends.
func watchLate(ctx context.Context, lastEnd time.Time) {
	t := time.NewTimer(time.Until(lastEnd.Add(LateFloor)))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// watched is one lifecycle's late-call log.
type watched struct {
	ran int
	lc  lifecycle.Lifecycle
	log *mapisim.LateLog
}

// takeLate makes findings of the late calls the watched lifecycles' logs
// hold now, each rule once, unless found already.
func (x *explorer) takeLate(ws []watched) {
	for _, w := range ws {
		for _, l := range w.log.Calls() {
			for _, rule := range judge.LateRules(l.Event.Method, l.Released, l.AfterProvider) {
				v := judge.Violation{Rule: rule, At: -1,
					What: fmt.Sprintf("%s came %v after %s, from a thread of the provider's own", l.Event.Name()+" on "+l.Event.Object, l.After.Round(time.Millisecond), l.Since)}
				if x.known(v, w.lc) {
					continue
				}
				x.findings = append(x.findings, finding{v: v, ran: w.ran, depth: x.depth, found: w.lc, minimal: w.lc, late: w.log.Calls()})
			}
		}
	}
}

// lateCalls says the late calls of a finding, the first few.
func lateCalls(late []mapisim.Late) string {
	var b strings.Builder
	for i, l := range late {
		if i == 3 {
			fmt.Fprintf(&b, "    … and %d more\n", len(late)-3)
			break
		}
		fmt.Fprintf(&b, "    provider → [%s] %s, %v after %s\n", l.Event.Object, l.Event.Name(), l.After.Round(time.Millisecond), l.Since)
	}
	return b.String()
}
