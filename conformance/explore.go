package conformance

import (
	"context"
	"strings"

	"github.com/mapiconf/mapiconf/conformance/internal/drive"
	"github.com/mapiconf/mapiconf/conformance/internal/explore"
	"github.com/mapiconf/mapiconf/conformance/internal/judge"
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/conformance/trace"
)

// The exploration runs random lifecycles (package lifecycle) through the
// driver (package drive), each judged step by step by the model of the
// declared profile (package judge), and shrinks what fails (package
// explore). This file is its front: Explore, and the explore spec.

type (
	// ExploreError is what an exploration found: every rule a lifecycle
	// broke, each with the smallest lifecycle that still breaks it, and
	// the faults (panics, hangs, nils) that no rule names.
	ExploreError = explore.Error
	// Finding is one rule broken in an exploration, or one fault.
	Finding = explore.Finding
)

// Explore runs n random lifecycles against the provider, from seed on, and
// returns an *ExploreError with every rule they break, each shrunk to a
// minimal lifecycle, or nil. It is the engine of the explore spec. A "may"
// rule's finding is a note unless the config is strict: it is left out.
func Explore(ctx context.Context, cfg Config, seed uint64, n int) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	_, e := explore.Run(ctx, exploreConfig(cfg), seed, n)
	if e == nil || cfg.Strict {
		return asError(e)
	}
	return asError(e.Without(func(f Finding) bool { r, _ := RuleByID(f.Rule); return r.Is(May) }))
}

// asError keeps a nil *ExploreError a nil error.
func asError(e *ExploreError) error {
	if e == nil {
		return nil
	}
	return e
}

// exploreConfig is what the exploration needs of cfg, which has its
// defaults.
func exploreConfig(cfg Config) explore.Config {
	c := cfg.Capabilities
	return explore.Config{
		Drive: drive.Config{NewProvider: cfg.NewProvider, CallTimeout: cfg.CallTimeout, Spooler: c.Spooler, Subobject: c.Subobject,
			Setting: judge.Setting{Deferred: cfg.Profile == Deferred, Strict: cfg.Strict, StatusRow: c.StatusRow}},
		Caps: lifecycle.Caps{Objects: c.Objects, Subobject: c.Objects && c.Subobject != "", StatusObject: c.StatusObject,
			MultipleStores: c.MultipleStores, OneStorePerProvider: c.OneStorePerProvider, Spooler: c.Spooler},
	}
}

// exploreRules are the rules the exploration can find broken: the explore
// spec carries their labels. It proves none by passing: the fixed specs do.
var exploreRules = []string{
	"STLT-01", "STLT-02", "STLT-03", "STLT-04", "STLT-05", "STLT-06", "STLT-07", "STLT-08",
	"SL-01", "SL-02", "SL-03", "SL-04", "SL-05",
	"RL-01", "RL-02", "RL-03", "RL-04",
	"E-01", "E-02", "E-03", "E-04", "E-05",
	"LG-01", "LG-02", "LG-03", "LG-04", "LG-05", "LG-06",
	"SD-01", "SD-02", "SD-03", "SS-01", "SS-02", "SS-03", "SS-04", "SS-05",
	"RB-01", "RB-02",
	"SP-01", "SP-02",
}

// exploreSpec is the spec labelled "explore".
func exploreSpec() *spec {
	return &spec{section: "H", rules: exploreRules, explore: true,
		text: "explore: random lifecycles, each checked step by step against the model of the declared profile",
		body: func(h *H) {
			seed := h.cfg.Seed
			// What it finds, it reports under the rule broken, each rule
			// once; the faults, which no rule names, stop the spec.
			_, ex := explore.Run(h.ctx, exploreConfig(h.cfg), seed, h.cfg.Explore)
			h.reportFindings(exploreFindings(ex))
		}}
}

// DefaultSeed is the first random lifecycle's seed when Config.Seed is 0:
// fixed, so that the exploration too says the same on every run; the
// report prints it. A gate that wants new lifecycles every run passes a
// seed of its own (mapiconf test -seed random takes one from the clock).
const DefaultSeed = 1

// exploreFindings are an exploration's findings, none when it found none.
func exploreFindings(e *explore.Error) []Finding {
	if e == nil {
		return nil
	}
	return e.Findings
}

// explorationFailure carries an exploration's report as a matcher failure.
type explorationFailure struct{ msg string }

func (e *explorationFailure) Match(any) (bool, error)          { return false, nil }
func (e *explorationFailure) FailureMessage(any) string        { return e.msg }
func (e *explorationFailure) NegatedFailureMessage(any) string { return e.msg }

// reportFindings reports what the exploration or the enumeration found
// under the rule broken, each rule once; the faults, which no rule names,
// stop the spec.
func (h *H) reportFindings(findings []Finding) {
	var faults []string
	for _, f := range findings {
		if f.Rule == "" {
			faults = append(faults, f.Message)
			continue
		}
		// h.judge puts the rule's sentence first.
		r, _ := RuleByID(f.Rule)
		body := strings.TrimPrefix(f.Message, r.String()+"\n\n")
		h.judge(f.Rule, []trace.Event(nil), &explorationFailure{msg: body})
	}
	if len(faults) > 0 {
		h.fatal(strings.Join(faults, "\n\n────────\n\n"))
	}
}
