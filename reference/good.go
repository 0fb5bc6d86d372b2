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
	}
}
