package conformance

import (
	"context"
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"slices"
	"strings"
	"time"

	"github.com/mapiconf/mapiconf/conformance/trace"
)

// Exploration runs random lifecycles against the provider and checks each,
// step by step, against a model of what the declared profile requires
// (../notes/SEMANTICS.md readings of RULES.md). It reports every rule it
// finds broken, each shrunk to a minimal lifecycle.Lifecycle of its own and printed
// with its seed, so that Config.Seed replays it.
//
// The parts: explore_lifecycle.go makes lifecycles, explore_model.go judges
// their steps, explore_end.go the store's end and StoreLogoffTransports,
// explore_answer.go what StoreLogoff makes of MAPI's answer (SL-05),
// explore_again.go a second Logon to the open store (LG-06),
// explore_spooler.go the spooler's own logon (SP-01, SP-02), explore_run.go
// runs one lifecycle (explore_drive.go: with what) and names the causes,
// explore_reuse.go hands what one leaves to the next, explore_shrink.go
// shrinks, explore_report.go reports; this file explores.

// explored is the outcome of an exploration.
type explored struct {
	ran      int
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
	var rn runner
	defer rn.w.Close()
	x := &explorer{ctx: ctx, cfg: cfg}
	for i := range n {
		lc := lifecycle.Generate(seed+uint64(i), caps(cfg))
		x.ran = i + 1
		if r := runLifecycleOn(ctx, &rn, cfg, lc); len(r.vs) > 0 {
			x.take(i+1, lc, r)
		} else {
			rn.retire(r)
		}
		if x.stop {
			break
		}
	}
	return x.explored
}

// take makes findings of what lifecycle ran broke that is not known yet:
// the lifecycle is run again to name each cause (judge), then shrunk, for
// each rule on its own. A rule that the second run does not break is
// reported as it was seen, flaky.
func (x *explorer) take(ran int, lc lifecycle.Lifecycle, seen run) {
	var again *run
	for _, v := range seen.vs {
		if x.known(v, lc) {
			continue
		}
		f := finding{v: v, ran: ran, found: lc, minimal: lc, m: seen.m}
		switch {
		case v.fault == "hang" || v.fault == "start" || v.fault == "suite":
			// Each run again would cost the timeout, or cannot begin.
			x.stop = true
		case v.fault != "":
			same := func(c lifecycle.Lifecycle) bool { r := runLifecycle(x.ctx, x.cfg, c); return r.faultAt(v.fault) != nil }
			if !same(lc) {
				f.flaky = true
				break
			}
			f.minimal = lifecycle.Shrink(lc, caps(x.cfg), same)
			if r := runLifecycle(x.ctx, x.cfg, f.minimal); r.faultAt(v.fault) != nil {
				f.v, f.m = *r.faultAt(v.fault), r.m
			} else {
				f.minimal = lc
			}
		default:
			if again == nil {
				r := judgeLifecycle(x.ctx, x.cfg, lc)
				again = &r
			}
			v1, ok := again.named(v.rule)
			if !ok {
				f.flaky = true
				// The exploration's only timing is its concurrent
				// Releases: a failure at or after them that does not
				// recur is theirs.
				if k := slices.IndexFunc(lc.Steps, func(o lifecycle.Step) bool { return o.Kind == lifecycle.ConcurrentRelease }); k >= 0 && (v.at < 0 || v.at > k) {
					f.v.was, f.v.rule = v.rule, "RB-01"
					f.v.what = "with concurrent Releases: " + v.what
					if x.known(f.v, lc) {
						continue
					}
				}
				break
			}
			if x.known(v1, lc) {
				continue
			}
			breaks := func(c lifecycle.Lifecycle) bool { r := judgeLifecycle(x.ctx, x.cfg, c); return r.has(v1.rule) }
			f.minimal = lifecycle.Shrink(lc, caps(x.cfg), breaks)
			r := judgeLifecycle(x.ctx, x.cfg, f.minimal)
			if vm, ok := r.get(v1.rule); ok {
				f.v, f.m = vm, r.m
			} else { // the shrunk one passed this time: show the one that failed
				f.v, f.m, f.minimal = v1, again.m, lc
			}
		}
		x.findings = append(x.findings, f)
	}
}

// known reports whether v is found already: the same rule or fault, or a
// rule whose earlier finding judge named by a cause lc shares (the rule
// broken only with concurrent Releases, and lc has some).
func (x *explorer) known(v violation, lc lifecycle.Lifecycle) bool {
	return slices.ContainsFunc(x.findings, func(f finding) bool {
		if v.fault != "" || f.v.fault != "" {
			return v.fault == f.v.fault
		}
		return f.v.rule == v.rule || f.v.was == v.rule &&
			slices.ContainsFunc(alternatives(lc), func(a alternative) bool { return a.rule == f.v.rule })
	})
}

// named returns the violation of rule as judge named it: under rule, or
// under the cause it found.
func (r *run) named(rule string) (violation, bool) {
	for _, v := range r.vs {
		if v.fault == "" && (v.rule == rule && v.was == "" || v.was == rule) {
			return v, true
		}
	}
	return violation{}, false
}

// faultAt returns the run's fault in the call named call, if it had one.
func (r *run) faultAt(call string) *violation {
	for i := range r.vs {
		if r.vs[i].fault == call {
			return &r.vs[i]
		}
	}
	return nil
}

// Explore runs n random lifecycles against the provider, from seed on, and
// returns an *ExploreError with every rule they break, each shrunk to a
// minimal lifecycle.Lifecycle, or nil. It is the engine of the explore spec.
func Explore(ctx context.Context, cfg Config, seed uint64, n int) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	if ex := explore(ctx, cfg, seed, n); len(ex.findings) > 0 {
		return ex.err()
	}
	return nil
}

// exploreRules are the rules the exploration can find broken: the explore
// spec carries their labels. It proves none by passing: the fixed specs do.
var exploreRules = []string{
	"STLT-01", "STLT-02", "STLT-03", "STLT-04", "STLT-05", "STLT-06", "STLT-07", "STLT-08",
	"SL-01", "SL-02", "SL-03", "SL-04", "SL-05",
	"RL-01", "RL-02", "RL-03", "RL-04",
	"E-01", "E-03",
	"LG-01", "LG-02", "LG-03", "LG-04", "LG-06",
	"SD-02", "SS-02", "SS-03", "SS-04", "SS-05",
	"RB-01", "RB-02",
	"SP-01", "SP-02",
}

// exploreSpec is the spec labelled "explore".
func exploreSpec() *spec {
	return &spec{section: "H", rules: exploreRules, explore: true,
		text: "explore: random lifecycles, each checked step by step against the model of the declared profile",
		body: func(h *H) {
			seed := h.cfg.Seed
			if seed == 0 {
				seed = uint64(time.Now().UnixNano())
			}
			// What it finds, it reports under the rule broken, each rule
			// once; the faults, which no rule names, stop the spec.
			ex := explore(h.ctx, h.cfg, seed, h.cfg.Explore)
			var faults []string
			for _, f := range ex.findings {
				if f.v.rule == "" {
					faults = append(faults, f.message(false))
					continue
				}
				h.judge(f.v.rule, []trace.Event(nil), &explorationFailure{msg: f.message(false)})
			}
			if len(faults) > 0 {
				h.fatal(strings.Join(faults, "\n\n────────\n\n"))
			}
		}}
}

// caps are the capabilities that decide which steps a client can make.
func caps(cfg Config) lifecycle.Caps {
	c := cfg.Capabilities
	return lifecycle.Caps{Objects: c.Objects, MultipleStores: c.MultipleStores, OneStorePerProvider: c.OneStorePerProvider}
}
