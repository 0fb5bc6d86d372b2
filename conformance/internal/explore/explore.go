// Package explore runs random lifecycles against a provider, judges each
// with the model of package judge, and reports every rule it finds broken,
// each shrunk to a minimal lifecycle of its own and printed with its seed,
// so that Config.Seed replays it.
package explore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mapiconf/mapiconf/conformance/internal/drive"
	"github.com/mapiconf/mapiconf/conformance/internal/judge"
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/conformance/internal/rule"
	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
)

// Config is what an exploration needs: how to run a lifecycle, and which
// steps the provider's capabilities allow.
type Config struct {
	Drive drive.Config
	Caps  lifecycle.Caps
}

// Run runs n lifecycles from seed on, and returns how many it ran and an
// *Error with every rule they broke, or nil.
func Run(ctx context.Context, cfg Config, seed uint64, n int) (ran int, err *Error) {
	ex := explore(ctx, cfg, seed, n)
	if len(ex.findings) == 0 {
		return ex.ran, nil
	}
	return ex.ran, ex.err()
}

// explored is the outcome of an exploration.
type explored struct {
	ran      int
	depth    int // the enumeration's depth; 0: random lifecycles
	findings []finding
}

// explorer collects the findings of one exploration.
type explorer struct {
	ctx context.Context
	cfg Config
	explored
	stop bool // a hang, or a provider that cannot be started: go no further
}

// explore runs n lifecycles from seed on and collects every rule broken.
func explore(ctx context.Context, cfg Config, seed uint64, n int) explored {
	return over(ctx, cfg, 0, func(yield func(lifecycle.Lifecycle) bool) {
		for i := range n {
			if !yield(lifecycle.Generate(seed+uint64(i), cfg.Caps)) {
				return
			}
		}
	})
}

// Enumerate judges every lifecycle of lifecycle.Enumerate to depth, in its
// fixed order, and returns how many it ran and an *Error with every rule
// they broke, or nil: the deterministic part of the gate.
func Enumerate(ctx context.Context, cfg Config, depth int) (ran int, err *Error) {
	ex := over(ctx, cfg, depth, func(yield func(lifecycle.Lifecycle) bool) {
		lifecycle.Enumerate(cfg.Caps, depth, yield)
	})
	if len(ex.findings) == 0 {
		return ex.ran, nil
	}
	return ex.ran, ex.err()
}

// over runs the lifecycles each yields, one after another, and collects
// every rule broken; depth is the enumeration's, 0 for random lifecycles.
func over(ctx context.Context, cfg Config, depth int, each func(yield func(lifecycle.Lifecycle) bool)) explored {
	var rn drive.Runner
	defer rn.Close()
	x := &explorer{ctx: ctx, cfg: cfg}
	x.depth = depth
	var ws []watched
	each(func(lc lifecycle.Lifecycle) bool {
		x.ran++
		r := rn.Counted(ctx, cfg.Drive, lc)
		if r.M != nil {
			ws = append(ws, watched{x.ran, lc, r.M.Lates()})
		}
		if len(r.Vs) > 0 {
			x.take(x.ran, lc, r)
		} else {
			rn.Retire(r)
		}
		return !x.stop && ctx.Err() == nil
	})
	watchLate(ctx, time.Now())
	x.takeLate(ws)
	return x.explored
}

// take makes findings of what lifecycle ran broke that is not known yet:
// the lifecycle is run again to name each cause (judge), then shrunk, for
// each rule on its own. A rule that the second run does not break is
// reported as it was seen, flaky.
func (x *explorer) take(ran int, lc lifecycle.Lifecycle, seen drive.Run) {
	var again *drive.Run
	vs := slices.Clone(seen.Vs)
	for i := 0; i < len(vs); i++ {
		v := vs[i]
		if x.known(v, lc) {
			continue
		}
		f := finding{v: v, ran: ran, depth: x.depth, found: lc, minimal: lc, m: seen.M}
		switch {
		case v.Fault == "hang" || v.Fault == "start" || v.Fault == "suite":
			// Each run again would cost the timeout, or cannot begin.
			x.stop = true
		case v.Fault != "":
			same := func(c lifecycle.Lifecycle) bool {
				r := drive.Lifecycle(x.ctx, x.cfg.Drive, c)
				return r.FaultAt(v.Fault) != nil
			}
			if !same(lc) {
				f.flaky = true
				break
			}
			f.minimal = lifecycle.Shrink(lc, x.cfg.Caps, same)
			if r := drive.Lifecycle(x.ctx, x.cfg.Drive, f.minimal); r.FaultAt(v.Fault) != nil {
				f.v, f.m = *r.FaultAt(v.Fault), r.M
			} else {
				f.minimal = lc
			}
		default:
			if again == nil {
				r := drive.Judged(x.ctx, x.cfg.Drive, lc)
				again = &r
				// A rule broken besides (STLT-07's shutdown that did not
				// complete) is a finding of its own.
				for _, a := range r.Vs {
					if a.Was != "" && a.Rule == "STLT-07" {
						vs = append(vs, a)
					}
				}
			}
			v1, ok := again.Named(v.Rule)
			if !ok {
				f.flaky = true
				// The exploration's own timing is its concurrent
				// Releases: a failure at or after them that does not
				// recur is theirs, unless it marks a call the provider
				// made from a thread of its own, whose timing is the
				// provider's (a timer's call that landed among them).
				if k := slices.IndexFunc(lc.Steps, func(o lifecycle.Step) bool { return o.Kind == lifecycle.ConcurrentRelease }); k >= 0 && (v.At < 0 || v.At > k) && !ownTiming(v, seen.M) {
					f.v.Was, f.v.Rule = v.Rule, "RB-01"
					f.v.What = "with concurrent Releases: " + v.What
					if x.known(f.v, lc) {
						continue
					}
				}
				break
			}
			if x.known(v1, lc) {
				continue
			}
			breaks := func(c lifecycle.Lifecycle) bool { r := drive.Judged(x.ctx, x.cfg.Drive, c); return r.Has(v1.Rule) }
			f.minimal = lifecycle.Shrink(lc, x.cfg.Caps, breaks)
			r := drive.Judged(x.ctx, x.cfg.Drive, f.minimal)
			if vm, ok := r.Get(v1.Rule); ok {
				f.v, f.m = vm, r.M
			} else { // the shrunk one passed this time: show the one that failed
				f.v, f.m, f.minimal = v1, again.M, lc
			}
		}
		x.findings = append(x.findings, f)
	}
}

// ownTiming reports whether v marks a call the provider made from a thread
// of its own (trace.Event.OwnThread) in m's trace.
func ownTiming(v judge.Violation, m *mapisim.MAPI) bool {
	if m == nil || len(v.Marks) == 0 {
		return false
	}
	for _, e := range m.Trace().Events() {
		if _, marked := v.Marks[e.Seq]; marked && e.OwnThread {
			return true
		}
	}
	return false
}

// known reports whether v is found already: the same rule or fault, or a
// rule whose earlier finding judge named by a cause lc shares (the rule
// broken only with concurrent Releases, and lc has some).
func (x *explorer) known(v judge.Violation, lc lifecycle.Lifecycle) bool {
	return slices.ContainsFunc(x.findings, func(f finding) bool {
		if v.Fault != "" || f.v.Fault != "" {
			return v.Fault == f.v.Fault
		}
		return f.v.Rule == v.Rule || f.v.Was == v.Rule &&
			slices.ContainsFunc(judge.Alternatives(lc), func(a judge.Alternative) bool { return a.Rule == f.v.Rule })
	})
}

// finding is one rule an exploration found broken, or one fault, with the
// lifecycle that shows it best.
type finding struct {
	v       judge.Violation     // as the minimal lifecycle.Lifecycle breaks it; a flaky one as it was seen
	flaky   bool                // seen once: the same lifecycle run again did not break it
	ran     int                 // the lifecycle's number in the exploration, from 1
	depth   int                 // the enumeration's depth; 0: a random lifecycle
	found   lifecycle.Lifecycle // as generated
	minimal lifecycle.Lifecycle // after shrinking
	m       *mapisim.MAPI
	late    []mapisim.Late // a late call's finding: the lifecycle's late calls (its trace was retired)
}

// Error is what an exploration found: every rule a lifecycle broke,
// each with the smallest lifecycle that still breaks it, and the faults
// (panics, hangs, nils) that no rule names.
type Error struct {
	Rule     string // the first finding's rule
	Message  string // every finding's report
	Findings []Finding
}

// Finding is one rule broken in an exploration, or one fault.
type Finding struct {
	Rule    string // "" when it is no rule's: a panic, a hang, a nil, a provider that cannot be started
	Flaky   bool   // seen once; the same lifecycle run again did not break it
	Seed    uint64 // the lifecycle's seed: Config.Seed replays it with Config.Explore = 1
	Message string
}

func (e *Error) Error() string { return e.Message }

// Rules returns the rules found broken, in the order found.
func (e *Error) Rules() []string {
	var ids []string
	for _, f := range e.Findings {
		if f.Rule != "" {
			ids = append(ids, f.Rule)
		}
	}
	return ids
}

// Without is e without the findings drop says to leave out, or nil when
// none is left.
func (e *Error) Without(drop func(Finding) bool) *Error {
	var out Error
	var msgs []string
	for _, f := range e.Findings {
		if drop(f) {
			continue
		}
		if out.Rule == "" {
			out.Rule = f.Rule
		}
		out.Findings = append(out.Findings, f)
		msgs = append(msgs, f.Message)
	}
	if len(out.Findings) == 0 {
		return nil
	}
	if len(out.Findings) == len(e.Findings) {
		return e
	}
	out.Message = strings.Join(msgs, "\n\n────────\n\n")
	return &out
}

func (ex explored) err() *Error {
	e := &Error{Rule: ex.findings[0].v.Rule}
	var msgs []string
	for _, f := range ex.findings {
		msg := f.message(true)
		e.Findings = append(e.Findings, Finding{Rule: f.v.Rule, Flaky: f.flaky, Seed: f.found.Seed, Message: msg})
		msgs = append(msgs, msg)
	}
	if len(msgs) > 1 {
		what := "exploration"
		if ex.depth > 0 {
			what = fmt.Sprintf("enumeration to depth %d", ex.depth)
		}
		msgs = append([]string{fmt.Sprintf("The %s found %d problems in %s.", what, len(msgs), plural(ex.ran, "lifecycle"))}, msgs...)
	}
	e.Message = strings.Join(msgs, "\n\n────────\n\n")
	return e
}

// message is a finding's report; header puts the rule's sentence first,
// where no spec failure does it already.
func (f finding) message(header bool) string {
	var b strings.Builder
	if header {
		b.WriteString(ruleHeader(f.v.Rule))
	}
	seed := f.found.Seed
	which := fmt.Sprintf("Lifecycle %d of the exploration (seed %d)", f.ran, seed)
	replay := fmt.Sprintf("Replay it with Config.Seed = %d and Config.Explore = 1", seed)
	if f.depth > 0 {
		which = fmt.Sprintf("Lifecycle %d of the enumeration to depth %d", f.ran, f.depth)
		replay = fmt.Sprintf("Every run enumerates it again (Config.Depth = %d)", f.depth)
	}
	switch {
	case f.flaky:
		fmt.Fprintf(&b, "%s broke it once, at %s: %s.\n", which, judge.StepName(f.v.At), f.v.What)
		b.WriteString("Run again, the same lifecycle did not: the failure depends on timing (a race in the provider, or a timer).\n")
		fmt.Fprintf(&b, "The lifecycle, as it ran:\n%s", f.found)
		fmt.Fprintf(&b, "%s; it may take several runs.\n", replay)
		b.WriteString("\nCall sequence as it ran:\n")
	default:
		verb := "breaks it"
		if f.v.Rule == "" {
			verb = "stopped"
		}
		fmt.Fprintf(&b, "%s %s at %s: %s.\n", which, verb, judge.StepName(f.v.At), f.v.What)
		if n := len(f.minimal.Steps); n < len(f.found.Steps) {
			fmt.Fprintf(&b, "Shrunk from %s to %d:\n%s", plural(len(f.found.Steps), "step"), n, f.minimal)
		} else {
			fmt.Fprintf(&b, "The lifecycle, already minimal:\n%s", f.minimal)
		}
		fmt.Fprintf(&b, "%s.\n", replay)
		// The lifecycle as Go, to paste into the spec table as a named
		// lifecycle (conformance.namedLifecycle).
		fmt.Fprintf(&b, "As a named lifecycle: %#v\n", f.minimal)
		b.WriteString("\nCall sequence of the minimal lifecycle:\n")
	}
	if len(f.late) > 0 {
		b.WriteString("(The lifecycle was judged and its trace let go before these came.) Its late calls:\n" + lateCalls(f.late))
		return b.String()
	}
	if f.m != nil {
		marks := map[int]string(f.v.Marks)
		if e, ok := f.m.Trace().InProgress(); ok && f.v.Fault == "hang" {
			marks = map[int]string{e.Seq: "in progress"}
		}
		b.WriteString(trace.Format(f.m.Trace().Events(), marks))
	} else {
		b.WriteString("    (none: the provider could not be started)\n")
	}
	return b.String()
}

func ruleHeader(id string) string {
	if r, ok := rule.ByID(id); ok {
		return r.String() + "\n\n"
	}
	return ""
}

// plural counts things: "1 step", "2 steps".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
