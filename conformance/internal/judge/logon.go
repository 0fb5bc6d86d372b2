package judge

import (
	"fmt"
	"strings"

	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// ProviderUIDs is LG-02 on every logon (RULES.md revision 4: "every Logon
// and SpoolerLogon"): each IMSProvider::Logon that opens a store calls
// SetProviderUID inside it, and every SetProviderUID, whichever logon's
// support it goes to (the spooler's included), passes flags 0. A Logon to
// a store already open registers nothing (LG-06), and the spooler's logon
// shares the store's MAPIUID: the page asks for the registration "at logon
// time", which the store's Logon made.
func ProviderUIDs(evs []trace.Event) (ok bool, got string, marks map[int]string) {
	var bad, missing []string
	for iE := range evs {
		e := &evs[iE]
		switch {
		case e.Dir == trace.ToMAPI && e.Iface == "IMAPISupport" && e.Method == "SetProviderUID":
			if arg(e, 1) != mapi.ReservedFlags(0) {
				bad = append(bad, fmt.Sprintf("#%d on %s passed flags %v", e.Seq, e.Object, arg(e, 1)))
				mark(&marks, e.Seq, "flags not 0")
			}
		case e.Dir == trace.ToProvider && e.Iface == "IMSProvider" && e.Method == "Logon" && e.Err == nil:
			s, _ := arg(e, 0).(string)
			if Reopened(s) {
				continue
			}
			if !hasInside(evs, e, trace.Call{Iface: "IMAPISupport", Method: "SetProviderUID", Object: s}) {
				missing = append(missing, fmt.Sprintf("#%d (%s)", e.Seq, s))
				mark(&marks, e.Seq, "no SetProviderUID inside")
			}
		}
	}
	if len(bad) == 0 && len(missing) == 0 {
		return true, "", nil
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "IMSProvider::Logon "+strings.Join(missing, ", ")+" never called SetProviderUID")
	}
	if len(bad) > 0 {
		parts = append(parts, "SetProviderUID "+strings.Join(bad, ", "))
	}
	return false, strings.Join(parts, "; "), marks
}

// hasInside reports whether a call of c came inside outer.
func hasInside(evs []trace.Event, outer *trace.Event, c trace.Call) bool {
	for iE := range evs {
		e := &evs[iE]
		if c.MatchesAt(e) && encloses(outer, e) {
			return true
		}
	}
	return false
}

// KeepsSupport is LG-01 on every logon: inside each IMSProvider::Logon
// that opens a store and each SpoolerLogon, the provider's AddRefs less its
// Releases on the support that logon got end at one or more (the page asks
// for an AddRef, not exactly one: RULES.md revision 2), and never go below
// none, which would release MAPI's own. A Logon to a store already open
// keeps none (LG-06).
func KeepsSupport(evs []trace.Event) (ok bool, got string, marks map[int]string) {
	for iLogon := range evs {
		logon := &evs[iLogon]
		if logon.Dir != trace.ToProvider || logon.Iface != "IMSProvider" || logon.Err != nil ||
			logon.Method != "Logon" && logon.Method != "SpoolerLogon" {
			continue
		}
		s, _ := arg(logon, 0).(string)
		if Reopened(s) {
			continue
		}
		held := 0
		var buf [8]*trace.Event // the logon's AddRefs and Releases, on the stack
		calls := buf[:0]
		for iE := range evs {
			e := &evs[iE]
			if e.Dir != trace.ToMAPI || e.Object != s || e.Iface != "IMAPISupport" || !encloses(logon, e) {
				continue
			}
			switch e.Method {
			case "AddRef":
				held++
			case "Release":
				held--
				if held < 0 {
					return false, fmt.Sprintf("#%d %s releases a reference the provider never took, inside #%d IMSProvider::%s", e.Seq, e.Name(), logon.Seq, logon.Method),
						map[int]string{logon.Seq: "inside this", e.Seq: "one Release too many"}
				}
			default:
				continue
			}
			calls = append(calls, e)
		}
		if held < 1 {
			marks = map[int]string{logon.Seq: "inside this"}
			for _, c := range calls {
				marks[c.Seq] = "AddRef or Release"
			}
			return false, fmt.Sprintf("#%d IMSProvider::%s returned holding %d reference(s) on %s", logon.Seq, logon.Method, held, s), marks
		}
	}
	return true, "", nil
}
