package conformance

import (
	"fmt"
	"github.com/mapiconf/mapiconf/conformance/internal/judge"

	"github.com/onsi/gomega/types"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// Section C: StoreLogoff itself.
func storeLogoff() []*spec {
	var out []*spec
	for _, f := range mapi.LogoffInputFlags {
		out = append(out, &spec{section: "C", rules: []string{"SL-01", "SL-02"},
			text: fmt.Sprintf("StoreLogoff(%v) returns S_OK with only output flags", f),
			body: func(h *H) {
				h.storeLogoffThenRelease(mapisim.Options{}, "client", f)
				h.expect("SL-01", HaveCallsSatisfying(trace.StoreLogoff, "returned S_OK", returnedOK))
				h.expect("SL-02", h.haveOnlyOutputFlags())
			}})
	}
	out = append(out, &spec{section: "C", rules: []string{"SL-02"},
		text: "StoreLogoff(LOGOFF_ORDERLY), StoreLogoffTransports answering LOGOFF_INBOUND|LOGOFF_OUTBOUND: only output flags come back",
		body: func(h *H) {
			h.storeLogoffThenRelease(mapisim.Options{STLTFlags: mapi.LogoffInbound | mapi.LogoffOutbound}, "client", mapi.LogoffOrderly)
			h.expect("SL-02", h.haveOnlyOutputFlags())
		}})

	for _, f := range []mapi.LogoffFlags{0, mapi.LogoffOrderly | mapi.LogoffAbort, mapi.LogoffNoWait | mapi.LogoffQuiet, 0x100, 0x20 | mapi.LogoffOrderly} {
		out = append(out, &spec{section: "C", rules: []string{"SL-03", "STLT-08", "STLT-01", "STLT-04"},
			text: fmt.Sprintf("StoreLogoff(%v), an invalid flag word, then Release: refused or ignored, never a crash; StoreLogoffTransports once, with a valid flag (LOGOFF_ABORT if refused)", f),
			body: func(h *H) {
				_, s := h.start(mapisim.Options{})
				h.drive(func() {
					s.Client().StoreLogoff(f)
					s.Client().Release()
				})
				want, allowed := h.invalidInputAnswers()
				h.expect("SL-03", HaveCallsSatisfying(trace.StoreLogoff, want, allowed))
				h.expect("STLT-08", checkOf(judge.ValidSTLTFlags))
				// A refused StoreLogoff leaves the Release-only path: the
				// store still ends with one STLT, and an abort.
				h.expect("STLT-01", checkOf(judge.LoggedOffOnce))
				if sl, ok := trace.First(h.m.Trace().Events(), trace.StoreLogoff); ok && sl.Err != nil {
					h.expect("STLT-04", HaveCallsWith(stlt, mapi.LogoffAbort))
				}
			}})
	}

	// Real clients' habits. MFCMAPI's mailbox processor reuses one in/out
	// flags variable, so a second StoreLogoff gets the first one's output
	// as input: LOGOFF_COMPLETE, or 0 (RULES.md revision 2).
	for _, first := range []bool{true, false} {
		text := "a client reusing its in/out flags variable: StoreLogoff(LOGOFF_COMPLETE), then Release: refused or ignored; StoreLogoffTransports once, with a valid flag"
		if !first {
			text = "a client reusing its in/out flags variable: StoreLogoff(LOGOFF_ORDERLY), then StoreLogoff with the output flags it returned, then Release: StoreLogoffTransports once, with a valid flag"
		}
		out = append(out, &spec{section: "C", rules: []string{"SL-03", "STLT-08", "STLT-01"}, text: text,
			body: func(h *H) {
				_, s := h.start(mapisim.Options{})
				var reused mapi.LogoffFlags
				h.drive(func() {
					if first {
						reused = mapi.LogoffComplete
					} else {
						reused, _ = s.Client().StoreLogoff(mapi.LogoffOrderly)
					}
					s.Client().StoreLogoff(reused)
					s.Client().Release()
				})
				if !reused.IsSingleInput() {
					want, allowed := h.invalidInputAnswers()
					h.expect("SL-03", HaveCallsSatisfying(trace.TheLast(trace.StoreLogoff), want, allowed))
				}
				h.expect("STLT-08", checkOf(judge.ValidSTLTFlags))
				h.expect("STLT-01", checkOf(judge.LoggedOffOnce))
			}})
	}

	out = append(out, &spec{section: "C", rules: []string{"SL-04"},
		text: "StoreLogoff while the client holds a second reference ends nothing",
		body: func(h *H) {
			_, s := h.start(mapisim.Options{})
			c := s.Client()
			h.drive(func() {
				c.AddRef()
				c.StoreLogoff(mapi.LogoffOrderly)
				c.Release()
				c.Release()
			})
			// Ending is MAPI's teardown, not a call (RULES.md revision 4):
			// a support Release that leaves the provider a reference (COM's
			// guard around an outgoing call) ends nothing.
			h.expect("SL-04", HaveNoCallInside(judge.SupportGone{}, trace.StoreLogoff))
			h.expect("SL-04", HaveNoCallInside(judge.Teardown, trace.StoreLogoff))
		}})
	return out
}

// invalidInputAnswers is what SL-03 lets StoreLogoff answer to an invalid
// flag word (judge.InvalidInput), each call judged by whether the store's
// own logoff had invalidated it before.
func (h *H) invalidInputAnswers() (string, func(trace.Event) bool) {
	evs := h.m.Trace().Events()
	invalidated := false
	for _, e := range trace.Select(evs, trace.StoreLogoff) {
		invalidated = invalidated || judge.InvalidatedBefore(evs, "support", e)
	}
	want, _ := judge.InvalidInput(h.cfg.Strict, invalidated)
	return want, func(e trace.Event) bool {
		_, ok := judge.InvalidInput(h.cfg.Strict, judge.InvalidatedBefore(evs, "support", e))
		return ok(e.Err)
	}
}

// haveOnlyOutputFlags is SL-02 for the config: every StoreLogoff returned
// only documented output flags.
func (h *H) haveOnlyOutputFlags() types.GomegaMatcher {
	mask := judge.OutputMask(h.cfg.Strict)
	return HaveCallsSatisfying(trace.StoreLogoff, "returned only the output flags "+mask.String(), func(e trace.Event) bool {
		if len(e.Out) == 0 {
			return false
		}
		f, ok := e.Out[0].(mapi.LogoffFlags)
		return ok && f&^mask == 0
	})
}
