package judge

import (
	"fmt"

	"github.com/mapiconf/mapiconf/conformance/trace"
)

// The spooler's own logon of the first store, and its calls.
var (
	spoolerStoreRelease = trace.Call{Iface: "IMsgStore", Method: "Release", Object: "spooler store"}
	spoolerLogonRelease = trace.Call{Iface: "IMSLogon", Method: "Release", Object: "spooler logon"}
)

// The MAPI spooler's own logon of the first store, as the exploration
// judges it at the end of a lifecycle (SP-01, SP-02): StoreLogoffTransports
// makes the spooler release its store inside the call that logs the
// client's store off; that Release ends the spooler's store, its logon
// object with it, and never the client's.

// checkSpooler judges the spooler's logon of the first store, in one pass
// over the lifecycle's trace: SP-01 here (the spooler's Release never ends
// the client's store); SP-02 is SpoolerWithStore's. It reports false when
// the simulated MAPI did not let the spooler go inside the call that
// logged the store off: a bug of the suite's, no rule of the provider's
// (SEMANTICS.md §8), with what went wrong.
func (md *Model) checkSpooler(v *view) (string, bool) {
	sp := v.spooler()
	for iE := range sp.inside {
		e := &sp.inside[iE]
		md.fail(-1, "SP-01", "#%d %s on %s came inside the spooler's Release of its store (#%d): the spooler's Release ended the client's store", e.Seq, e.Name(), e.Object, sp.rel.Seq)
	}
	if sp.bug != "" {
		return sp.bug, false
	}
	return "", true
}

// spoolerFacts is what one pass over a trace finds of the spooler's logon.
type spoolerFacts struct {
	rel      *trace.Event  // the spooler's first Release of its store
	logonRel *trace.Event  // the spooler logon's Release
	inside   []trace.Event // the client store's IMSLogon::Logoff inside the spooler's Release
	letGo    bool          // the spooler let go inside the call that logged the store off, as MAPI does
	untold   bool          // the client's store ended with no StoreLogoffTransports call: MAPI never told the spooler
	bug      string        // what the simulated MAPI did wrong
}

// scanSpooler looks at the events in place: this runs for every lifecycle.
func scanSpooler(evs []trace.Event) (sp spoolerFacts) {
	if !containsFunc(evs, func(e *trace.Event) bool { return e.Method == "SpoolerLogon" && done(e) && e.Err == nil }) {
		return sp // no spooler logged on
	}
	var logoff *trace.Event // the first STLT call that logged off
	for i := range evs {
		e := &evs[i]
		if e.Method != "Release" && e.Method != "Logoff" && e.Method != "StoreLogoffTransports" {
			continue // none of the calls below
		}
		switch {
		case spoolerStoreRelease.MatchesAt(e) && e.Caller == "spooler":
			if sp.rel == nil {
				sp.rel = e
			}
		case spoolerLogonRelease.MatchesAt(e):
			sp.logonRel = e
		case logoff1.MatchesAt(e):
			// The client store's end, MAPI's teardown (RULES.md revision
			// 4: ending is the teardown, not a call): never inside the
			// spooler's Release (which began before it, events being in
			// the order calls began).
			if sp.rel != nil && encloses(sp.rel, e) {
				sp.inside = append(sp.inside, *e)
			}
		case logoff == nil && stlt1.MatchesAt(e) && LoggedOff(e):
			logoff = e
		}
	}
	if logoff == nil && trace.Contains(evs, logoff1) && !trace.Contains(evs, stlt1) {
		sp.untold = true
		return sp
	}
	if logoff == nil || logoff.Err != nil {
		// The logoff never occurred, or MAPI failed the call (an error
		// counts as a logoff for STLT-01, but MAPI did nothing): the
		// spooler held its store to the end, and MAPI's teardown ends its
		// logon.
		return sp
	}
	switch {
	case sp.rel != nil && encloses(logoff, sp.rel):
		sp.letGo = true
	case sp.rel != nil && sp.rel.At < logoff.At:
		// the spooler had let go before: not MAPI's to judge here
	default:
		sp.bug = fmt.Sprintf("the simulated MAPI did not make the spooler release its store inside #%d StoreLogoffTransports, which logged the store off", logoff.Seq)
	}
	return sp
}

// SpoolerWithStore is SP-02's provider part: where the spooler let go of
// its store inside the call that logged the client's store off, its logon
// object went inside that Release: "created together and freed together".
var SpoolerWithStore = Check{Rule: "SP-02", Want: "the spooler's logon object released inside the spooler's Release of its store",
	judge: func(v *view) (bool, string, map[int]string) {
		sp := v.spooler()
		if sp.untold && sp.logonRel != nil {
			return false, fmt.Sprintf("the spooler's logon object was released at #%d by MAPI's teardown, not with the spooler's store: no StoreLogoffTransports call told the spooler to release it", sp.logonRel.Seq),
				map[int]string{sp.logonRel.Seq: "not with its store"}
		}
		if !sp.letGo || sp.logonRel == nil || encloses(sp.rel, sp.logonRel) {
			return true, "", nil
		}
		return false, fmt.Sprintf("the spooler's logon object was released at #%d, not inside the spooler's Release of its store (#%d): the store and its logon object are freed together", sp.logonRel.Seq, sp.rel.Seq),
			map[int]string{sp.logonRel.Seq: "not inside", sp.rel.Seq: "the spooler's Release"}
	},
	vacuous: func(v *view) bool {
		sp := v.spooler()
		return !sp.letGo && !sp.untold || sp.logonRel == nil
	}}

// SpoolerTold is SP-01's MAPI part: the client's store ended with a
// StoreLogoffTransports call, in which MAPI makes the spooler release its
// store ("the MAPI spooler releases the store"). A store that ended with
// none never let the spooler know.
var SpoolerTold = Check{Rule: "SP-01", Self: true, Want: "the spooler told to release its store by a StoreLogoffTransports call before the client's store ended",
	judge: func(v *view) (bool, string, map[int]string) {
		if v.spooler().untold {
			return false, "the client's store ended without a StoreLogoffTransports call: MAPI never made the spooler release its store", nil
		}
		return true, "", nil
	},
	vacuous: func(v *view) bool { return !hasCall(v.evs, "IMSProvider", "SpoolerLogon") }}

// RowAtLogon is LG-03's first part on every store: the status row, if the
// store makes one, is added inside the IMSProvider::Logon that opened it.
var RowAtLogon = Check{Rule: "LG-03", Want: "each store's first ModifyStatusRow inside the IMSProvider::Logon that opened it",
	judge: func(v *view) (bool, string, map[int]string) {
		evs := v.evs
		for _, at := range v.logons {
			logon := &evs[at]
			s, _ := storeLogon(logon)
			first, made := trace.First(evs, trace.Call{Iface: "IMAPISupport", Method: "ModifyStatusRow", Object: s})
			if made && !encloses(logon, &first) {
				return false, fmt.Sprintf("the first status row on %s came at #%d, not inside #%d IMSProvider::Logon", s, first.Seq, logon.Seq),
					map[int]string{logon.Seq: "Logon", first.Seq: "not inside it"}
			}
		}
		return true, "", nil
	},
	vacuous: func(v *view) bool { return !trace.Contains(v.evs, trace.ModifyStatusRow) }}
