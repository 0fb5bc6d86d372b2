package conformance

import (
	"fmt"

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
		out = append(out, &spec{section: "B", rules: rules,
			text: p.name + ": StoreLogoffTransports is called exactly once",
			body: func(h *H) {
				p.drive(h, mapisim.Options{})
				for _, id := range rules {
					h.expect(id, haveLoggedOffOnce(stlt))
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
		out = append(out, &spec{section: "B", rules: []string{"STLT-05"},
			text: p.name + ": StoreLogoffTransports comes before the provider releases the support",
			body: func(h *H) {
				p.drive(h, mapisim.Options{})
				h.expect("STLT-05", HaveNoCallAfter(stlt, supportGone{}))
			}})
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

	// Two callers at once: a check-then-act StoreLogoff calls STLT twice.
	// The race is tried several times, each with a fresh provider.
	out = append(out, &spec{section: "B", rules: []string{"STLT-01"},
		text: "the client and the spooler call StoreLogoff(LOGOFF_ORDERLY) at the same moment, then Release (16 times): StoreLogoffTransports once each time",
		body: func(h *H) {
			for range 16 {
				_, s := h.start(mapisim.Options{})
				h.drive(func() {
					atOnce(func() { s.Client().StoreLogoff(mapi.LogoffOrderly) }, func() { s.Spooler().StoreLogoff(mapi.LogoffOrderly) })
					s.Client().Release()
				})
				if !h.expect("STLT-01", haveLoggedOffOnce(stlt)) {
					return
				}
			}
		}})

	replies := []struct {
		name  string
		flags mapi.LogoffFlags
		err   error
	}{
		{"S_OK with LOGOFF_COMPLETE", mapi.LogoffComplete, nil},
		{"S_OK with LOGOFF_INBOUND", mapi.LogoffInbound, nil},
		{"S_OK with LOGOFF_OUTBOUND", mapi.LogoffOutbound, nil},
		{"S_OK with LOGOFF_OUTBOUND_QUEUE", mapi.LogoffOutboundQueue, nil},
		{"MAPI_E_NO_SUPPORT", 0, mapi.ErrNoSupport},
	}
	for _, p := range []path{orderly, releaseOnly} {
		withLogoff := p.name == orderly.name
		for _, r := range replies {
			opts := mapisim.Options{STLTFlags: r.flags, STLTErr: r.err}
			then := "the store ends"
			if withLogoff {
				then = "StoreLogoff returns S_OK and the store ends"
			}
			out = append(out, &spec{section: "B", rules: []string{"STLT-07"},
				text: fmt.Sprintf("%s, StoreLogoffTransports answering %s: %s", p.name, r.name, then),
				body: func(h *H) {
					p.drive(h, opts)
					if withLogoff {
						h.expect("STLT-07", HaveCallsSatisfying(trace.StoreLogoff, "returned S_OK", returnedOK))
					}
					h.expect("STLT-07", logoffInsideSupportRelease)
				}})
		}
	}
	return out
}
