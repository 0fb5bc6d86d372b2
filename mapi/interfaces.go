package mapi

// IUnknown is COM's reference counting. The returned counts are informational
// only (Microsoft's IUnknown pages say they need not be accurate); no rule
// judges them.
type IUnknown interface {
	AddRef() uint32
	Release() uint32
}

// IMAPISupport is the support object MAPI hands a provider at logon. In
// mapiconf it is played by the suite; providers only call it.
type IMAPISupport interface {
	IUnknown

	// StoreLogoffTransports asks MAPI to log the store off the transports
	// that use it. flags is one LOGOFF_* input flag; the result holds
	// LOGOFF_* output flags (COM's in/out ULONG*).
	StoreLogoffTransports(flags LogoffFlags) (LogoffFlags, error)

	// SetProviderUID registers a MAPIUID for the provider. flags is reserved
	// and must be zero.
	SetProviderUID(uid MAPIUID, flags ReservedFlags) error

	// ModifyStatusRow adds or, with STATUSROW_UPDATE, updates the provider's
	// row in the session's status table.
	ModifyStatusRow(row StatusRow, flags StatusRowFlags) error
}

// IMAPIProp is an object a store hands out: a folder, a message, a status
// object. GetProps is the one call the suite makes on it, to see whether the
// object is still alive.
type IMAPIProp interface {
	IUnknown
	GetProps(tags []PropTag) ([]PropValue, error)
}

// IMAPIContainer is an object that opens further objects, such as a folder
// opening its messages. The objects it opens are the subobjects of
// IMSLogon::Logoff's page.
type IMAPIContainer interface {
	IMAPIProp
	OpenEntry(id EntryID) (IMAPIProp, error)
}

// IMsgStore is the message store as clients and the MAPI spooler see it.
type IMsgStore interface {
	IUnknown

	// StoreLogoff starts an orderly logoff. flags is one LOGOFF_* input flag;
	// the result holds LOGOFF_* output flags.
	StoreLogoff(flags LogoffFlags) (LogoffFlags, error)

	// OpenEntry opens an object of the store. An empty id opens the root
	// folder, which is an IMAPIContainer.
	OpenEntry(id EntryID) (IMAPIProp, error)
}

// IMSLogon is the logon object, MAPI's side of a store logon.
type IMSLogon interface {
	IUnknown

	// Logoff releases every object the logon handed out. flags is reserved
	// and must be zero.
	Logoff(flags ReservedFlags) error

	// OpenStatusEntry opens the provider's status object.
	OpenStatusEntry() (IMAPIProp, error)
}

// IMSProvider is the provider object that MSProviderInit returns. Its
// methods are those of MAPI's vtable, in its order (IUnknown takes slots 0
// to 2), with MAPI's parameters in Go form: a DLL adapter maps each onto
// its slot one to one.
type IMSProvider interface {
	IUnknown

	// Shutdown (slot 3) is MAPI's last call before it releases the
	// provider. flags is reserved and must be zero.
	Shutdown(flags ReservedFlags) error

	// Logon (slot 4) logs on to the store entryID names. The provider keeps
	// and AddRefs support and returns the logon object and the store,
	// created together, and the data the MAPI spooler will need to log on
	// to the same store (lppbSpoolSecurity; nil when the profile suffices).
	// iface is the interface asked for; nil asks for IMsgStore. A Logon to
	// a store already open in the session returns only the store: a nil
	// logon object, no spooler data (imsprovider-logon.md).
	Logon(support IMAPISupport, uiParam uintptr, profileName string, entryID EntryID, flags LogonFlags, iface *IID) (spoolSecurity []byte, logon IMSLogon, store IMsgStore, err error)

	// SpoolerLogon (slot 5) logs the MAPI spooler on to the store that a
	// Logon opened, with the data that Logon returned; the spooler gets a
	// store and a logon object of its own, created together and freed
	// together.
	SpoolerLogon(support IMAPISupport, uiParam uintptr, profileName string, entryID EntryID, flags LogonFlags, iface *IID, spoolSecurity []byte) (IMSLogon, IMsgStore, error)

	// CompareStoreIDs (slot 6) reports whether two entry identifiers name
	// the same store. flags is reserved and must be zero.
	CompareStoreIDs(a, b EntryID, flags ReservedFlags) (bool, error)
}
