package judge

import (
	"slices"

	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// What the model judges once, not step by step: the logons, when they are
// done; the whole trace, when the lifecycle has ended.

// Logons judges the logons of a lifecycle's start (LG-01, LG-02), with the
// judges the named specs use.
func (md *Model) Logons() { checkLogon(md.events(0), md.fail) }

// checkLogon judges the logons, every one (the second store's and the
// spooler's too): LG-01 and LG-02, with the judges the specs use.
func checkLogon(evs []trace.Event, fail Fail) {
	if ok, got, _ := KeepsSupport(evs); !ok {
		fail(0, "LG-01", "%s (want at least 1, and never more Releases than AddRefs)", got)
	}
	if ok, got, _ := ProviderUIDs(evs); !ok {
		fail(0, "LG-02", "%s", got)
	}
}

// Held is what the client still holds at the end of its steps: the stores
// second Logons returned, its references on the store, and its objects (by
// OpenEntry): the driver releases them, each Release judged like a step.
func (md *Model) Held() (reopened, refs int, objects []int) {
	for i, st := range md.objState {
		if st != objReleased {
			objects = append(objects, i)
		}
	}
	return md.reopened, md.refs, objects
}

// Session reports whether IMAPISession::Logoff came among the steps.
func (md *Model) Session() bool { return md.session }

// SecondStoreLeftAlone is SS-04 before the client lets go: the first
// store's end must have left the second alone.
func (md *Model) SecondStoreLeftAlone() {
	if !md.session && md.t.Count(trace.Call{Iface: "IMSLogon", Method: "Logoff", Object: "logon 2"}) > 0 {
		md.fail(-1, "SS-04", "the second store was torn down while its client still held it")
	}
}

// Finish judges the whole trace once the lifecycle has ended (checkEnd,
// checkSpooler).
func (md *Model) Finish() {
	evs := md.events(0)
	md.checkEnd(evs)
	md.SuiteBug, _ = md.checkSpooler(evs)
}

// checkEnd judges the whole lifecycle in one pass over its trace: the
// support never called once gone (RL-03) nor after the provider's final
// Release (SS-03), always with a valid StoreLogoffTransports flag
// (STLT-08), released as often as AddRef'd (RL-01); the MAPIUIDs removed
// (E-01); no status row update after the support went or IMSLogon::Logoff
// returned (LG-03); Shutdown answered S_OK (SS-05).
func (md *Model) checkEnd(evs []trace.Event) {
	refs, minRefs := 0, 0
	var support SupportRefs
	// A MAPIUID or two, a logoff or two: small arrays, not maps.
	var uidBuf, removedBuf [4]any
	var logoffBuf [2]trace.Event
	uids, removed, logoffs := uidBuf[:0], removedBuf[:0], logoffBuf[:0]
	providerGone := false
	for i := range evs {
		e := &evs[i] // in place: this runs for every lifecycle
		if Reopened(e.Object) {
			continue // LG-06's: judged at the second Logon
		}
		switch {
		case e.Dir == trace.ToMAPI && e.Iface == "IMAPISupport":
			if support.IsGone(e.Object) {
				md.fail(-1, "RL-03", "#%d %s on %s after the provider released it", e.Seq, e.Name(), e.Object)
			}
			if providerGone {
				md.fail(-1, "SS-03", "#%d %s after the provider's final Release", e.Seq, e.Name())
			}
			switch e.Method {
			case "StoreLogoffTransports":
				if f := e.Arg(0); !OneValidFlag(*e) {
					md.fail(-1, "STLT-08", "#%d StoreLogoffTransports(%v): want exactly one valid input flag", e.Seq, f)
				}
			case "SetProviderUID":
				uids = append(uids, e.Arg(0))
			case "ModifyStatusRow":
				if support.IsGone(e.Object) || loggedOffBefore(logoffs, *e) {
					md.fail(-1, "LG-03", "#%d ModifyStatusRow after IMSLogon::Logoff", e.Seq)
				}
			}
		case e.Iface == "MAPI" && e.Method == "RemoveProviderUIDs":
			removed = append(removed, e.Args...)
		case e.Method == "Shutdown" && trace.Shutdown.Matches(*e): // a constant first: this runs for every event
			if e.Err != nil {
				md.fail(-1, "SS-05", "#%d IMSProvider::Shutdown returned %v, want S_OK", e.Seq, mapi.ResultOf(e.Err))
			}
		case e.Method == "Release" && trace.ProviderRelease.Matches(*e):
			providerGone = true
		case e.Method == "Logoff" && trace.Logoff.Matches(*e):
			logoffs = append(logoffs, *e)
		}
		support.Step(e)
		if e.Object == "support" && (e.Method == "AddRef" || e.Method == "Release") {
			refs = support.Held("support")
			minRefs = min(minRefs, refs)
		}
	}
	if refs != 0 || minRefs < 0 {
		md.fail(-1, "RL-01", "the provider's references on the support do not balance: %d left, lowest %d", refs, minRefs)
	}
	for _, u := range uids {
		if !slices.Contains(removed, u) {
			md.fail(-1, "E-01", "the MAPIUID %v was never removed", u)
		}
	}
}

// loggedOffBefore reports whether the IMSLogon::Logoff of the store whose
// support e calls had returned when e began: inside Logoff, before the
// support goes, a status row update is allowed (SEMANTICS.md §5).
func loggedOffBefore(logoffs []trace.Event, e trace.Event) bool {
	for _, l := range logoffs {
		// "logon 2" goes with "support 2".
		if l.Done() && l.Ret < e.At && l.Object[len("logon"):] == e.Object[len("support"):] {
			return true
		}
	}
	return false
}
