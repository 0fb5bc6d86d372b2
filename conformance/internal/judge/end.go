package judge

import (
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"

	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// The store's end as the model judges it (SEMANTICS.md §1-3): which step
// ended it, how (StoreLogoffTransports once, with the path's flag, before
// the support goes; on the session path inside IMSLogon::Logoff), and the
// StoreLogoffTransports calls of the whole shutdown.

// end judges whether the step ended the store, and how: MAPI's teardown ran
// inside it (the provider released the support, or the session logged
// off). A step that may not end the store may not begin to either: no
// StoreLogoffTransports call (StoreLogoff's own are judged by storeLogoff),
// no Release of the support.
func (md *Model) end(evs []trace.Event, at int, kind lifecycle.Kind, what stepText, end ending, tornDown bool) {
	if md.cur.ended {
		return
	}
	session := kind == lifecycle.SessionLogoff
	rule := "RL-02" // a Release, or another call, that leaves store references
	if kind == lifecycle.StoreLogoff {
		rule = "SL-04"
	}
	if !tornDown {
		switch {
		case end == endRequired:
			md.fail(at, "RL-01", "%s left the client nothing, yet the provider kept the support: the store never ended", what)
			// The way in the client took must end the store (SD-01,
			// SD-03), its logon object with it (LG-05).
			way := "SD-03"
			if md.cur.requested {
				way = "SD-01"
			}
			md.fail(at, way, "%s left the client nothing, yet the store never ended: MAPI's teardown never ran", what)
			md.fail(at, "LG-05", "%s left the client nothing, yet the logon object lives on: the store and its logon object are freed together", what)
			md.teardownMissing(at, what)
			md.noSTLT(at, what, session)
		case end == endForbidden && kind != lifecycle.StoreLogoff && trace.Contains(evs, md.cur.stlt1):
			md.fail(at, rule, "%s called StoreLogoffTransports", what)
		}
		// A support Release that leaves the provider a reference ends
		// nothing (RULES.md revision 4): only the store's end, below, is
		// judged.
		return
	}
	md.cur.ended, md.cur.endedAt, md.cur.bySession = true, at, session
	if end == endForbidden {
		md.fail(at, rule, "%s ended the store", what)
		// The store's last Release is then not the one that releases
		// the support (RL-01), and in the deferred profile
		// StoreLogoffTransports did not come at the last Release either.
		md.fail(at, "RL-01", "%s released the support, before the store's last Release", what)
		if md.set.Deferred && trace.Contains(evs, md.cur.stlt1) {
			md.fail(at, "STLT-02", "%s called StoreLogoffTransports, before the store's last Release (deferred profile)", what)
		}
	}
	if md.cur.stlts == 0 {
		if other, ok := trace.First(evs, stlt); ok && !session {
			md.fail(at, "SS-04", "%s called StoreLogoffTransports on %s, another store's support", what, other.Object)
		} else {
			md.noSTLT(at, what, session)
		}
	}
	if last, ok := trace.Last(evs, md.cur.supRel1); ok {
		for iE := range evs {
			e := &evs[iE]
			if md.cur.stlt1.MatchesAt(e) && e.At > last.At {
				md.fail(at, "STLT-05", "StoreLogoffTransports (#%d) came after the support's Release (#%d)", e.Seq, last.Seq)
				break
			}
		}
	}
	// A provider may hold several references on the support, so long as
	// the store's end brings them back to none (RL-01). One that keeps them
	// past IMSLogon::Logoff on the session path is SD-02's, below.
	if held := md.t.Balance(md.cur.supAddRef1, md.cur.supRel1); held < 0 || held > 0 && !session {
		md.fail(at, "RL-01", "after the store's end the provider's references on the support are %+d, want 0", held)
	}
	if logoff, ok := trace.First(evs, md.cur.logoff1); ok {
		// MAPI called IMSLogon::Logoff itself: the provider must force its
		// shutdown there, letting go of the support.
		if session && !containsFunc(evs, func(e *trace.Event) bool { return md.cur.supRel1.MatchesAt(e) && encloses(&logoff, e) }) {
			md.fail(at, "SD-02", "on the session path the provider did not release the support inside IMSLogon::Logoff, where it must force its shutdown")
		}
		md.cur.loggedOff = true
		if logoff.Err != nil {
			md.fail(at, "LG-04", "IMSLogon::Logoff returned %v, want S_OK", mapi.ResultOf(logoff.Err))
		}
		for i, st := range md.cur.objState {
			if st == objOpen {
				md.cur.objState[i] = objLoggedOff
			}
		}
	}
}

// noSTLT: the store ended, or should have, and StoreLogoffTransports was
// never called.
func (md *Model) noSTLT(at int, what stepText, session bool) {
	if md.cur.stlts > 0 {
		return
	}
	rule := "STLT-01"
	switch {
	case session:
		rule = "SS-02"
	case !md.cur.requested:
		rule = "STLT-04"
	case md.set.Deferred:
		rule = "STLT-02"
	}
	md.fail(at, rule, "%s: the shutdown made no StoreLogoffTransports call, want one", what)
}

// stltCalls follows the StoreLogoffTransports calls of a step: none may
// follow one that logged the store off (STLT-01; a second StoreLogoff's
// is STLT-06), and the first of the shutdown gets the flag the path asks
// for.
func (md *Model) stltCalls(evs []trace.Event, at int, o lifecycle.Step) {
	immediateLogoff := o.Kind == lifecycle.StoreLogoff && !md.set.Deferred
	finalBefore := md.cur.final // the logoff was done before the step began
	for iE := range evs {
		e := &evs[iE]
		if !md.cur.stlt1.MatchesAt(e) {
			continue
		}
		if md.cur.final != 0 {
			// A repeated StoreLogoff's StoreLogoffTransports call is
			// STLT-06's ("the second call makes no second STLT"); two
			// calls from one StoreLogoff, STLT-01's.
			rule := "STLT-01"
			if immediateLogoff && finalBefore != 0 {
				rule = "STLT-06"
			}
			marks := Marks{md.cur.final: "logged off", e.Seq: "once too often"}
			md.fail(at, rule, "#%d StoreLogoffTransports came after #%d, which logged the store off", e.Seq, md.cur.final, marks)
			// SS-02 judges the session path's own calls: those of
			// IMAPISession::Logoff and after. (A StoreLogoff's before
			// it are STLT-01's and STLT-06's.)
			// The first extra call only: one after the shutdown broke
			// STLT-01 before the session path is that break's.
			if md.cur.extra++; md.cur.extra == 1 && (md.cur.bySession || o.Kind == lifecycle.SessionLogoff) {
				md.fail(at, "SS-02", "#%d StoreLogoffTransports came after #%d, which logged the store off, on the session path", e.Seq, md.cur.final, marks)
			}
		}
		if md.cur.stlts == 0 {
			md.cur.firstFlag, _ = arg(e, 0).(mapi.LogoffFlags)
			if o.Kind != lifecycle.StoreLogoff {
				md.firstFlag(e, at, o.Kind == lifecycle.SessionLogoff)
			}
		}
		md.cur.stlts++
		md.cur.busy = immediateLogoff && !LoggedOff(e)
		if md.cur.final == 0 && LoggedOff(e) {
			md.cur.final = e.Seq
		}
		if len(e.Out) > 0 && e.Err == nil && e.Out[0].(mapi.LogoffFlags)&mapi.LogoffComplete != 0 {
			md.cur.invalidated = true
		}
	}
}

// firstFlag judges the flag of the shutdown's first StoreLogoffTransports
// call when StoreLogoff did not make it: the saved flag, or LOGOFF_ABORT on
// the Release-only path.
func (md *Model) firstFlag(e *trace.Event, at int, session bool) {
	got, _ := arg(e, 0).(mapi.LogoffFlags)
	want := mapi.LogoffAbort
	if md.cur.requested {
		want = md.cur.pending
	}
	switch {
	case md.cur.pendingAny || got == want:
	case !md.cur.requested && session:
		md.fail(at, "SS-02", "IMAPISession::Logoff with no StoreLogoff before: StoreLogoffTransports(%v), want LOGOFF_ABORT", got)
	case session:
		md.fail(at, "SS-02", "IMAPISession::Logoff after StoreLogoff(%v): StoreLogoffTransports(%v), want the flag StoreLogoff saved", want, got)
	case !md.cur.requested:
		md.fail(at, "STLT-04", "the Release-only path called StoreLogoffTransports(%v), want LOGOFF_ABORT", got)
	case md.cur.flagsSaved <= 1 && md.cur.logoffs <= 1:
		md.fail(at, "STLT-03", "StoreLogoffTransports(%v) at the store's end, want StoreLogoff's flag %v", got, want)
	default:
		md.fail(at, "STLT-06", "StoreLogoffTransports(%v) at the store's end, want the last StoreLogoff's flag %v", got, want)
	}
}

// teardownMissing names each step of MAPI's teardown (section E) that did
// not come when the store had to end: the provider never let go of the
// support, in which MAPI removes the MAPIUIDs and the status row, logs the
// logon object off and releases it.
func (md *Model) teardownMissing(at int, what stepText) {
	// A copy, not md.events: the step being judged still reads the
	// model's buffer.
	evs := md.t.Events()
	if trace.Contains(evs, trace.Call{Iface: "IMAPISupport", Method: "SetProviderUID", Object: md.cur.stlt1.Object}) {
		md.fail(at, "E-01", "%s left the client nothing, yet MAPI removed no MAPIUID: the provider kept the support", what)
	}
	if trace.Contains(evs, trace.Call{Iface: "IMAPISupport", Method: "ModifyStatusRow", Object: md.cur.stlt1.Object}) {
		md.fail(at, "E-02", "%s left the client nothing, yet MAPI removed no status row: the provider kept the support", what)
	}
	md.fail(at, "E-03", "%s left the client nothing, yet IMSLogon::Logoff never came: the provider kept the support", what)
	md.fail(at, "E-04", "%s left the client nothing, yet the logon object was never released: the provider kept the support", what)
	md.fail(at, "E-05", "%s left the client nothing, yet MAPI's teardown never ran: the provider kept the support", what)
}
