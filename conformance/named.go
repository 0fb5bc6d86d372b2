package conformance

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mapiconf/mapiconf/conformance/internal/judge"
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// A named lifecycle is a spec written in the lifecycle language: the
// client's and MAPI's steps and StoreLogoffTransports' answer (a
// lifecycle.Lifecycle), the capabilities it needs, and the rules it
// reports. The driver runs it and the model of package judge judges it,
// as they run and judge every lifecycle of the enumeration and the
// exploration: one judge for each rule, and a shrunk lifecycle the
// exploration prints as Go can be pasted here as a spec.
//
// For example, section B's "exactly once" on the Release-only path:
//
//	namedLifecycle("B", releaseOnly.name+": StoreLogoffTransports is called exactly once", []string{"STLT-01"},
//		lifecycle.Lifecycle{Steps: []lifecycle.Step{{Kind: lifecycle.Release}}})
func namedLifecycle(section, text string, rules []string, lc lifecycle.Lifecycle, needs ...need) *spec {
	return namedFor(section, text, rules, func(Capabilities) lifecycle.Lifecycle { return lc }, needs...)
}

// namedFor is a named lifecycle that depends on what the provider
// declares: a folder opened only where it hands out objects, a second
// store only where it serves several.
func namedFor(section, text string, rules []string, lc func(Capabilities) lifecycle.Lifecycle, needs ...need) *spec {
	return &spec{section: section, text: text, rules: rules, needs: needs, body: func(h *H) { h.lifecycle(lc(h.cfg.Capabilities)) }}
}

// outlined makes sp's failures show the expected outline of a path (by
// name, or for the orderly paths by caller and flag).
func (sp *spec) outlined(name, caller string, f mapi.LogoffFlags) *spec {
	run := sp.body
	sp.body = func(h *H) {
		h.outline(name, caller, f)
		run(h)
	}
	return sp
}

// lifecycle runs lc against a fresh provider and reports what the model
// found of the spec's rules: every rule broken in one message (the rules'
// sentences, what each expected and saw, the lifecycle, the calls once),
// and a rule passed as proved only where its judge had something to judge.
// It reports whether the spec's rules held.
func (h *H) lifecycle(lc lifecycle.Lifecycle) bool {
	r := h.run.judged(h.ctx, exploreConfig(h.cfg).Drive, lc)
	if r.M != nil {
		h.m = r.M
		h.all = append(h.all, r.M)
		h.run.add(h.spec.text, r.M)
	}
	var broken []judge.Violation
	for _, v := range r.Vs {
		switch {
		case v.Fault == "hang":
			h.hung = true
			h.fatal(v.What)
		case v.Fault != "":
			h.fatal(v.What)
		case h.judges(v.Rule):
			broken = append(broken, v)
		}
	}
	evs := h.m.Trace().Events()
	for i, id := range h.spec.rules {
		if slices.ContainsFunc(broken, func(v judge.Violation) bool { return v.Rule == id }) {
			continue
		}
		switch judge.Material(id, evs) {
		case judge.ByProvider:
			h.prove(id)
		case judge.ByMAPI:
			h.selfOnly |= 1 << i
		}
	}
	if len(broken) > 0 {
		h.lifecycleFailure(lc, broken, evs)
	}
	return len(broken) == 0
}

// lifecycleFailure records the rules a named lifecycle broke, in one
// message: each rule with what it expected and what happened, then the
// expected outline, the lifecycle and the calls once. A "may" rule is a
// note unless the config is strict.
func (h *H) lifecycleFailure(lc lifecycle.Lifecycle, broken []judge.Violation, evs []trace.Event) {
	var failed, noted []string
	for _, v := range broken {
		r, _ := RuleByID(v.Rule)
		block := fmt.Sprintf("%s\n\nExpected: %s\nActual:   %s, at %s", r.String(), r.Text, v.What, judge.StepName(v.At))
		if r.Is(May) && !h.cfg.Strict {
			h.noted = append(h.noted, v.Rule)
			noted = append(noted, block)
			continue
		}
		h.failed = append(h.failed, v.Rule)
		failed = append(failed, block)
	}
	tail := "\n\n"
	if h.expected != nil {
		if lines := h.expected(); lines != nil {
			tail += formatOutline(h.cfg.Profile, lines) + "\n"
		}
	}
	marks := map[int]string{}
	for _, v := range broken {
		for seq, m := range v.Marks {
			marks[seq] = m
		}
	}
	tail += "The lifecycle:\n" + lc.String() + "As a named lifecycle: " + lc.GoString() + "\n\nCall sequence:\n" + trace.Format(evs, marks)
	if len(failed) > 0 {
		h.failures = append(h.failures, strings.Join(failed, "\n\n")+tail)
	}
	if len(noted) > 0 {
		h.notes = append(h.notes, "Noted (a \"may\" rule; Config.Strict makes it a failure):\n"+strings.Join(noted, "\n\n")+tail)
	}
}
