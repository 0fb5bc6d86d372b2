package judge

import (
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"

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
func (md *Model) again(evs []trace.Event, at int, o lifecycle.Step, wasEnded bool, err error) {
	if wasEnded {
		return
	}
	switch o.Kind {
	case lifecycle.LogonAgain:
		logon, ok := trace.First(evs, trace.Logon)
		switch {
		case !ok:
		case err != nil && !md.cur.invalidated:
			// A store invalidated by its own logoff may refuse
			// (SEMANTICS.md §4); the live one is open, and Logon opens it.
			md.fail(at, "LG-06", "IMSProvider::Logon to the store already open returned %v, want S_OK and the store", mapi.ResultOf(err))
		case err == nil && len(logon.Out) == 3 && (logon.Out[0] != "no spooler data" || logon.Out[1] != "nil"):
			md.fail(at, "LG-06", "IMSProvider::Logon to the store already open returned %v and a logon object (%v) besides the store, want the store alone", logon.Out[0], logon.Out[1])
		}
		// "These calls do not ... call AddRef for the MAPI support
		// object": keep no reference. A balanced AddRef and Release (COM's
		// guard around a call) keeps none (RULES.md revision 4).
		if e, ok := keptSupportRef(evs); ok {
			md.fail(at, "LG-06", "IMSProvider::Logon to the store already open kept a reference on %s (#%d %s), want no support AddRef", e.Object, e.Seq, e.Name())
		}
		if e, ok := trace.First(evs, trace.ModifyStatusRow); ok {
			md.fail(at, "LG-06", "IMSProvider::Logon to the store already open called #%d %s on %s, want no status row", e.Seq, e.Name(), e.Object)
		}
	case lifecycle.ReleaseAgain:
		// Ending is MAPI's teardown, not a call (RULES.md revision 4).
		if e, ok := trace.First(evs, Teardown); ok {
			md.fail(at, "LG-06", "the Release of the store a second Logon returned made MAPI tear down (#%d %s on %s) while the first logon lives: that Release ends nothing", e.Seq, e.Name(), e.Object)
		}
	}
}

// keptSupportRef returns the first support AddRef among evs of a support
// that ends them with more references than it began: a reference kept.
func keptSupportRef(evs []trace.Event) (trace.Event, bool) {
	held := map[string]int{}
	first := map[string]trace.Event{}
	for iE := range evs {
		e := &evs[iE]
		if e.Dir != trace.ToMAPI || e.Iface != "IMAPISupport" {
			continue
		}
		switch e.Method {
		case "AddRef":
			if held[e.Object] == 0 {
				first[e.Object] = *e
			}
			held[e.Object]++
		case "Release":
			held[e.Object]--
		}
	}
	for iE := range evs {
		e := &evs[iE]
		if e.Method == "AddRef" && e.Iface == "IMAPISupport" && held[e.Object] > 0 && first[e.Object].Seq == e.Seq {
			return *e, true
		}
	}
	return trace.Event{}, false
}
