package conformance

import (
	"fmt"
	"github.com/mapiconf/mapiconf/conformance/internal/judge"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// haveSupportCallsOnOwnStore succeeds when every call the provider makes on
// a support, while MAPI or a client is in a call on one store (its Logon,
// its store, its logon object), goes to that store's support: a provider
// that keeps one support for all its stores registers UIDs, rows and
// transport logoffs under the wrong store.
func haveSupportCallsOnOwnStore() types.GomegaMatcher {
	return &traceMatcher{want: "every support call made for a store on that store's support",
		check: func(evs []trace.Event) (bool, string, map[int]string) {
			for i, e := range evs {
				if e.Dir != trace.ToMAPI || e.Iface != "IMAPISupport" {
					continue
				}
				// The innermost call into the provider that e came from.
				for j := i - 1; j >= 0; j-- {
					p := evs[j]
					if p.Dir != trace.ToProvider || !p.Encloses(e) {
						continue
					}
					want := supportOf(p)
					if want != "" && want != e.Object {
						return false, fmt.Sprintf("#%d %s went to %s, inside #%d %s on %s", e.Seq, e.Name(), e.Object, p.Seq, p.Name(), p.Object),
							mark(mark(nil, "a call for "+want, p), "on "+e.Object, e)
					}
					break
				}
			}
			return true, "", nil
		}}
}

// supportOf names the support that belongs with a call into the provider:
// IMSProvider::Logon's own argument, or the support of the store whose
// store or logon object is called ("store 2" → "support 2"); "" for calls
// that belong to no one store.
func supportOf(p trace.Event) string {
	if trace.Logon.Matches(p) {
		s, _ := p.Arg(0).(string)
		return s
	}
	for _, prefix := range []string{"store", "logon"} {
		if suffix, ok := strings.CutPrefix(p.Object, prefix); ok && (suffix == "" || suffix[0] == ' ') {
			return "support" + suffix
		}
	}
	return ""
}

// laterReleases selects the clients' Release calls that came after the
// provider's final Release: what they still held when the session ended.
type laterReleases struct{}

func (laterReleases) String() string {
	return "the clients' Releases after IMSProvider::Release"
}

func (laterReleases) Select(evs []trace.Event) []trace.Event {
	final, ok := trace.Last(evs, trace.ProviderRelease)
	if !ok {
		return nil
	}
	var out []trace.Event
	for _, e := range evs {
		if e.At > final.At && e.Dir == trace.ToProvider && e.Caller != "MAPI" && e.Method == "Release" {
			out = append(out, e)
		}
	}
	return out
}

// Section G: session and provider shutdown.
func sessionShutdown() []*spec {
	var out []*spec
	out = append(out, &spec{section: "G", rules: []string{"SS-01"},
		text: session.name + " and a folder open: IMSLogon::Logoff, the logon object's Release, IMSProvider::Shutdown, the provider's Release, in that order; the client's later Releases of the store and the folder are safe",
		body: func(h *H) {
			h.outline(session.name, "", 0)
			m, s := h.start(mapisim.Options{})
			if h.cfg.Capabilities.Objects {
				var err error
				h.drive(func() { _, err = s.Client().OpenEntry("") })
				h.capability(err, "IMsgStore::OpenEntry of the root folder (Capabilities.Objects)")
			}
			h.drive(func() { m.SessionLogoff(0) })
			// A crash in the clients' later Releases stops the spec (a
			// fault); that they returned is what the provider proves.
			h.expect("SS-01", HaveCallsSatisfying(laterReleases{}, "returned after the provider's final Release", func(e trace.Event) bool { return e.Done() && e.Panic == nil }))
			h.selfCheck("SS-01", HaveCallsInOrder(trace.Logoff, trace.LogonRelease, trace.Shutdown, trace.ProviderRelease))
		}}, &spec{section: "G", rules: []string{"SS-02"},
		text: session.name + ": StoreLogoffTransports is called once, with LOGOFF_ABORT, inside IMSLogon::Logoff",
		body: func(h *H) {
			session.drive(h, mapisim.Options{})
			h.expect("SS-02", checkOf(judge.LoggedOffOnce))
			h.expect("SS-02", HaveCallsWith(stlt, mapi.LogoffAbort))
			// MAPI calls IMSLogon::Logoff "to forcibly shut down" the
			// provider: the transports hear of it there, not from a
			// client's Release after the provider has shut down.
			h.expect("SS-02", HaveCallInside(stlt, trace.Logoff))
		}}, &spec{section: "G", rules: []string{"SS-02"},
		text: "StoreLogoff(LOGOFF_ORDERLY), then IMAPISession::Logoff: StoreLogoffTransports is called once, with LOGOFF_ORDERLY",
		body: func(h *H) {
			m, s := h.start(mapisim.Options{})
			h.drive(func() {
				s.Client().StoreLogoff(mapi.LogoffOrderly)
				m.SessionLogoff(0)
			})
			h.expect("SS-02", checkOf(judge.LoggedOffOnce))
			h.expect("SS-02", HaveCallsWith(stlt, mapi.LogoffOrderly))
		}}, &spec{section: "G", rules: []string{"SS-03"},
		text: session.name + ": Shutdown(0) after the logon object's Release, and nothing from the provider after its final Release",
		body: func(h *H) {
			session.drive(h, mapisim.Options{})
			h.selfCheck("SS-03", HaveCallBefore(trace.TheLast(trace.LogonRelease), trace.Shutdown))
			h.selfCheck("SS-03", HaveCallsWith(trace.Shutdown, mapi.ReservedFlags(0)))
			h.expect("SS-03", checkOf(judge.NothingAfterProvider))
		}}, &spec{section: "G", rules: []string{"SS-03"}, needs: []need{needMultipleStores},
		text: "two stores open, IMAPISession::Logoff: Shutdown comes after both logon objects are released",
		body: func(h *H) {
			m, _ := h.start(mapisim.Options{})
			h.logon()
			h.drive(func() { m.SessionLogoff(0) })
			h.selfCheck("SS-03", HaveCallCount(trace.LogonRelease, 2))
			h.selfCheck("SS-03", HaveCallBefore(trace.TheLast(trace.LogonRelease), trace.Shutdown))
			h.expect("SS-03", checkOf(judge.NothingAfterProvider))
		}}, &spec{section: "G", rules: []string{"SS-04"}, needs: []need{needMultipleStores},
		text: "two stores open, the first ended by StoreLogoff and Release: the second keeps working, a new logon works, and each ends on its own",
		body: func(h *H) {
			m, first := h.start(mapisim.Options{})
			second := h.logon()
			var kept *mapisim.Object // a folder of the second store, open throughout
			if h.cfg.Capabilities.Objects {
				var err error
				h.drive(func() { kept, err = second.Client().OpenEntry("") })
				h.capability(err, "IMsgStore::OpenEntry of the root folder (Capabilities.Objects)")
			}
			h.drive(func() {
				first.Client().StoreLogoff(mapi.LogoffOrderly)
				first.Client().Release()
			})
			h.selfCheck("SS-04", HaveCallCount(trace.Shutdown, 0))
			h.expect("SS-04", HaveCallCount(trace.Call{Iface: "IMSLogon", Method: "Logoff", Object: "logon 2"}, 0))
			h.expect("SS-04", HaveCallCount(trace.Call{Iface: "IMAPISupport", Object: "support 2", Method: "StoreLogoffTransports"}, 0))
			// The second store still works: its folders open and answer,
			// and the provider still logs on to stores.
			if kept != nil {
				h.drive(func() {
					kept.GetProps()
					if o, err := second.Client().OpenEntry(""); err == nil {
						o.GetProps()
						o.Release()
					}
					kept.Release()
				})
				h.expect("SS-04", HaveCallsSatisfying(trace.Call{Iface: "IMsgStore", Method: "OpenEntry", Object: "store 2"}, "returned S_OK", returnedOK))
				h.expect("SS-04", HaveCallsSatisfying(trace.Call{Method: "GetProps"}, "returned S_OK", returnedOK))
			}
			var third *mapisim.Store
			h.drive(func() { third, _ = m.Logon() })
			h.expect("SS-04", HaveCallsSatisfying(trace.Nth(trace.Logon, 3), "returned S_OK", returnedOK))
			h.drive(func() {
				if third != nil {
					third.Client().Release()
				}
				second.Client().StoreLogoff(mapi.LogoffOrderly)
				second.Client().Release()
			})
			h.expect("SS-04", HaveCallsSatisfying(trace.Call{Iface: "IMsgStore", Method: "StoreLogoff", Object: "store 2"}, "returned S_OK", returnedOK))
			h.expect("SS-04", haveSupportCallsOnOwnStore())
			h.expect("SS-04", HaveCallInside(trace.Call{Iface: "IMSLogon", Method: "Logoff", Object: "logon 2"},
				trace.Call{Iface: "IMAPISupport", Method: "Release", Object: "support 2"}))
			h.drive(func() { m.SessionLogoff(0) })
		}})
	return out
}
