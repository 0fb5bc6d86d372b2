package conformance

import (
	"fmt"
	"github.com/mapiconf/mapiconf/conformance/internal/drive"
	"github.com/mapiconf/mapiconf/conformance/internal/judge"

	"github.com/onsi/gomega/types"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// Section B: StoreLogoffTransports.
func storeLogoffTransports() []*spec {
	var out []*spec
	for _, p := range everyPath {
		rules := []string{"STLT-01"}
		if p.name == session.name {
			rules = append(rules, "SS-02")
		}
		text := p.name + ": StoreLogoffTransports is called exactly once"
		if sp := p.named("B", text, rules); sp != nil {
			out = append(out, sp)
			continue
		}
		out = append(out, &spec{section: "B", rules: rules, text: text,
			body: func(h *H) {
				p.drive(h, mapisim.Options{})
				for _, id := range rules {
					h.expect(id, checkOf(judge.LoggedOffOnce))
				}
			}})
	}

	for _, p := range []path{orderly, extraRefs} {
		out = append(out, &spec{section: "B", rules: []string{"STLT-02"},
			text: p.name + ": StoreLogoffTransports is called when the profile says",
			body: func(h *H) {
				p.drive(h, mapisim.Options{})
				if h.deferred() {
					h.expect("STLT-02", HaveNoCallInside(stlt, trace.StoreLogoff))
					h.expect("STLT-02", haveCallInsideEnd(stlt, h.cfg.Profile))
				} else {
					h.expect("STLT-02", HaveFirstCallInside(stlt, trace.StoreLogoff))
				}
			}})
	}

	for _, f := range mapi.LogoffInputFlags {
		out = append(out, &spec{section: "B", rules: []string{"STLT-03"},
			text: fmt.Sprintf("orderly path with StoreLogoff(%v): StoreLogoffTransports receives %v unchanged", f, f),
			body: func(h *H) {
				h.storeLogoffThenRelease(mapisim.Options{}, "client", f)
				h.expect("STLT-03", HaveOnlyCallsWith(stlt, f))
			}})
	}

	out = append(out, &spec{section: "B", rules: []string{"STLT-04"},
		text: releaseOnly.name + ": the provider calls StoreLogoffTransports with LOGOFF_ABORT",
		body: func(h *H) {
			releaseOnly.drive(h, mapisim.Options{})
			h.expect("STLT-04", HaveCallsWith(stlt, mapi.LogoffAbort))
		}})

	for _, p := range []path{orderly, releaseOnly, session} {
		out = append(out, p.named("B", p.name+": StoreLogoffTransports comes before the provider releases the support", []string{"STLT-05"}))
	}

	out = append(out, &spec{section: "B", rules: []string{"STLT-06"},
		text: repeated.name + ": one StoreLogoffTransports, as the profile says",
		body: func(h *H) {
			repeated.drive(h, mapisim.Options{})
			if h.deferred() {
				// The last flag wins.
				h.expect("STLT-06", HaveOnlyCallsWith(stlt, mapi.LogoffPurge))
			} else {
				// The second call makes no second STLT.
				h.expect("STLT-06", HaveNoCallInside(stlt, trace.Nth(trace.StoreLogoff, 2)))
			}
		}})

	out = append(out, &spec{section: "B", rules: []string{"STLT-06"},
		text: "repeated StoreLogoff: LOGOFF_ORDERLY, then StoreLogoff(0), refused, then Release: the refused call changes nothing",
		body: func(h *H) {
			_, s := h.start(mapisim.Options{})
			c := s.Client()
			var err error
			h.drive(func() {
				c.StoreLogoff(mapi.LogoffOrderly)
				_, err = c.StoreLogoff(0)
				c.Release()
			})
			switch {
			case !h.deferred():
				h.expect("STLT-06", HaveNoCallInside(stlt, trace.Nth(trace.StoreLogoff, 2)))
			case err != nil:
				// Refused: the saved flag is still LOGOFF_ORDERLY.
				h.expect("STLT-06", HaveOnlyCallsWith(stlt, mapi.LogoffOrderly))
			}
		}})

	// An importer's habit: StoreLogoff(LOGOFF_NO_WAIT) while a folder is
	// still open, the folder's Release and the store's straight after.
	out = append(out, &spec{section: "B", rules: []string{"STLT-01", "STLT-03", "RL-01"},
		text: "a client calls StoreLogoff(LOGOFF_NO_WAIT) with a folder open, then releases the folder and the store straight after: one StoreLogoffTransports(LOGOFF_NO_WAIT), and the store ends",
		body: func(h *H) {
			_, s := h.start(mapisim.Options{})
			var folder *mapisim.Object
			if h.cfg.Capabilities.Objects {
				var err error
				h.drive(func() { folder, err = s.Client().OpenEntry("") })
				h.capability(err, "IMsgStore::OpenEntry of the root folder (Capabilities.Objects)")
			}
			h.drive(func() {
				s.Client().StoreLogoff(mapi.LogoffNoWait)
				if folder != nil {
					folder.Release()
				}
				s.Client().Release()
			})
			h.expect("STLT-01", checkOf(judge.LoggedOffOnce))
			h.expect("STLT-03", HaveOnlyCallsWith(stlt, mapi.LogoffNoWait))
			h.expect("RL-01", checkOf(judge.SupportBalanced))
			h.expect("RL-01", haveStoreEnded(h.cfg.Profile))
		}})

	// Two callers at once: a check-then-act StoreLogoff calls STLT twice.
	// The race is tried several times, each with a fresh provider.
	out = append(out, &spec{section: "B", rules: []string{"STLT-01"},
		text: "the client and the spooler call StoreLogoff(LOGOFF_ORDERLY) at the same moment, then Release (16 times): StoreLogoffTransports once each time",
		body: func(h *H) {
			for range 16 {
				_, s := h.start(mapisim.Options{})
				h.drive(func() {
					drive.AtOnce(func() { s.Client().StoreLogoff(mapi.LogoffOrderly) }, func() { s.Spooler().StoreLogoff(mapi.LogoffOrderly) })
					s.Client().Release()
				})
				if !h.expect("STLT-01", checkOf(judge.LoggedOffOnce)) {
					return
				}
			}
		}})

	// Every rule of a path under every answer StoreLogoffTransports can
	// give: the store still ends, with one logoff, the right flag, before
	// the support goes, and the support released as often as AddRef'd.
	for _, p := range everyPath {
		for _, r := range stltReplies {
			opts := mapisim.Options{STLTFlags: r.flags, STLTErr: r.err}
			flagRule := pathFlagRule(p)
			rules := []string{"STLT-07", "STLT-01", flagRule, "STLT-05", "RL-01"}
			if r.flags == mapi.LogoffComplete && r.err == nil {
				rules = rules[1:] // the plain answer: nothing to tolerate
			}
			out = append(out, &spec{section: "B", rules: rules,
				text: fmt.Sprintf("%s, StoreLogoffTransports answering %s: the store ends, with one StoreLogoffTransports and the path's flag, before the support goes", p.name, r.name),
				body: func(h *H) {
					// STLT-07 is the provider not tolerating the answer: a
					// store that does not end under the plain answer (S_OK,
					// LOGOFF_COMPLETE) breaks the path's own rule (SD-01,
					// SD-02, SD-03), which other specs judge, and under the
					// plain answer itself there is nothing to tolerate.
					plain := r.flags == mapi.LogoffComplete && r.err == nil
					if !plain {
						p.drive(h, mapisim.Options{})
						plain = !matchAll(h.m.Trace().Events(), answerTolerated(p)...)
					}
					p.drive(h, opts)
					if !plain {
						for _, m := range answerTolerated(p) {
							h.expect("STLT-07", m)
						}
					}
					h.expect("STLT-01", checkOf(judge.LoggedOffOnce))
					h.expectPathFlag(p, flagRule)
					h.expect("STLT-05", checkOf(judge.STLTBeforeGone))
					h.expect("RL-01", checkOf(judge.SupportBalanced))
					h.expect("RL-01", haveStoreEnded(h.cfg.Profile))
				}})
		}
	}
	return out
}

// answerTolerated are STLT-07's checks on path p: the store ends as the
// path ends it, and a first StoreLogoff succeeds (a store invalidated by its
// own logoff may refuse a later one, RULES.md revision 3).
func answerTolerated(p path) []types.GomegaMatcher {
	ended := logoffInsideSupportRelease()
	if p.name == session.name {
		ended = HaveCallInside(judge.SupportGone{}, trace.Logoff)
	}
	return []types.GomegaMatcher{ended, HaveOnlyCallsSatisfying(trace.TheFirst(trace.StoreLogoff), "returned S_OK", returnedOK)}
}

// matchAll reports whether every matcher matches the events, judging
// nothing.
func matchAll(evs []trace.Event, ms ...types.GomegaMatcher) bool {
	for _, m := range ms {
		if ok, err := m.Match(evs); err != nil || !ok {
			return false
		}
	}
	return true
}

// stltReplies are the answers StoreLogoffTransports can give: S_OK with
// each output flag, MAPI_E_NO_SUPPORT (which Microsoft's sample store
// tolerates), and another error.
var stltReplies = []struct {
	name  string
	flags mapi.LogoffFlags
	err   error
}{
	{"S_OK with LOGOFF_COMPLETE", mapi.LogoffComplete, nil},
	{"S_OK with LOGOFF_INBOUND", mapi.LogoffInbound, nil},
	{"S_OK with LOGOFF_OUTBOUND", mapi.LogoffOutbound, nil},
	{"S_OK with LOGOFF_OUTBOUND_QUEUE", mapi.LogoffOutboundQueue, nil},
	{"MAPI_E_NO_SUPPORT", 0, mapi.ErrNoSupport},
	{"MAPI_E_CALL_FAILED", 0, mapi.ErrCallFailed},
}

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

// expectPathFlag judges the flag StoreLogoffTransports got on path p.
func (h *H) expectPathFlag(p path, rule string) {
	switch {
	case rule == "STLT-04" || rule == "SS-02":
		h.expect(rule, HaveOnlyCallsWith(stlt, mapi.LogoffAbort))
	case rule == "STLT-06" && h.deferred():
		h.expect(rule, HaveOnlyCallsWith(stlt, mapi.LogoffPurge)) // the last flag wins
	case rule == "STLT-06":
		// Unless the first call's logoff did not occur (RULES.md
		// revision 3): then the second may try again.
		first := trace.Within(trace.StoreLogoffTransports, trace.Nth(trace.StoreLogoff, 1)).Select(h.m.Trace().Events())
		if len(first) == 0 || judge.LoggedOff(first[len(first)-1]) {
			h.expect(rule, HaveNoCallInside(stlt, trace.Nth(trace.StoreLogoff, 2)))
		}
	default:
		h.expect(rule, HaveOnlyCallsWith(stlt, mapi.LogoffOrderly))
	}
}
