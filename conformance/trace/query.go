package trace

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
	s := c.Iface + "::" + c.Method
	if c.Object != "" {
		s += " on " + c.Object
	}
	return s
}

// Matches reports whether e is a call of this kind.
func (c Call) Matches(e Event) bool {
	return e.Iface == c.Iface && e.Method == c.Method && (c.Object == "" || c.Object == e.Object)
}

// Select returns the events that match c, in order.
func Select(events []Event, c Call) []Event {
	var out []Event
	for _, e := range events {
		if c.Matches(e) {
			out = append(out, e)
		}
	}
	return out
}

// First returns the first event that matches c.
func First(events []Event, c Call) (Event, bool) {
	for _, e := range events {
		if c.Matches(e) {
			return e, true
		}
	}
	return Event{}, false
}

// Last returns the last event that matches c.
func Last(events []Event, c Call) (Event, bool) {
	for i := len(events) - 1; i >= 0; i-- {
		if c.Matches(events[i]) {
			return events[i], true
		}
	}
	return Event{}, false
}
