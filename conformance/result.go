package conformance

import "time"

// Status is how a spec ended.
type Status string

const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "skipped" // the provider lacks a capability it needs
	NotRun  Status = "not run" // filtered out (a label filter, a focus)
)

// Result is how one spec went against one provider.
type Result struct {
	Provider string   `json:"provider"`
	Profile  Profile  `json:"profile"`
	Section  string   `json:"section"`
	Spec     string   `json:"spec"`
	Rules    []string `json:"rules"`            // the rules the spec judges
	Status   Status   `json:"status"`           // passed, failed, skipped or not run
	Failed   []string `json:"failed,omitempty"` // the rules it found broken
	Noted    []string `json:"noted,omitempty"`  // "may" rules broken, reported without failing
	// Untested are rules the spec passed without proving: what they judge
	// never happened (no StoreLogoffTransports call whose flag to check, no
	// status row), or the spec had nothing to check them on.
	Untested []string `json:"untested,omitempty"`
	// SelfChecked are rules whose only passing checks were the suite's
	// self-checks: they looked at what the simulated MAPI did (its own
	// teardown order, its own flags), which proves nothing about the
	// provider (RULES.md revision 3).
	SelfChecked []string `json:"self_checked,omitempty"`
	// Unjudged are failed rules the spec stopped before it could judge:
	// the provider hung, panicked, returned nil or an error where it must
	// not, or a declared capability failed.
	Unjudged []string `json:"unjudged,omitempty"`
	Message  string   `json:"message,omitempty"`
	// Explore marks the exploration's result: it proves no rule by
	// passing, so a rule it leaves untested is as its fixed specs leave it
	// (skipped, say).
	Explore bool `json:"explore,omitempty"`
	// Duration is how long the spec ran, as Ginkgo measured it (Summarize).
	Duration time.Duration `json:"-"`
}
