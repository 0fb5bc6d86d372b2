package conformance

import (
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"strings"

	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// A second Logon to the store already open, and the Release of what it
// returned (LG-06): "These calls do not create status rows, return message
// store logon objects, call AddRef for the MAPI support object, or return
// data for MAPI spooler logon" (imsprovider-logon.md), and releasing that
// store reference ends nothing while the first logon lives.

// again judges the step o if it is one of the second Logon's, made while
// the store lived (wasEnded: before the step); err is what it returned.
func (md *model) again(evs []trace.Event, at int, o lifecycle.Step, wasEnded bool, err error) {
	if wasEnded {
		return
	}
	switch o.Kind {
	case lifecycle.LogonAgain:
		logon, ok := trace.First(evs, trace.Logon)
		switch {
		case !ok:
		case err != nil && !md.invalidated:
			// A store invalidated by its own logoff may refuse
			// (SEMANTICS.md §4); the live one is open, and Logon opens it.
			md.fail(at, "LG-06", "IMSProvider::Logon to the store already open returned %v, want S_OK and the store", mapi.ResultOf(err))
		case err == nil && len(logon.Out) == 3 && (logon.Out[0] != "no spooler data" || logon.Out[1] != "nil"):
			md.fail(at, "LG-06", "IMSProvider::Logon to the store already open returned %v and a logon object (%v) besides the store, want the store alone", logon.Out[0], logon.Out[1])
		}
		for _, c := range []trace.Call{trace.SupportAddRef, trace.ModifyStatusRow} {
			if e, ok := trace.First(evs, c); ok {
				md.fail(at, "LG-06", "IMSProvider::Logon to the store already open called #%d %s on %s, want no support AddRef and no status row", e.Seq, e.Name(), e.Object)
			}
		}
	case lifecycle.ReleaseAgain:
		for _, c := range []trace.Call{anySupportCall, trace.Logoff} {
			if e, ok := trace.First(evs, c); ok {
				md.fail(at, "LG-06", "the Release of the store a second Logon returned made #%d %s on %s, while the first logon lives: that Release ends nothing", e.Seq, e.Name(), e.Object)
			}
		}
	}
}

// reopenSupport reports whether object is the support MAPI passed to a
// second Logon ("support (again)"). A provider that logs on in full there
// keeps it, registers a MAPIUID and a status row on it and lets go of it
// as it likes: all of it LG-06's, found at that Logon, and no store's end
// the other rules could judge, for MAPI tracks no logon with it.
func reopenSupport(object string) bool { return strings.HasSuffix(object, " (again)") }
