package conformance

import (
	"fmt"

	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/mapi"
)

// Section B: StoreLogoffTransports. Every spec is a named lifecycle,
// judged by the model of package judge.
func storeLogoffTransports() []*spec {
	var out []*spec
	for _, p := range everyPath {
		rules := []string{"STLT-01"}
		if p.name == session.name {
			rules = append(rules, "SS-02")
		}
		out = append(out, p.named("B", p.name+": StoreLogoffTransports is called exactly once", rules))
	}
	for _, p := range []path{orderly, extraRefs} {
		out = append(out, p.named("B", p.name+": StoreLogoffTransports is called when the profile says", []string{"STLT-02"}))
	}
	for _, f := range mapi.LogoffInputFlags {
		out = append(out, orderlyWith(f).named("B", fmt.Sprintf("orderly path with StoreLogoff(%v): StoreLogoffTransports receives %v unchanged", f, f), []string{"STLT-03"}))
	}
	out = append(out, releaseOnly.named("B", releaseOnly.name+": the provider calls StoreLogoffTransports with LOGOFF_ABORT", []string{"STLT-04"}))
	for _, p := range []path{orderly, releaseOnly, session} {
		out = append(out, p.named("B", p.name+": StoreLogoffTransports comes before the provider releases the support", []string{"STLT-05"}))
	}
	out = append(out, repeated.named("B", repeated.name+": one StoreLogoffTransports, as the profile says", []string{"STLT-06"}),
		// A refused StoreLogoff changes nothing: the saved flag is still
		// LOGOFF_ORDERLY (deferred), no second StoreLogoffTransports
		// (immediate).
		orderly.with("B", "repeated StoreLogoff: LOGOFF_ORDERLY, then StoreLogoff(0), refused, then Release: the refused call changes nothing", []string{"STLT-06"},
			steps(logoff(mapi.LogoffOrderly), logoff(0), clientRelease)),
		// An importer's habit: StoreLogoff(LOGOFF_NO_WAIT) while a folder
		// is still open, the folder's Release and the store's straight
		// after.
		orderlyWith(mapi.LogoffNoWait).with("B", "a client calls StoreLogoff(LOGOFF_NO_WAIT) with a folder open, then releases the folder and the store straight after: one StoreLogoffTransports(LOGOFF_NO_WAIT), and the store ends",
			[]string{"STLT-01", "STLT-03", "RL-01"}, steps(openRoot, logoff(mapi.LogoffNoWait), closeObject(0), clientRelease), needObjects),
		atOnce())

	// Every rule of a path under every answer StoreLogoffTransports can
	// give: the store still ends, with one logoff, the right flag, before
	// the support goes, and the support released as often as AddRef'd. A
	// rule broken only under an answer other than S_OK with
	// LOGOFF_COMPLETE is the provider's intolerance of that answer
	// (STLT-07: judge.Alternatives).
	for _, p := range everyPath {
		for _, a := range stltReplies {
			rules := []string{"STLT-07", "STLT-01", pathFlagRule(p), "STLT-05", "RL-01"}
			if a == 0 {
				rules = rules[1:] // the plain answer: nothing to tolerate
			}
			out = append(out, p.with("B", fmt.Sprintf("%s, StoreLogoffTransports answering %s: the store ends, with one StoreLogoffTransports and the path's flag, before the support goes", p.name, lifecycle.AnswerName(a)),
				rules, p.answering(a)))
		}
	}
	return out
}

// atOnce is two callers at once: a check-then-act StoreLogoff calls
// StoreLogoffTransports twice. The race is tried several times, each with
// a fresh provider, until the first that breaks a rule.
func atOnce() *spec {
	lc := steps(lifecycle.Step{Kind: lifecycle.StoreLogoffAtOnce, Flags: mapi.LogoffOrderly}, clientRelease)
	return &spec{section: "B", rules: []string{"STLT-01"},
		text: "the client and the spooler call StoreLogoff(LOGOFF_ORDERLY) at the same moment, then Release (16 times): StoreLogoffTransports once each time",
		body: func(h *H) {
			for range 16 {
				if !h.lifecycle(lc) {
					return
				}
			}
		}}
}

// stltReplies are the answers of StoreLogoffTransports the per-path specs
// give (indexes in lifecycle.Answers): S_OK with each output flag,
// MAPI_E_NO_SUPPORT (which Microsoft's sample store tolerates), and
// another error.
var stltReplies = []uint8{0, 1, 2, 3, 5, 6}

// pathFlagRule is the rule that says which flag StoreLogoffTransports gets
// on a path.
func pathFlagRule(p path) string {
	switch p.name {
	case releaseOnly.name:
		return "STLT-04"
	case session.name:
		return "SS-02"
	case repeated.name:
		return "STLT-06"
	}
	return "STLT-03"
}
