// Package conformance checks a MAPI message store provider against the
// shutdown rules of Microsoft's documentation.
//
// A provider author writes one test file:
//
//	package myprovider_test
//
//	import (
//		"testing"
//
//		_ "github.com/onsi/ginkgo/v2" // so that the Ginkgo CLI sees a suite
//
//		"github.com/mapiconf/mapiconf/conformance"
//		"github.com/mapiconf/mapiconf/mapi"
//		"example.com/myprovider"
//	)
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, conformance.Config{
//			Name:        "myprovider",
//			NewProvider: func() (mapi.IMSProvider, error) { return myprovider.New(), nil },
//			Profile:     conformance.Deferred,
//		})
//	}
//
// Run runs every spec as a Ginkgo spec inside that test and prints a report
// by rule ID. The blank import of Ginkgo is for the Ginkgo CLI, which passes
// its flags (--label-filter, --junit-report, ...) only to packages whose own
// test files import Ginkgo; plain go test does not need it. A repository that already has a Ginkgo suite calls Describe
// instead, at package level. Importing the package registers nothing.
//
// Every spec names the rules it checks as Ginkgo labels: its rule IDs
// ("STLT-04"), its section ("section-B") and its strength ("must", "should",
// "does", "may"), so `go test -ginkgo.label-filter='STLT-04 || must'` runs a
// selection.
package conformance

import (
	"fmt"
	"time"

	"github.com/mapiconf/mapiconf/mapi"
)

// Config describes the provider under test. Only NewProvider is required.
type Config struct {
	// Name names the provider in spec texts and reports. Default "provider".
	Name string

	// NewProvider returns a fresh provider, as MSProviderInit would: one
	// reference, held by the suite, which calls Shutdown and Release on it
	// when a spec ends. It is called once for every spec.
	NewProvider func() (mapi.IMSProvider, error)

	// Profile says when the provider calls StoreLogoffTransports: Immediate
	// (the default) or Deferred.
	Profile Profile

	// Capabilities lists what the provider does beyond what every store
	// must. Specs that need a capability the provider lacks are skipped,
	// with the reason.
	Capabilities Capabilities

	// CallTimeout bounds a call into the provider: a provider that makes no
	// call and returns from none for this long has hung, and the spec fails
	// naming the call in progress. Default 2s.
	CallTimeout time.Duration

	// LateWatch is how long the run's last spec keeps watching for calls
	// a provider makes late, from a timer or a thread of its own, after
	// every other spec ended (RL-03, LG-03, SS-03). The default, 0, waits
	// for nothing more: every call that came before the run's end is
	// judged (the enumeration's and the exploration's lifecycles are each
	// watched for at least 50ms), and one later than that is seen by no
	// run. A provider whose timers
	// fire a second after its store ended needs LateWatch above a second
	// to be caught on every run.
	LateWatch time.Duration

	// Explore is how many random lifecycles the explore spec runs (default
	// 50); a negative number turns the exploration off.
	Explore int

	// Seed is the first random lifecycle's seed; 0 is DefaultSeed, so
	// that a run says the same of a provider every time. A failing
	// exploration prints the seed that replays it.
	Seed uint64

	// Depth is the size up to which the enumerate spec judges every
	// lifecycle, in a fixed order: its steps plus its settings that are
	// not the ordinary ones (default DefaultDepth); a negative number
	// turns the enumeration off. Tests that check many providers may
	// lower it; a gate keeps the default.
	Depth int

	// Strict turns the "may" rules (SL-03, RL-04) from reports into
	// failures, makes SL-03 accept only MAPI_E_INVALID_PARAMETER and
	// MAPI_E_UNKNOWN_FLAGS for invalid flags, and makes SL-02 follow the
	// StoreLogoff page exactly: no LOGOFF_COMPLETE from StoreLogoff.
	Strict bool
}

// Profile says when a provider calls IMAPISupport::StoreLogoffTransports.
// Microsoft's pages disagree, so the suite accepts either; every other rule
// holds in both.
type Profile string

const (
	// Immediate: StoreLogoff calls StoreLogoffTransports at once, with the
	// caller's flag ("Shutting Down a Message Store Provider").
	Immediate Profile = "immediate"
	// Deferred: StoreLogoff saves its flag and StoreLogoffTransports is
	// called at the store's last Release (IMsgStore::StoreLogoff, notes to
	// implementers; Microsoft's sample message store).
	Deferred Profile = "deferred"
)

// Capabilities are what a provider does beyond the rules' minimum.
type Capabilities struct {
	// StatusRow: the provider adds a status-table row at logon
	// (IMAPISupport::ModifyStatusRow). Needed by E-02 and LG-03.
	StatusRow bool

	// Objects: IMsgStore::OpenEntry with an empty entry ID opens the root
	// folder, an IMAPIContainer. Needed by the E-03 specs on open objects.
	Objects bool

	// Subobject, if not empty, is an entry ID the root folder opens: a
	// subobject for E-03. Needs Objects.
	Subobject mapi.EntryID

	// StatusObject: IMSLogon::OpenStatusEntry opens a status object.
	StatusObject bool

	// MultipleStores: one provider object logs on to several stores at
	// once. Needed by SS-03 and SS-04.
	MultipleStores bool

	// Spooler: the provider serves the MAPI spooler
	// (IMSProvider::SpoolerLogon). MAPI logs the spooler on to each store
	// after the client's Logon; it does so anyway when Logon returns
	// spooler data. Needed by SP-01 and SP-02.
	Spooler bool

	// OneStorePerProvider: the provider object serves one store logon
	// only, so a second Logon to the same store cannot be asked of it.
	// LG-06 is skipped.
	OneStorePerProvider bool
}

// withDefaults fills in the defaults and checks what cannot be defaulted.
func (c Config) withDefaults() (Config, error) {
	if c.NewProvider == nil {
		return c, fmt.Errorf("conformance: Config.NewProvider is nil")
	}
	if c.Name == "" {
		c.Name = "provider"
	}
	switch c.Profile {
	case "":
		c.Profile = Immediate
	case Immediate, Deferred:
	default:
		return c, fmt.Errorf("conformance: Config.Profile is %q, want %q or %q", c.Profile, Immediate, Deferred)
	}
	if c.CallTimeout <= 0 {
		c.CallTimeout = 2 * time.Second
	}
	if c.Explore == 0 {
		c.Explore = 50
	}
	if c.Seed == 0 {
		c.Seed = DefaultSeed
	}
	if c.Depth == 0 {
		c.Depth = DefaultDepth
	}
	if c.Capabilities.Subobject != "" && !c.Capabilities.Objects {
		return c, fmt.Errorf("conformance: Capabilities.Subobject needs Capabilities.Objects")
	}
	return c, nil
}
