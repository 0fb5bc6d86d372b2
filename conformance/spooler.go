package conformance

import (
	"fmt"
	"github.com/mapiconf/mapiconf/conformance/internal/judge"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// Section I: MAPI's other callers and the store's answer (RULES.md
// revision 3). The spooler's own logon is named "spooler store", "spooler
// logon" and "spooler support" in the trace; the rules of sections A to H
// pass it by.
var (
	spoolerLogon        = trace.Call{Iface: "IMSProvider", Method: "SpoolerLogon", Object: "spooler provider"}
	spoolerStoreRelease = trace.Call{Iface: "IMsgStore", Method: "Release", Object: "spooler store"}
	spoolerLogonRelease = trace.Call{Iface: "IMSLogon", Method: "Release", Object: "spooler logon"}
	spoolerLogoff       = trace.Call{Iface: "IMSLogon", Method: "Logoff", Object: "spooler logon"}
	logoff1             = trace.Call{Iface: "IMSLogon", Method: "Logoff", Object: "logon"} // the client store's
)

// everyLogonRelease selects the release of every logon object, the
// spooler's too, which plain selectors pass by.
type everyLogonRelease struct{}

func (everyLogonRelease) String() string { return "every IMSLogon::Release, the spooler's too" }

func (everyLogonRelease) Select(evs []trace.Event) []trace.Event {
	var out []trace.Event
	for _, e := range evs {
		if e.Dir == trace.ToProvider && e.Iface == "IMSLogon" && e.Method == "Release" {
			out = append(out, e)
		}
	}
	return out
}

// needImmediate: SL-05 judges what StoreLogoff reports of the answer of
// its own StoreLogoffTransports call, which only the immediate profile
// makes.
func needImmediate(c Config) string {
	if c.Profile == Deferred {
		return "in the deferred profile StoreLogoff makes no StoreLogoffTransports call, so it has no answer to report"
	}
	return ""
}

func spoolerSpecs() []*spec {
	var out []*spec
	for _, p := range []path{orderly, releaseOnly, session} {
		out = append(out, &spec{section: "I", rules: []string{"SP-01"}, needs: []need{needSpooler},
			text: p.name + ": the spooler logs on with the data Logon returned, and releases its store inside StoreLogoffTransports without ending the client's",
			body: func(h *H) {
				p.drive(h, mapisim.Options{})
				h.expect("SP-01", HaveCallsSatisfying(spoolerLogon, "returned S_OK, with a store and a logon object of the spooler's own", returnedOK))
				// MAPI's part: the spooler lets go inside the call.
				h.selfCheck("SP-01", HaveCallInside(spoolerStoreRelease, stlt))
				// The provider's: that Release ends the spooler's store, not
				// the client's, and does not deadlock (a hang stops the
				// spec, naming both calls).
				h.expect("SP-01", HaveNoCallInside(judge.SupportGone{}, spoolerStoreRelease))
				h.expect("SP-01", HaveNoCallInside(logoff1, spoolerStoreRelease))
			}})
		out = append(out, &spec{section: "I", rules: []string{"SP-02"}, needs: []need{needSpooler},
			text: p.name + ": the spooler's logon object goes with its store, and MAPI logs it off like any other",
			body: func(h *H) {
				p.drive(h, mapisim.Options{})
				h.expect("SP-02", HaveCallInside(spoolerLogonRelease, spoolerStoreRelease))
				h.selfCheck("SP-02", HaveCallsInOrder(spoolerLogoff, spoolerLogonRelease))
			}})
	}

	for _, in := range []mapi.LogoffFlags{mapi.LogoffQuiet, mapi.LogoffAbort} {
		const busy = mapi.LogoffInbound | mapi.LogoffOutbound
		out = append(out, &spec{section: "I", rules: []string{"SL-05"}, needs: []need{needImmediate},
			text: fmt.Sprintf("StoreLogoff(%v) while the transports are busy (StoreLogoffTransports answers %v): immediate profile, StoreLogoff reports the activity and the store goes on working", in, busy),
			body: func(h *H) {
				_, s := h.start(mapisim.Options{Activity: busy})
				var out mapi.LogoffFlags
				h.drive(func() { out, _ = s.Client().StoreLogoff(in) })
				h.expect("SL-05", HaveCallsSatisfying(trace.TheFirst(trace.StoreLogoff), "reported "+busy.String()+" in its output flags",
					func(e trace.Event) bool { return e.Err == nil && out&busy == busy }))
				if h.cfg.Capabilities.Objects {
					// "the logoff does not occur": the store still hands
					// out its folders.
					h.drive(func() {
						if o, err := s.Client().OpenEntry(""); err == nil {
							o.Release()
						}
					})
					h.expect("SL-05", HaveCallsSatisfying(trace.Call{Iface: "IMsgStore", Method: "OpenEntry"}, "returned S_OK after the logoff that did not occur", returnedOK))
				}
				h.drive(func() { s.Client().Release() })
			}})
	}

	out = append(out, &spec{section: "I", rules: []string{"LG-06"}, needs: []need{needReopen},
		text: "a second Logon to the store already open returns the store alone, and releasing it ends nothing",
		body: func(h *H) {
			m, s := h.start(mapisim.Options{})
			var again *mapisim.Reopened
			var err error
			h.drive(func() { again, err = m.LogonAgain(s) })
			second := trace.Nth(trace.Logon, 2)
			h.expect("LG-06", HaveCallsSatisfying(second, "returned S_OK with the store, no logon object and no spooler data", func(e trace.Event) bool {
				return e.Err == nil && len(e.Out) == 3 && e.Out[0] == "no spooler data" && e.Out[1] == "nil"
			}))
			// "These calls do not ... call AddRef for the MAPI support
			// object": keep no reference; a balanced AddRef and Release
			// (COM's guard around a call) keeps none (RULES.md revision 4).
			h.expect("LG-06", HaveBalancedRefs(trace.Within(trace.SupportAddRef, second), trace.Within(trace.SupportRelease, second)))
			h.expect("LG-06", HaveNoCallInside(trace.ModifyStatusRow, second))
			if err != nil || again == nil {
				return
			}
			h.drive(again.Release)
			reopened := trace.Call{Iface: "IMsgStore", Method: "Release", Object: "store (again)"}
			// That Release ends nothing: no teardown, whatever it calls
			// (RULES.md revision 4).
			h.expect("LG-06", HaveNoCallInside(judge.SupportGone{}, reopened))
			h.expect("LG-06", HaveNoCallInside(judge.Teardown, reopened))
		}})

	for _, p := range []path{session, {name: "a store still open when the provider is shut down", steps: func(m *mapisim.MAPI, _ *mapisim.Store) { m.Shutdown() }}} {
		out = append(out, &spec{section: "I", rules: []string{"SS-05"},
			text: p.name + ": IMSProvider::Shutdown returns S_OK, after MAPI released every logon object",
			body: func(h *H) {
				p.drive(h, mapisim.Options{})
				h.expect("SS-05", checkOf(judge.ShutdownOK))
				h.selfCheck("SS-05", HaveNoCallAfter(everyLogonRelease{}, trace.Shutdown))
			}})
	}
	return out
}
