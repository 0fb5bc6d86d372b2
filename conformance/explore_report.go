package conformance

import (
	"fmt"
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"strings"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
)

// finding is one rule an exploration found broken, or one fault, with the
// lifecycle that shows it best.
type finding struct {
	v       violation           // as the minimal lifecycle.Lifecycle breaks it; a flaky one as it was seen
	flaky   bool                // seen once: the same lifecycle run again did not break it
	ran     int                 // the lifecycle's number in the exploration, from 1
	found   lifecycle.Lifecycle // as generated
	minimal lifecycle.Lifecycle // after shrinking
	m       *mapisim.MAPI
}

// ExploreError is what an exploration found: every rule a lifecycle broke,
// each with the smallest lifecycle that still breaks it, and the faults
// (panics, hangs, nils) that no rule names.
type ExploreError struct {
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

func (e *ExploreError) Error() string { return e.Message }

// Rules returns the rules found broken, in the order found.
func (e *ExploreError) Rules() []string {
	var ids []string
	for _, f := range e.Findings {
		if f.Rule != "" {
			ids = append(ids, f.Rule)
		}
	}
	return ids
}

func (ex explored) err() *ExploreError {
	e := &ExploreError{Rule: ex.findings[0].v.rule}
	var msgs []string
	for _, f := range ex.findings {
		msg := f.message(true)
		e.Findings = append(e.Findings, Finding{Rule: f.v.rule, Flaky: f.flaky, Seed: f.found.Seed, Message: msg})
		msgs = append(msgs, msg)
	}
	if len(msgs) > 1 {
		msgs = append([]string{fmt.Sprintf("The exploration found %d problems in %s.", len(msgs), plural(ex.ran, "lifecycle"))}, msgs...)
	}
	e.Message = strings.Join(msgs, "\n\n────────\n\n")
	return e
}

// message is a finding's report; header puts the rule's sentence first,
// where no spec failure does it already.
func (f finding) message(header bool) string {
	var b strings.Builder
	if header {
		b.WriteString(ruleHeader(f.v.rule))
	}
	seed := f.found.Seed
	switch {
	case f.flaky:
		fmt.Fprintf(&b, "Lifecycle %d of the exploration (seed %d) broke it once, at %s: %s.\n", f.ran, seed, stepName(f.v.at), f.v.what)
		b.WriteString("Run again, the same lifecycle did not: the failure depends on timing (a race in the provider, or a timer).\n")
		fmt.Fprintf(&b, "The lifecycle, as it ran:\n%s", f.found)
		fmt.Fprintf(&b, "Replay it with Config.Seed = %d and Config.Explore = 1; it may take several runs.\n", seed)
		b.WriteString("\nCall sequence as it ran:\n")
	default:
		verb := "breaks it"
		if f.v.rule == "" {
			verb = "stopped"
		}
		fmt.Fprintf(&b, "Lifecycle %d of the exploration (seed %d) %s at %s: %s.\n", f.ran, seed, verb, stepName(f.v.at), f.v.what)
		if n := len(f.minimal.Steps); n < len(f.found.Steps) {
			fmt.Fprintf(&b, "Shrunk from %s to %d:\n%s", plural(len(f.found.Steps), "step"), n, f.minimal)
		} else {
			fmt.Fprintf(&b, "The lifecycle, already minimal:\n%s", f.minimal)
		}
		fmt.Fprintf(&b, "Replay it with Config.Seed = %d and Config.Explore = 1.\n", seed)
		b.WriteString("\nCall sequence of the minimal lifecycle.Lifecycle:\n")
	}
	if f.m != nil {
		var marks map[int]string
		if e, ok := f.m.Trace().InProgress(); ok && f.v.fault == "hang" {
			marks = map[int]string{e.Seq: "in progress"}
		}
		b.WriteString(trace.Format(f.m.Trace().Events(), marks))
	} else {
		b.WriteString("    (none: the provider could not be started)\n")
	}
	return b.String()
}

func ruleHeader(id string) string {
	if r, ok := RuleByID(id); ok {
		return r.String() + "\n\n"
	}
	return ""
}

// stepName says where in a lifecycle a violation happened.
func stepName(at int) string {
	switch {
	case at > 0:
		return fmt.Sprintf("step %d", at)
	case at == 0:
		return "logon"
	}
	return "the end"
}

// explorationFailure carries an exploration's report as a matcher failure.
type explorationFailure struct{ msg string }

func (e *explorationFailure) Match(any) (bool, error)          { return false, nil }
func (e *explorationFailure) FailureMessage(any) string        { return e.msg }
func (e *explorationFailure) NegatedFailureMessage(any) string { return e.msg }
