package reference

import (
	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/mapi"
)

// A Good is a known-good provider: the reference provider with one design
// the pages allow that differs from its own. The kill matrix proves that
// every spec can fail; the known-good providers prove that the suite fails
// no correct design: each must pass every rule, in Check and in a long
// exploration, in both profiles.
type Good struct {
	Name    string
	Doc     string
	Options Options // the reference options it runs with, besides the profile
	// New, if set, makes the provider from the options instead of New.
	New func(Options) mapi.IMSProvider
	// Lenient runs it outside strict mode: its design is one that only the
	// "may" rules' strict reading forbids.
	Lenient bool
	// Awaits, if set, names the false verdict of today's suite that this
	// correct design still gets: TestKnownGood then requires it to fail
	// as said, so the day the suite passes it the field must go.
	Awaits string
}

// Config is the adapter of the known-good provider in profile p: every
// capability declared, and strict unless Lenient, as the reference's own.
func (g Good) Config(p conformance.Profile) conformance.Config {
	opts := g.Options
	opts.Deferred = p == conformance.Deferred
	cfg := Config(opts)
	cfg.Name = g.Name
	cfg.Strict = !g.Lenient
	if g.New != nil {
		cfg.NewProvider = func() (mapi.IMSProvider, error) { return g.New(opts), nil }
	}
	return cfg
}

// KnownGood lists the known-good providers.
func KnownGood() []Good {
	return []Good{
		{Name: "kept-alive-by-objects", New: KeptAlive, Options: Options{StatusRow: true},
			Doc: "the store lives on while a folder, message or status object it handed out is open, and ends at the last Release of any of them (Microsoft's sample store, Kopano)"},
		{Name: "helper-holds-support", Options: Options{StatusRow: true, HelperHoldsSupport: true},
			Doc: "a helper object holds a second reference on the support from logon to the store's end (Kopano's notification client); the references balance"},
		{Name: "ignores-invalid-flags", New: IgnoresInvalidFlags, Options: Options{StatusRow: true}, Lenient: true,
			Doc: "StoreLogoff answers S_OK to an invalid flag word and forgets it, so StoreLogoffTransports gets LOGOFF_ABORT or the last valid flag (the sample store's default flag, without passing the invalid word on)"},
		{Name: "fresh-uids", Options: Options{StatusRow: true, FreshUIDs: true},
			Doc: "every logon registers a MAPIUID of its own from a process-wide counter, as a provider that calls CoCreateGuid does (RULES.md revision 4: a value the provider makes up)"},
		{Name: "pins-support", Options: Options{StatusRow: true, PinsSupport: true},
			Doc: "every SetProviderUID and ModifyStatusRow is guarded by an AddRef of the support before and a Release after, and StoreLogoff updates the status row so, while the client holds the store (revision 4: a balanced AddRef and Release ends nothing)"},
		{Name: "row-per-reference", Options: Options{StatusRow: true, RowPerReference: true},
			Doc: "every Release of the store that does not end it updates the status row, the Release of a second Logon's reference included (revision 4: a status-row update ends nothing)"},
		{Name: "invalidated-by-complete", Options: Options{StatusRow: true, InvalidatedByComplete: true},
			Doc: "once StoreLogoffTransports answered LOGOFF_COMPLETE the store and its objects refuse every call but Release with MAPI_E_INVALID_OBJECT, a later StoreLogoff included (revision 3: \"A later StoreLogoff may then fail\")"},
	}
}
