package judge

import (
	"strings"

	"github.com/mapiconf/mapiconf/conformance/trace"
)

// Ending is MAPI's teardown, not a call (RULES.md revision 4): a store ends
// at the provider's Release of the support that leaves it no reference,
// and MAPI's teardown runs inside it. A balanced AddRef and Release of the
// support (COM's guard around an outgoing call), a status-row update, or
// any other call that leaves a reference held ends nothing. SL-04, RL-02
// and LG-06 forbid the end; the model judges it by MAPI's teardown of the
// store (Step.TornDown) and Teardown, never by the mere presence of a
// support call.

// Teardown selects MAPI's teardown of the clients' stores: their
// IMSLogon::Logoff (the spooler's own, which STLT's release of the
// spooler's store brings about, is not the client store's end). Inside a
// call that may not end a store, one of these is the store's end.
var Teardown = trace.Call{Iface: "IMSLogon", Method: "Logoff"}

// SupportRefs follows, event by event, the provider's references on each
// support of a trace. A support is gone at the Release that leaves the
// provider none, once its IMSProvider::Logon has returned: inside Logon
// MAPI still holds it (mapisim tears nothing down there). The zero value is
// ready.
type SupportRefs struct {
	// A trace has a support or two: a slice, not maps, and the first
	// ones kept in the value itself, never pointed to from it, so that a
	// SupportRefs made for one pass over a trace stays on the stack.
	buf  [4]supportRef
	n    int          // of buf in use
	more []supportRef // every support, once buf is full
}

type supportRef struct {
	name     string
	held     int
	logonRet int // when the Logon that got the support returned; 0: not yet
	gone     bool
}

// all returns the supports so far.
func (r *SupportRefs) all() []supportRef {
	if r.more != nil {
		return r.more
	}
	return r.buf[:r.n]
}

func (r *SupportRefs) of(name string) *supportRef {
	all := r.all()
	for i := range all {
		if all[i].name == name {
			return &all[i]
		}
	}
	switch {
	case r.more == nil && r.n < len(r.buf):
		r.buf[r.n] = supportRef{name: name}
		r.n++
		return &r.buf[r.n-1]
	case r.more == nil:
		r.more = append(make([]supportRef, 0, 2*len(r.buf)), r.buf[:]...) // a copy: buf is not pointed to
	}
	r.more = append(r.more, supportRef{name: name})
	return &r.more[len(r.more)-1]
}

// Step takes e into account and reports whether it is the Release with
// which its support goes.
func (r *SupportRefs) Step(e *trace.Event) (goes bool) {
	if e.Dir != trace.ToMAPI || e.Iface != "IMAPISupport" {
		// Logon is called by MAPI: never the support's call.
		if (e.Method == "Logon" || e.Method == "SpoolerLogon") && e.Dir == trace.ToProvider && e.Iface == "IMSProvider" {
			if s, ok := arg(e, 0).(string); ok {
				r.of(s).logonRet = e.Ret
			}
		}
		return false
	}
	switch e.Method {
	case "AddRef":
		r.of(e.Object).held++
	case "Release":
		s := r.of(e.Object)
		s.held--
		if s.held <= 0 && !s.gone && s.logonRet != 0 && e.At > s.logonRet {
			s.gone = true
			return true
		}
	}
	return false
}

// StoreOf names the store of a support: "support 2" → "store 2".
func StoreOf(support string) string {
	switch support { // the usual names, without a string made at every call of the checks
	case "support":
		return "store"
	case "support 2":
		return "store 2"
	}
	return "store" + strings.TrimPrefix(support, "support")
}

// LogonOf names the logon object of a support: "support 2" → "logon 2",
// "spooler support" → "spooler logon".
func LogonOf(support string) string {
	switch support { // the usual names, without a string made at every call of the checks
	case "support":
		return "logon"
	case "support 2":
		return "logon 2"
	case "spooler support":
		return "spooler logon"
	}
	if p, ok := strings.CutSuffix(support, "support"); ok {
		return p + "logon"
	}
	return "logon" + strings.TrimPrefix(support, "support")
}

// Reopened reports whether object is the support MAPI passed to a second
// Logon to an open store ("support (again)"): all of what a provider does
// with it is LG-06's, for MAPI tracks no logon with it.
func Reopened(object string) bool { return strings.HasSuffix(object, " (again)") }
