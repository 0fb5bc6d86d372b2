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

// IMSProvider is the provider object that MSProviderInit returns.
type IMSProvider interface {
	IUnknown

	// Logon logs on to a store. The provider keeps and AddRefs support and
	// returns the logon object and the store, created together.
	Logon(support IMAPISupport, profileName string, flags LogonFlags) (IMSLogon, IMsgStore, error)

	// Shutdown is MAPI's last call before it releases the provider. flags is
	// reserved and must be zero.
	Shutdown(flags ReservedFlags) error
}
