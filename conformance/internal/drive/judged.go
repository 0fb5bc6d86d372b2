package drive

import (
	"context"
	"slices"

	"github.com/mapiconf/mapiconf/conformance/internal/judge"
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
)

// Judged runs lc against a fresh provider of cfg, and its ordinary
// variants where the rules that compare two runs need them (judge.
// Alternatives): with bogus counts its calls are compared with true
// counts' (RB-02, Counted), and a rule broken only in lc is blamed on
// what a variant takes away (RB-01, STLT-07, RB-02). The named specs judge
// their lifecycles so, and the enumeration and the exploration each
// lifecycle that broke a rule.
func Judged(ctx context.Context, cfg Config, lc lifecycle.Lifecycle) Run {
	var rn Runner
	defer rn.Close()
	return rn.Judged(ctx, cfg, lc)
}

// Judged is drive.Judged on the runner's worker.
func (rn *Runner) Judged(ctx context.Context, cfg Config, lc lifecycle.Lifecycle) Run {
	r := rn.Counted(ctx, cfg, lc)
	if r.Stopped {
		return r
	}
	for _, alt := range judge.Alternatives(lc) {
		if !attributable(r, alt) {
			continue // nothing to blame: no need to run the variant
		}
		o := rn.Run(ctx, cfg, alt.Ordinary)
		if o.Stopped {
			continue // a hung or faulted variant: nothing to compare, and its trace may be in use
		}
		if len(o.Vs) == 0 {
			for i := range r.Vs {
				if !alt.Attributable(r.Vs[i]) {
					continue
				}
				if also, ok := alt.Blame(&r.Vs[i]); ok && !r.Has(also.Rule) {
					r.Vs = append(r.Vs, also)
				}
			}
		}
		rn.Retire(o)
	}
	return r
}

// Counted runs lc, and with bogus counts compares its calls with those of
// the same lifecycle with true counts (judge.SameCalls, RB-02). Two runs
// with Releases at once may order their calls differently whatever the
// counts: only sequential ones are compared.
func (rn *Runner) Counted(ctx context.Context, cfg Config, lc lifecycle.Lifecycle) Run {
	r := rn.Run(ctx, cfg, lc)
	if !lc.Bogus || r.Stopped || concurrent(lc) {
		return r
	}
	accurate := lc
	accurate.Bogus = false
	o := rn.Run(ctx, cfg, accurate)
	if o.Stopped {
		return r
	}
	if ok, got := judge.SameCalls(onTime(r.M), onTime(o.M)); !ok {
		r.fail(-1, "RB-02", "%s", got)
	}
	rn.Retire(o)
	return r
}

func attributable(r Run, alt judge.Alternative) bool {
	for _, v := range r.Vs {
		if alt.Attributable(v) {
			return true
		}
	}
	return false
}

func concurrent(lc lifecycle.Lifecycle) bool {
	for _, o := range lc.Steps {
		if o.Kind == lifecycle.ConcurrentRelease || o.Kind == lifecycle.StoreLogoffAtOnce {
			return true
		}
	}
	return false
}

// onTime is m's trace without the calls the provider made late, from a
// thread of its own (mapisim.Late): when one lands is the provider's
// timing, not its answer to the counts; RL-03 and SS-03 judge it.
func onTime(m *mapisim.MAPI) []trace.Event {
	evs := m.Trace().Events()
	late := m.Late()
	if late == nil {
		return evs
	}
	return slices.DeleteFunc(evs, func(e trace.Event) bool {
		return slices.ContainsFunc(late, func(l mapisim.Late) bool { return l.Event.Seq == e.Seq })
	})
}
