package conformance

import (
	"context"
	"slices"
)

// sectionOrder is the order of RULES.md.
var sectionOrder = []string{"A", "B", "C", "D", "E", "F", "G", "H", "I"}

// runOrder is the order the specs run in: RULES.md's, but section H last,
// for its last spec looks for calls that the providers of every spec before
// it made late. allSpecs lists the specs in this order.
var runOrder = []string{"A", "B", "C", "D", "E", "F", "G", "I", "H"}

// allSpecs returns the whole suite, section by section. It builds a new
// table on every call, so that nothing is registered or shared at import.
func allSpecs() []*spec {
	return slices.Concat(waysIn(), storeLogoffTransports(), storeLogoff(), release(),
		teardown(), logonBookkeeping(), sessionShutdown(), spoolerSpecs(), robustness(), []*spec{enumerateSpec(), exploreSpec(), lateCalls()})
}

// labels are the Ginkgo labels of a spec: its rule IDs, its section and the
// strengths of its rules.
func (sp *spec) labels() []string {
	labels := append([]string(nil), sp.rules...)
	labels = append(labels, sectionLabel(sp.section))
	for _, id := range sp.rules {
		r, _ := RuleByID(id)
		for _, st := range r.Strength {
			if !slices.Contains(labels, string(st)) {
				labels = append(labels, string(st))
			}
		}
	}
	return labels
}

// Check runs the specs against the provider cfg describes, without Ginkgo,
// and returns one Result per spec: every spec but the random exploration
// (see Explore), the enumeration included, or with rule IDs given only the
// named specs that judge one of them. It is what the kill matrix and the
// benchmarks use; in a test, Run is the entry point.
func Check(ctx context.Context, cfg Config, rules ...string) ([]Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	var out []Result
	rs := &runState{}
	defer rs.close()
	for _, sp := range runSpecs(cfg) {
		if sp.explore && !sp.enumerate || sp.enumerate && (cfg.Depth < 0 || len(rules) > 0) {
			// Explore runs the random exploration. The enumeration, like
			// it, is labelled with no rule in Ginkgo: a filter on a rule
			// runs that rule's specs, not every lifecycle.
			continue
		}
		if len(rules) > 0 && !slices.ContainsFunc(sp.rules, func(id string) bool { return slices.Contains(rules, id) }) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return out, err
		}
		out = append(out, sp.run(ctx, cfg, rs))
	}
	return out, nil
}

// FailedRules returns the IDs of the rules that results found broken, in
// the order of RULES.md.
func FailedRules(results []Result) []string {
	var out []string
	for _, r := range Rules {
		for _, x := range results {
			if slices.Contains(x.Failed, r.ID) {
				out = append(out, r.ID)
				break
			}
		}
	}
	return out
}
