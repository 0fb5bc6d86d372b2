package reference

// A Scope limits a known-bad provider's flaw to some of its logons, so that
// a rule the suite judges on the first store only, or on the client's
// logon only, shows as a blind spot: RULES.md revision 4 says every rule
// about a logon or a store holds for each of them.
type Scope int

const (
	// Everywhere: the flaw shows in every logon.
	Everywhere Scope = iota
	// SecondStore: only in the logons to a second store of the same
	// provider object, while or after the first is open.
	SecondStore
	// SpoolerOnly: only in the MAPI spooler's logons (SpoolerLogon).
	SpoolerOnly
)

// covers reports whether a logon has the flaw: the spooler's, or a client's
// after stores earlier client logons of the same provider object.
func (s Scope) covers(spooler bool, stores int) bool {
	switch s {
	case SecondStore:
		return !spooler && stores >= 1
	case SpoolerOnly:
		return spooler
	}
	return true
}

func (s Scope) String() string {
	switch s {
	case SecondStore:
		return "second store"
	case SpoolerOnly:
		return "spooler"
	}
	return "everywhere"
}
