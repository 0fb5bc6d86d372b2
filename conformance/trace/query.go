package trace

import (
	"fmt"
	"strings"
)

// Call names a kind of call: an interface and a method, and optionally the
// object called. It selects events from a trace.
type Call struct {
	Iface  string
	Method string
	Object string // "" matches any object
}

// Calls the rules talk about.
var (
	StoreLogoffTransports = Call{Iface: "IMAPISupport", Method: "StoreLogoffTransports"}
	SupportAddRef         = Call{Iface: "IMAPISupport", Method: "AddRef"}
	SupportRelease        = Call{Iface: "IMAPISupport", Method: "Release"}
	SetProviderUID        = Call{Iface: "IMAPISupport", Method: "SetProviderUID"}
	ModifyStatusRow       = Call{Iface: "IMAPISupport", Method: "ModifyStatusRow"}
	StoreLogoff           = Call{Iface: "IMsgStore", Method: "StoreLogoff"}
	StoreAddRef           = Call{Iface: "IMsgStore", Method: "AddRef"}
	StoreRelease          = Call{Iface: "IMsgStore", Method: "Release"}
	Logon                 = Call{Iface: "IMSProvider", Method: "Logon"}
	Shutdown              = Call{Iface: "IMSProvider", Method: "Shutdown"}
	ProviderRelease       = Call{Iface: "IMSProvider", Method: "Release"}
	Logoff                = Call{Iface: "IMSLogon", Method: "Logoff"}
	LogonRelease          = Call{Iface: "IMSLogon", Method: "Release"}
	SessionLogoff         = Call{Iface: "IMAPISession", Method: "Logoff"}

	// MAPI's own teardown steps inside the support's last Release.
	RemoveProviderUIDs = Call{Iface: "MAPI", Method: "RemoveProviderUIDs"}
	RemoveStatusRow    = Call{Iface: "MAPI", Method: "RemoveStatusRow"}
)

// String is the call's name as the documentation writes it.
func (c Call) String() string {
	i, m := c.Iface, c.Method
	if i == "" {
		i = "*"
	}
	if m == "" {
		m = "*"
	}
	s := i + "::" + m
	if c.Object != "" {
		s += " on " + c.Object
	}
	return s
}

// Matches reports whether e is a call of this kind. An empty field matches
// anything: Call{Iface: "IMAPISupport"} is every call on the support,
// Call{Method: "GetProps", Object: "object 1 (root folder)"} every GetProps
// on that object. An empty Object matches every object but the MAPI
// spooler's own logon ("spooler store", "spooler logon", "spooler
// support"): the rules speak of the clients' store, and the spooler's specs
// name the spooler's objects.
func (c Call) Matches(e Event) bool { return c.MatchesAt(&e) }

// MatchesAt is Matches without a copy of the event: the judge asks it of
// every event of every lifecycle.
func (c Call) MatchesAt(e *Event) bool {
	// The method first: it tells most events apart at once.
	return (c.Method == "" || e.Method == c.Method) && (c.Iface == "" || e.Iface == c.Iface) &&
		(c.Object == e.Object || c.Object == "" && !IsSpoolers(e.Object))
}

// IsSpoolers reports whether the object is one of the MAPI spooler's own
// logon: its store, its logon object, its support.
func IsSpoolers(object string) bool { return strings.HasPrefix(object, "spooler ") }

// Select returns the events that match c, in order.
func Select(events []Event, c Call) []Event {
	var out []Event
	for i := range events {
		if c.MatchesAt(&events[i]) {
			out = append(out, events[i])
		}
	}
	return out
}

// Contains reports whether an event matches c.
func Contains(events []Event, c Call) bool {
	for i := range events {
		if c.MatchesAt(&events[i]) {
			return true
		}
	}
	return false
}

// First returns the first event that matches c.
func First(events []Event, c Call) (Event, bool) {
	for i := range events {
		if c.MatchesAt(&events[i]) {
			return events[i], true
		}
	}
	return Event{}, false
}

// Last returns the last event that matches c.
func Last(events []Event, c Call) (Event, bool) {
	for i := len(events) - 1; i >= 0; i-- {
		if c.MatchesAt(&events[i]) {
			return events[i], true
		}
	}
	return Event{}, false
}

// A Selector picks events from a trace: a Call picks every call of its kind;
// TheFirst, TheLast and AllButLast narrow one down.
type Selector interface {
	Select(events []Event) []Event
	String() string
}

// Select returns the events that match c.
func (c Call) Select(events []Event) []Event { return Select(events, c) }

// Any matches every call on an interface, whatever the method.
func Any(iface string) Call { return Call{Iface: iface} }

type pick struct {
	c    Call
	name string
	fn   func([]Event) []Event
}

func (p pick) Select(events []Event) []Event { return p.fn(Select(events, p.c)) }
func (p pick) String() string                { return p.name }

// TheFirst selects the first call of kind c.
func TheFirst(c Call) Selector {
	return pick{c, "the first " + c.String(), func(evs []Event) []Event {
		if len(evs) == 0 {
			return nil
		}
		return evs[:1]
	}}
}

// TheLast selects the last call of kind c.
func TheLast(c Call) Selector {
	return pick{c, "the last " + c.String(), func(evs []Event) []Event {
		if len(evs) == 0 {
			return nil
		}
		return evs[len(evs)-1:]
	}}
}

// AllButLast selects every call of kind c but the last.
func AllButLast(c Call) Selector {
	return pick{c, "every " + c.String() + " but the last", func(evs []Event) []Event {
		if len(evs) == 0 {
			return nil
		}
		return evs[:len(evs)-1]
	}}
}

// Nth selects the n'th call of kind c, counting from 1.
func Nth(c Call, n int) Selector {
	return pick{c, fmt.Sprintf("call %d of %v", n, c), func(evs []Event) []Event {
		if n < 1 || n > len(evs) {
			return nil
		}
		return evs[n-1 : n]
	}}
}

type within struct {
	c     Call
	outer Selector
}

// Within selects the calls of kind c that begin while a call of outer is in
// progress, e.g. the support AddRefs made inside IMSProvider::Logon.
func Within(c Call, outer Selector) Selector { return within{c, outer} }

func (w within) Select(events []Event) []Event {
	outers := w.outer.Select(events)
	var out []Event
	for _, e := range Select(events, w.c) {
		for _, o := range outers {
			if o.Encloses(e) {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

func (w within) String() string { return fmt.Sprintf("%v inside %v", w.c, w.outer) }
