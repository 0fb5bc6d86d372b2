package judge

import (
	"fmt"
	"strings"

	"github.com/mapiconf/mapiconf/conformance/trace"
)

// The checks of MAPI's teardown of each store (section E): what MAPI did
// once the provider let go, and the provider's calls around it.

// UIDsRemoved is E-01 on every store: every MAPIUID the provider registered
// with SetProviderUID is named by a later RemoveProviderUIDs of MAPI's
// teardown. It looks at what MAPI did, once the provider let go: the named
// specs report its pass as the suite's self-check.
var UIDsRemoved = Check{Rule: "E-01", Self: true, Want: "every MAPIUID registered with SetProviderUID removed by MAPI's teardown",
	judge: func(v *view) (bool, string, map[int]string) {
		evs := v.evs
		var missing []string
		var marks map[int]string
		for _, iSet := range v.support {
			set := &evs[iSet]
			if !isSupportCall(set) || set.Method != "SetProviderUID" || Reopened(set.Object) {
				continue
			}
			removed := false
			for iRm := range evs {
				rm := &evs[iRm]
				if rm.Iface == "MAPI" && rm.Method == "RemoveProviderUIDs" && rm.At > set.At {
					for _, a := range rm.Args {
						removed = removed || a == arg(set, 0)
					}
				}
			}
			if !removed {
				missing = append(missing, fmt.Sprintf("#%d", set.Seq))
				mark(&marks, set.Seq, "never removed")
			}
		}
		if len(missing) == 0 {
			return true, "", nil
		}
		return false, "never removed: the MAPIUIDs of SetProviderUID " + strings.Join(missing, ", ") + " (MAPI removes them when the provider releases the support)", marks
	},
	vacuous: func(v *view) bool { return !trace.Contains(v.evs, trace.SetProviderUID) }}

// teardownOf returns where MAPI's teardown of the store whose support is
// named began: its MAPI::RemoveProviderUIDs, the note just before the
// IMSLogon::Logoff of that store's logon object (MAPI's notes name no
// client store; the order of the seed page ties them to it).
func teardownOf(evs []trace.Event, support string) (*trace.Event, bool) {
	var last *trace.Event
	logon := LogonOf(support)
	for iE := range evs {
		e := &evs[iE]
		switch {
		case e.Iface == "MAPI" && e.Method == "RemoveProviderUIDs":
			last = e
		case e.Dir == trace.ToProvider && e.Iface == "IMSLogon" && e.Method == "Logoff" && e.Object == logon:
			return last, last != nil
		}
	}
	return nil, false
}

// STLTBeforeTeardown is E-05's "all of it comes after STLT" on every store
// whose teardown ran inside the support's Release (the seed page's order;
// on the session path MAPI tears down first and the provider calls STLT
// inside IMSLogon::Logoff, SS-02): no StoreLogoffTransports on the store's
// support once MAPI's teardown of that store has begun.
var STLTBeforeTeardown = Check{Rule: "E-05", Want: "every StoreLogoffTransports before MAPI's teardown of its store (MAPI::RemoveProviderUIDs) begins",
	judge: func(v *view) (bool, string, map[int]string) {
		evs := v.evs
		gone := v.gones()
		for _, at := range v.logons {
			logon := &evs[at]
			s, _ := storeLogon(logon)
			td, ok := teardownOf(evs, s)
			if g, released := gone.of(s); !ok || !released || !encloses(g, td) {
				continue
			}
			for _, iE := range v.support {
				e := &evs[iE]
				if isSupportCall(e) && e.Object == s && e.Method == "StoreLogoffTransports" && e.At > td.At {
					return false, fmt.Sprintf("#%d StoreLogoffTransports on %s after #%d, where MAPI's teardown of its store began", e.Seq, s, td.Seq),
						map[int]string{td.Seq: "teardown begins", e.Seq: "too late"}
				}
			}
		}
		return true, "", nil
	},
	vacuous: func(v *view) bool { return !trace.Contains(v.evs, trace.StoreLogoffTransports) }}

// StatusRowRemoved is E-02 on every store: the status row a store made is
// removed by MAPI's teardown of that store, after the provider's last
// update of it. It looks at what MAPI did, once the provider let go: the
// named specs report its pass as the suite's self-check.
var StatusRowRemoved = Check{Rule: "E-02", Self: true, Want: "every store's status row removed by MAPI's teardown, after the provider's last ModifyStatusRow",
	judge: func(v *view) (bool, string, map[int]string) {
		evs := v.evs
		for _, at := range v.logons {
			logon := &evs[at]
			s, _ := storeLogon(logon)
			// The row's last update made inside a call into the provider:
			// one from a thread of the provider's own, which may come at
			// any time, is a late call (LG-03, RL-03), not the teardown's.
			var last *trace.Event
			for _, iE := range v.support {
				e := &evs[iE]
				if isSupportCall(e) && e.Object == s && e.Method == "ModifyStatusRow" && insideOwnCall(evs, e, s) {
					last = e
				}
			}
			if last == nil {
				continue
			}
			td, ended := teardownOf(evs, s)
			if !ended {
				return false, fmt.Sprintf("the status row %s made (#%d) was never removed: MAPI's teardown of its store never ran", s, last.Seq),
					map[int]string{last.Seq: "never removed"}
			}
			removed := false
			for iE := range evs {
				e := &evs[iE]
				if e.Iface == "MAPI" && e.Method == "RemoveStatusRow" && e.At > td.At && e.At < logoffOf(evs, s) {
					removed = true
					if last.At > e.At {
						return false, fmt.Sprintf("#%d ModifyStatusRow on %s came after #%d, where MAPI removed the row", last.Seq, s, e.Seq),
							map[int]string{e.Seq: "row removed", last.Seq: "after it"}
					}
				}
			}
			if !removed {
				return false, fmt.Sprintf("MAPI's teardown of %s's store removed no status row", s), map[int]string{td.Seq: "no RemoveStatusRow"}
			}
		}
		return true, "", nil
	},
	vacuous: func(v *view) bool { return !trace.Contains(v.evs, trace.ModifyStatusRow) }}

// logoffOf is when the IMSLogon::Logoff of the support's store began, or
// the end of time.
func logoffOf(evs []trace.Event, support string) int {
	for iE := range evs {
		e := &evs[iE]
		if e.Dir == trace.ToProvider && e.Iface == "IMSLogon" && e.Method == "Logoff" && e.Object == LogonOf(support) {
			return e.At
		}
	}
	return int(^uint(0) >> 1)
}

// insideOwnCall reports whether e, a call on the support named, came while
// a call into the provider on that support's own store was in progress (its
// Logon, its store, its logon object), not from a thread of the provider's
// own, whose timing is its own.
func insideOwnCall(evs []trace.Event, e *trace.Event, support string) bool {
	if e.OwnThread {
		return false
	}
	for iC := range evs {
		c := &evs[iC]
		if c.At >= e.At {
			return false
		}
		if c.Dir != trace.ToProvider || !encloses(c, e) {
			continue
		}
		if c.Object == StoreOf(support) || c.Object == LogonOf(support) || c.Method == "Logon" && arg(c, 0) == support {
			return true
		}
	}
	return false
}
