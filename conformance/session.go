package conformance

import (
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/mapi"
)

// Section G: session and provider shutdown.
func sessionShutdown() []*spec {
	withFolder := func(then ...lifecycle.Step) func(Capabilities) lifecycle.Lifecycle {
		return func(c Capabilities) lifecycle.Lifecycle {
			if !c.Objects {
				return steps(then...)
			}
			return steps(append([]lifecycle.Step{openRoot}, then...)...)
		}
	}
	twoStores := func(ss ...lifecycle.Step) lifecycle.Lifecycle {
		lc := steps(ss...)
		lc.TwoStores = true
		return lc
	}
	return []*spec{
		// The lifecycle's end makes the client's Releases of the store and
		// the folder after the provider's final Release (SS-01's "do not
		// crash").
		namedFor("G", session.name+" and a folder open: IMSLogon::Logoff, the logon object's Release, IMSProvider::Shutdown, the provider's Release, in that order; the client's later Releases of the store and the folder are safe",
			[]string{"SS-01"}, withFolder(sessionLogoff)).outlined(session.pathOutline()),
		session.named("G", session.name+": StoreLogoffTransports is called once, with LOGOFF_ABORT, inside IMSLogon::Logoff", []string{"SS-02"}),
		session.with("G", "StoreLogoff(LOGOFF_ORDERLY), then IMAPISession::Logoff: StoreLogoffTransports is called once, with LOGOFF_ORDERLY", []string{"SS-02"},
			steps(logoff(mapi.LogoffOrderly), sessionLogoff)),
		session.named("G", session.name+": Shutdown(0) after the logon object's Release, and nothing from the provider after its final Release", []string{"SS-03"}),
		session.with("G", "two stores open, IMAPISession::Logoff: Shutdown comes after both logon objects are released", []string{"SS-03"},
			twoStores(sessionLogoff), needMultipleStores),
		// The second store keeps working while the first ends: its folder
		// answers, it opens another, and it ends on its own, each support
		// call on its own support.
		namedFor("G", "two stores open, the first ended by StoreLogoff and Release: the second keeps working, and each ends on its own", []string{"SS-04"},
			func(c Capabilities) lifecycle.Lifecycle {
				end := []lifecycle.Step{logoff(mapi.LogoffOrderly), clientRelease}
				second := []lifecycle.Step{onSecond(logoff(mapi.LogoffOrderly)), onSecond(clientRelease)}
				if !c.Objects {
					return twoStores(append(end, second...)...)
				}
				ss := append([]lifecycle.Step{onSecond(openRoot)}, end...)
				ss = append(ss, onSecond(getProps(0)), onSecond(openRoot), onSecond(getProps(1)), onSecond(closeObject(1)), onSecond(closeObject(0)))
				return twoStores(append(ss, second...)...)
			}, needMultipleStores),
	}
}
