package conformance

import (
	"fmt"

	"github.com/mapiconf/mapiconf/conformance/internal/explore"
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
)

// DefaultDepth is the size up to which the enumerate spec judges every
// lifecycle by default: its steps, plus each setting that is not the
// ordinary one (another StoreLogoffTransports answer, bogus reference
// counts, a second store). At depth 3 that is 9,341 lifecycles for a
// provider with every capability, about half a second against the
// reference provider (BenchmarkCheck in package reference).
const DefaultDepth = 3

// enumerateSpec is the spec labelled "enumerate": every lifecycle up to
// Config.Depth, in a fixed order, each judged step by step by the same
// judges as the exploration's. It is the deterministic part of the gate:
// Check and Run both run it, and it says the same of a provider on every
// run. It proves no rule by passing: the fixed specs do.
func enumerateSpec() *spec {
	return &spec{section: "H", rules: exploreRules, explore: true, enumerate: true,
		text: "enumerate: every lifecycle up to Config.Depth (steps and settings), each checked step by step against the model of the declared profile",
		body: func(h *H) {
			_, ex := explore.Enumerate(h.ctx, exploreConfig(h.cfg), h.cfg.Depth)
			h.reportFindings(exploreFindings(ex))
		}}
}

// runSpecs is the suite as one run of cfg, which has its defaults, runs
// it: the enumeration and the exploration say how many lifecycles they
// judge, to what depth and from what seed, so that every report shows it.
func runSpecs(cfg Config) []*spec {
	specs := allSpecs()
	for _, sp := range specs {
		switch {
		case sp.enumerate && cfg.Depth > 0:
			n := lifecycle.Count(exploreConfig(cfg).Caps, cfg.Depth)
			sp.lifecycles = n
			sp.text = fmt.Sprintf("enumerate: all %d lifecycles up to depth %d (steps and settings), in a fixed order, each checked step by step against the model of the declared profile", n, cfg.Depth)
		case sp.explore && !sp.enumerate && cfg.Explore > 0:
			sp.lifecycles = cfg.Explore
			sp.text = fmt.Sprintf("explore: %d random lifecycles from seed %d, each checked step by step against the model of the declared profile", cfg.Explore, cfg.Seed)
		}
	}
	return specs
}
