package judge

import (
	"fmt"
	"strings"

	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// The checks of the order MAPI keeps (its teardown, the session's end, the
// spooler's logon) and of what the provider must do around it. A Self
// check looks at MAPI's own steps: its failure fails the rule (the
// provider made MAPI's steps go missing), its pass is the suite's
// self-check, not the provider's.

// LogonReleasedLast is E-04 on every client logon object: MAPI releases it
// after its IMSLogon::Logoff, and nothing reaches it after that Release.
var LogonReleasedLast = Check{Rule: "E-04", Self: true, Want: "every logon object released after its IMSLogon::Logoff, and called no more after",
	judge:   func(v *view) (bool, string, map[int]string) { return logonsLast(v.evs, false) },
	vacuous: func(v *view) bool { return !hasRelease(v.evs, "IMSLogon", false) }}

// SpoolerLogonShutDown is SP-02's MAPI part: the spooler's logon is shut
// down like any other, its IMSLogon::Logoff, then its Release.
var SpoolerLogonShutDown = Check{Rule: "SP-02", Self: true, Want: "the spooler's logon object released after its IMSLogon::Logoff, and called no more after",
	judge:   func(v *view) (bool, string, map[int]string) { return logonsLast(v.evs, true) },
	vacuous: func(v *view) bool { return !hasRelease(v.evs, "IMSLogon", true) }}

// logonsLast judges the logon objects of the client's stores, or the
// spooler's.
func logonsLast(evs []trace.Event, spoolers bool) (bool, string, map[int]string) {
	for i := range evs {
		rel := &evs[i]
		if rel.Dir != trace.ToProvider || rel.Iface != "IMSLogon" || rel.Method != "Release" || trace.IsSpoolers(rel.Object) != spoolers {
			continue
		}
		logoff, ok := trace.First(evs[:i], trace.Call{Iface: "IMSLogon", Method: "Logoff", Object: rel.Object})
		if !ok {
			return false, fmt.Sprintf("#%d released %s, which IMSLogon::Logoff never logged off", rel.Seq, rel.Object), map[int]string{rel.Seq: "no Logoff before"}
		}
		for j := i + 1; j < len(evs); j++ {
			e := &evs[j]
			if e.Dir == trace.ToProvider && e.Iface == "IMSLogon" && e.Object == rel.Object && e.At > rel.At {
				return false, fmt.Sprintf("#%d %s came after #%d released %s", e.Seq, e.Name(), rel.Seq, rel.Object),
					map[int]string{logoff.Seq: "Logoff", rel.Seq: "released", e.Seq: "too late"}
			}
		}
	}
	return true, "", nil
}

func hasRelease(evs []trace.Event, iface string, spoolers bool) bool {
	for iE := range evs {
		e := &evs[iE]
		if e.Dir == trace.ToProvider && e.Iface == iface && e.Method == "Release" && trace.IsSpoolers(e.Object) == spoolers {
			return true
		}
	}
	return false
}

// TeardownOrder is E-05's MAPI part on every client store MAPI tore down:
// the MAPIUIDs removed, then the status row, then IMSLogon::Logoff, then
// the logon object's release (shutting-down-a-message-store-provider.md).
var TeardownOrder = Check{Rule: "E-05", Self: true, Want: "MAPI::RemoveProviderUIDs, then MAPI::RemoveStatusRow if a row was made, then IMSLogon::Logoff, then IMSLogon::Release",
	judge: func(v *view) (bool, string, map[int]string) {
		evs := v.evs
		return inOrder(evs, trace.RemoveProviderUIDs, trace.RemoveStatusRow, trace.Logoff, trace.LogonRelease)
	},
	vacuous: func(v *view) bool { return !trace.Contains(v.evs, trace.RemoveProviderUIDs) }}

// SessionOrder is SS-01's MAPI part: on the session's end the first logon
// object is logged off and released, then the provider shut down and
// released.
var SessionOrder = Check{Rule: "SS-01", Self: true, Want: "IMSLogon::Logoff, then IMSLogon::Release, then IMSProvider::Shutdown, then IMSProvider::Release",
	judge: func(v *view) (bool, string, map[int]string) {
		evs := v.evs
		return inOrder(evs, trace.Logoff, trace.LogonRelease, trace.Shutdown, trace.ProviderRelease)
	},
	vacuous: func(v *view) bool { return !trace.Contains(v.evs, trace.Shutdown) }}

// inOrder reports whether the first call of each selector that has one
// comes after the first of those before it. A selector with no call is
// passed by (a provider that made no status row leaves MAPI none to
// remove); the rules that ask for the call judge its absence.
func inOrder(evs []trace.Event, cs ...trace.Call) (bool, string, map[int]string) {
	var prev trace.Event
	seen := false
	for _, c := range cs {
		e, ok := trace.First(evs, c)
		if !ok {
			continue
		}
		if seen && e.At < prev.At {
			return false, fmt.Sprintf("#%d %s came before #%d %s", e.Seq, e.Name(), prev.Seq, prev.Name()),
				map[int]string{prev.Seq: "should come first", e.Seq: "came too early"}
		}
		prev, seen = e, true
	}
	return true, "", nil
}

// DeadReleasesSafe is SS-01's provider part: the clients' Releases of what
// they still held when the provider was shut down return, and do not crash
// (a crash also stops the run as a fault).
var DeadReleasesSafe = Check{Rule: "SS-01", Want: "the clients' Releases after the provider's final Release to return, without crashing",
	judge: func(v *view) (bool, string, map[int]string) {
		evs := v.evs
		var buf [8]*trace.Event
		for _, e := range laterReleases(evs, buf[:0]) {
			if !done(e) || e.Panic != nil {
				return false, fmt.Sprintf("#%d %s on %s, after the provider's final Release, did not return", e.Seq, e.Name(), e.Object), map[int]string{e.Seq: "crashed"}
			}
		}
		return true, "", nil
	},
	vacuous: func(v *view) bool { var buf [8]*trace.Event; return len(laterReleases(v.evs, buf[:0])) == 0 }}

// laterReleases are the clients' Release calls that came after the
// provider's final Release: what they still held when the session ended,
// appended to out (the caller's buffer on its stack).
func laterReleases(evs []trace.Event, out []*trace.Event) []*trace.Event {
	final, ok := trace.Last(evs, trace.ProviderRelease)
	if !ok {
		return nil
	}
	for iE := range evs {
		e := &evs[iE]
		if e.At > final.At && e.Dir == trace.ToProvider && e.Caller != "MAPI" && e.Method == "Release" {
			out = append(out, e)
		}
	}
	return out
}

// ShutdownLast is SS-03's MAPI part: IMSProvider::Shutdown, with reserved
// flags 0, only after MAPI released every logon object of that provider
// object.
var ShutdownLast = Check{Rule: "SS-03", Self: true, Want: "IMSProvider::Shutdown(0) after every logon object of its provider is released",
	judge:   func(v *view) (bool, string, map[int]string) { return shutdownAfterLogons(v.evs, true) },
	vacuous: func(v *view) bool { return !trace.Contains(v.evs, trace.Shutdown) }}

// ShutdownAfterLogons is SS-05's MAPI part: "MAPI calls it only after
// releasing every logon object".
var ShutdownAfterLogons = Check{Rule: "SS-05", Self: true, Want: "IMSProvider::Shutdown only after every logon object, the spooler's too, is released",
	judge:   func(v *view) (bool, string, map[int]string) { return shutdownAfterLogons(v.evs, false) },
	vacuous: func(v *view) bool { return !hasCall(v.evs, "IMSProvider", "Shutdown") }}

// shutdownAfterLogons finds a logon object released after its provider's
// Shutdown (the spooler's logons go with the spooler's provider object),
// and with flags, a Shutdown whose reserved flags are not 0.
func shutdownAfterLogons(evs []trace.Event, flags bool) (bool, string, map[int]string) {
	for iSd := range evs {
		sd := &evs[iSd]
		if sd.Dir != trace.ToProvider || sd.Iface != "IMSProvider" || sd.Method != "Shutdown" {
			continue
		}
		if flags && arg(sd, 0) != mapi.ReservedFlags(0) {
			return false, fmt.Sprintf("#%d %s passed flags %v, want 0", sd.Seq, sd.Name(), arg(sd, 0)), map[int]string{sd.Seq: "flags not 0"}
		}
		for iE := range evs {
			e := &evs[iE]
			if e.Dir == trace.ToProvider && e.Iface == "IMSLogon" && e.Method == "Release" && e.At > sd.At &&
				trace.IsSpoolers(e.Object) == trace.IsSpoolers(sd.Object) {
				return false, fmt.Sprintf("#%d released %s after #%d %s on %s", e.Seq, e.Object, sd.Seq, sd.Name(), sd.Object),
					map[int]string{sd.Seq: "Shutdown", e.Seq: "released after it"}
			}
		}
	}
	return true, "", nil
}

// SpoolerLogonOK is SP-01's first part: the spooler's IMSProvider::
// SpoolerLogon, with the data Logon returned, succeeds and gives it a store
// and a logon object of its own.
var SpoolerLogonOK = Check{Rule: "SP-01", Want: "every IMSProvider::SpoolerLogon to return S_OK, with a store and a logon object of the spooler's own",
	judge: func(v *view) (bool, string, map[int]string) {
		evs := v.evs
		return everyReturnedOK(evs, "IMSProvider", "SpoolerLogon")
	},
	vacuous: func(v *view) bool { return !hasCall(v.evs, "IMSProvider", "SpoolerLogon") }}

// OwnSupport is SS-04's "leaves the other stores working" for the support
// calls: every call the provider makes on a support while MAPI or a client
// is in a call on one store (its Logon, its store, its logon object) goes
// to that store's support. A provider that keeps one support for all its
// stores registers UIDs, rows and transport logoffs under the wrong store.
var OwnSupport = Check{Rule: "SS-04", Want: "every support call made for a store on that store's support",
	judge: func(v *view) (bool, string, map[int]string) {
		evs := v.evs
		for _, at := range v.support {
			i := int(at)
			e := &evs[i]
			if !isSupportCall(e) || e.OwnThread {
				continue // a call from a thread of the provider's own is made for no store's call
			}
			p, ok := innermost(evs[:i], e)
			if !ok {
				continue
			}
			if want := supportOf(p); want != "" && want != e.Object && !Reopened(want) {
				return false, fmt.Sprintf("#%d %s went to %s, inside #%d %s on %s", e.Seq, e.Name(), e.Object, p.Seq, p.Name(), p.Object),
					map[int]string{p.Seq: "a call for " + want, e.Seq: "on " + e.Object}
			}
		}
		return true, "", nil
	},
	vacuous: func(v *view) bool { return !trace.Contains(v.evs, trace.Call{Object: "support 2"}) }}

// innermost returns the call into the provider that e came from: the
// innermost of the calls in progress when e began. The trace orders calls
// by time, not by goroutine, so where calls overlap that no single thread
// makes (Releases at once from two goroutines: one without the other
// inside it, or a client's call inside the provider's call to MAPI, where
// only MAPI and its spooler call back) which one e came from is not known,
// and none is returned.
func innermost(before []trace.Event, e *trace.Event) (*trace.Event, bool) {
	var prev, last *trace.Event // the last call around e so far, and the last into the provider
	inMAPI := false             // a call of the provider's to MAPI is in progress
	for i := range before {
		p := &before[i]
		if !encloses(p, e) {
			continue
		}
		if prev != nil && !encloses(prev, p) || inMAPI && p.Dir == trace.ToProvider && p.Caller == "client" {
			return nil, false
		}
		prev, inMAPI = p, inMAPI || p.Dir == trace.ToMAPI
		if p.Dir == trace.ToProvider {
			last = p
		}
	}
	return last, last != nil
}

// supportOf names the support that belongs with a call into the provider:
// IMSProvider::Logon's own argument, or the support of the store whose
// store or logon object is called ("store 2" → "support 2"); "" for calls
// that belong to no one store.
func supportOf(p *trace.Event) string {
	if trace.Logon.MatchesAt(p) {
		s, _ := arg(p, 0).(string)
		return s
	}
	for _, prefix := range []string{"store", "logon"} {
		if suffix, ok := strings.CutPrefix(p.Object, prefix); ok && (suffix == "" || suffix[0] == ' ') {
			switch suffix { // the usual names, without a string made for each support call
			case "":
				return "support"
			case " 2":
				return "support 2"
			}
			return "support" + suffix
		}
	}
	return ""
}
