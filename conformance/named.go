package conformance

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mapiconf/mapiconf/conformance/internal/drive"
	"github.com/mapiconf/mapiconf/conformance/internal/judge"
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/conformance/trace"
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
	return &spec{section: section, text: text, rules: rules, needs: needs, body: func(h *H) { h.lifecycle(lc) }}
}

// lifecycle runs lc against a fresh provider and reports what the model
// found of the spec's rules: every rule broken in one message (the rules'
// sentences, what each expected and saw, the lifecycle, the calls once),
// and a rule passed as proved only where its judge had something to judge.
func (h *H) lifecycle(lc lifecycle.Lifecycle) {
	r := drive.Judged(h.ctx, exploreConfig(h.cfg).Drive, lc)
	if r.M != nil {
		h.m, h.snap = r.M, nil
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
	for _, id := range h.spec.rules {
		if !slices.ContainsFunc(broken, func(v judge.Violation) bool { return v.Rule == id }) && hadMaterial(id, evs) {
			h.prove(id)
		}
	}
	if len(broken) > 0 {
		h.lifecycleFailure(lc, broken, evs)
	}
}

// hadMaterial reports whether the trace gave rule id's judges something to
// judge: the checks of the end that judge it, when they are not vacuous.
// A rule no end check judges has the lifecycle's own steps for material.
func hadMaterial(id string, evs []trace.Event) bool {
	if id == "SS-02" {
		id = "STLT-01" // the session path's STLT-01
	}
	found := false
	for _, c := range judge.EndChecks {
		if c.Rule != id {
			continue
		}
		found = true
		if c.Vacuous == nil || !c.Vacuous(evs) {
			return true
		}
	}
	return !found
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
	tail += "The lifecycle:\n" + lc.String() + "As a named lifecycle: " + lc.GoString() + "\n\nCall sequence:\n" + trace.Format(evs, nil)
	if len(failed) > 0 {
		h.failures = append(h.failures, strings.Join(failed, "\n\n")+tail)
	}
	if len(noted) > 0 {
		h.notes = append(h.notes, "Noted (a \"may\" rule; Config.Strict makes it a failure):\n"+strings.Join(noted, "\n\n")+tail)
	}
}
