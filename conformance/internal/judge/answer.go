package judge

import (
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// What the immediate profile makes of StoreLogoffTransports' answer
// (SL-05): StoreLogoff reports the transport activity its call reported,
// and when the logoff did not occur (LOGOFF_QUIET or LOGOFF_ABORT answered
// with activity) the store goes on working: it opens its folders. (A store
// that ends inside that StoreLogoff, its caller holding the only reference,
// is not judged here: SEMANTICS.md §1 allows the immediate profile's
// StoreLogoff to end it.)

// activityFlags are the transport activity StoreLogoffTransports reports.
const activityFlags = mapi.LogoffInbound | mapi.LogoffOutbound | mapi.LogoffOutboundQueue

// reported judges StoreLogoff's output flags against the answer of the
// StoreLogoffTransports call it made, in the immediate profile.
func (md *Model) reported(evs []trace.Event, at int, f, out mapi.LogoffFlags, err error) {
	if md.set.Deferred || md.cur.ended {
		return
	}
	// MAPI reports activity to LOGOFF_QUIET and LOGOFF_ABORT in this
	// lifecycle: StoreLogoff must hear of it from its own call, and say so.
	busyAnswer := md.activity != 0 && (f == mapi.LogoffQuiet || f == mapi.LogoffAbort) && !md.cur.invalidated && md.cur.final == 0
	e, ok := trace.First(evs, md.cur.stlt1)
	switch {
	case busyAnswer && err != nil:
		md.fail(at, "SL-05", "StoreLogoff(%v) returned %v while the transports were busy, want S_OK with the activity %v", f, mapi.ResultOf(err), md.activity)
		return
	case busyAnswer && !ok:
		md.fail(at, "SL-05", "StoreLogoff(%v) made no StoreLogoffTransports call, so it could not report the transports' activity %v", f, md.activity)
		return
	}
	if err != nil || !ok || e.Err != nil || len(e.Out) == 0 {
		return
	}
	answer, _ := e.Out[0].(mapi.LogoffFlags)
	if busy := answer & activityFlags; out&busy != busy {
		md.fail(at, "SL-05", "StoreLogoff(%v) returned the output flags %v, want the activity %v that its StoreLogoffTransports call (#%d) reported", f, out, busy, e.Seq)
	}
}

// goesOn judges OpenEntry on the store after a StoreLogoff whose logoff
// did not occur, while the store lives (wasEnded: before the step).
func (md *Model) goesOn(at int, o lifecycle.Step, wasEnded bool, openErr error) {
	if md.cur.busy && !md.cur.invalidated && o.Kind == lifecycle.Open && !wasEnded && openErr != nil {
		md.fail(at, "SL-05", "OpenEntry returned %v after a StoreLogoff whose logoff did not occur (StoreLogoffTransports answered transport activity), want S_OK: the store goes on working", mapi.ResultOf(openErr))
	}
}
