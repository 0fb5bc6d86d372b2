package judge

import (
	"fmt"
	"slices"

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
// over the lifecycle's trace. It reports false when the simulated MAPI did
// not let the spooler go inside the call that logged the store off: a bug
// of the suite's, no rule of the provider's (SEMANTICS.md §8), with what
// went wrong.
func (md *Model) checkSpooler(evs []trace.Event) (string, bool) {
	if !slices.ContainsFunc(evs, func(e trace.Event) bool { return e.Method == "SpoolerLogon" && e.Done() && e.Err == nil }) {
		return "", true // no spooler logged on
	}
	// The spooler releases its store once or twice (inside the call that
	// logs the store off, at the end). The events are looked at in place:
	// this runs for every lifecycle.
	var buf [2]*trace.Event
	rels := buf[:0]                   // the spooler's Releases of its store
	var logonRel, logoff *trace.Event // the spooler logon's Release; the first STLT call that logged off
	for i := range evs {
		e := &evs[i]
		if e.Method != "Release" && e.Method != "Logoff" && e.Method != "StoreLogoffTransports" {
			continue // none of the calls below
		}
		switch {
		case spoolerStoreRelease.Matches(*e) && e.Caller == "spooler":
			rels = append(rels, e)
		case spoolerLogonRelease.Matches(*e):
			logonRel = e
		case logoff1.Matches(*e):
			// The client store's end, MAPI's teardown (RULES.md revision
			// 4: ending is the teardown, not a call): never inside the
			// spooler's Release (which began before it, events being in
			// the order calls began).
			for _, r := range rels {
				if r.Encloses(*e) {
					md.fail(-1, "SP-01", "#%d %s on %s came inside the spooler's Release of its store (#%d): the spooler's Release ended the client's store", e.Seq, e.Name(), e.Object, r.Seq)
				}
			}
		case logoff == nil && stlt1.Matches(*e) && LoggedOff(*e):
			logoff = e
		}
	}
	if logoff == nil || logoff.Err != nil {
		// The logoff never occurred, or MAPI failed the call (an error
		// counts as a logoff for STLT-01, but MAPI did nothing): the
		// spooler held its store to the end, and MAPI's teardown ends its
		// logon.
		return "", true
	}
	if len(rels) == 0 || !logoff.Encloses(*rels[0]) {
		if len(rels) > 0 && rels[0].At < logoff.At {
			return "", true // the spooler had let go before: not MAPI's to judge here
		}
		return fmt.Sprintf("the simulated MAPI did not make the spooler release its store inside #%d StoreLogoffTransports, which logged the store off", logoff.Seq), false
	}
	if logonRel != nil && !rels[0].Encloses(*logonRel) {
		md.fail(-1, "SP-02", "the spooler's logon object was released at #%d, not inside the spooler's Release of its store (#%d): the store and its logon object are freed together", logonRel.Seq, rels[0].Seq)
	}
	return "", true
}
