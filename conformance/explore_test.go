package conformance_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/mapi"
	"github.com/mapiconf/mapiconf/reference"
)

func exploreError(t *testing.T, err error) *conformance.ExploreError {
	t.Helper()
	var ee *conformance.ExploreError
	if !errors.As(err, &ee) {
		t.Fatalf("Explore returned %v, want an *ExploreError", err)
	}
	return ee
}

// A failure that does not recur when its lifecycle runs again is reported
// as seen, flaky, with its seed: the exploration does not crash on it.
func TestExploreReportsAFlakyFailure(t *testing.T) {
	cfg := reference.Config(reference.Options{StatusRow: true})
	bad := knownBad(t, "no-provider-uid").Config(conformance.Immediate)
	var made atomic.Int32
	cfg.NewProvider = func() (mapi.IMSProvider, error) {
		// Each lifecycle makes two provider objects, the client's and the
		// spooler's: the fifth is the third lifecycle's client's.
		if made.Add(1) == 5 {
			return bad.NewProvider()
		}
		return reference.New(reference.Options{StatusRow: true}), nil
	}
	ee := exploreError(t, conformance.Explore(context.Background(), cfg, 100, 10))
	if len(ee.Findings) != 1 {
		t.Fatalf("%d findings, want 1:\n%s", len(ee.Findings), ee.Message)
	}
	f := ee.Findings[0]
	if f.Rule != "LG-02" || !f.Flaky || f.Seed != 102 {
		t.Errorf("found %s (flaky %v, seed %d), want LG-02, flaky, seed 102:\n%s", f.Rule, f.Flaky, f.Seed, f.Message)
	}
	for _, want := range []string{"broke it once", "seed 102", "Config.Seed = 102", "SetProviderUID"} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("the report does not say %q:\n%s", want, f.Message)
		}
	}
}

// uidFlags hands the provider a support whose SetProviderUID passes flags 1
// on to MAPI: a provider that breaks LG-02 at every logon, besides whatever
// else it breaks.
type uidFlags struct{ mapi.IMSProvider }

func (p uidFlags) Logon(sup mapi.IMAPISupport, ui uintptr, profile string, id mapi.EntryID, flags mapi.LogonFlags, iface *mapi.IID) ([]byte, mapi.IMSLogon, mapi.IMsgStore, error) {
	return p.IMSProvider.Logon(badUIDSupport{sup}, ui, profile, id, flags, iface)
}

type badUIDSupport struct{ mapi.IMAPISupport }

func (s badUIDSupport) SetProviderUID(uid mapi.MAPIUID, _ mapi.ReservedFlags) error {
	return s.IMAPISupport.SetProviderUID(uid, 1)
}

// A provider that breaks a rule at logon does not hide the others: every
// rule broken is reported, each with a lifecycle of its own.
func TestExploreReportsEveryRule(t *testing.T) {
	cfg := knownBad(t, "orderly-on-release-only").Config(conformance.Immediate)
	inner := cfg.NewProvider
	cfg.NewProvider = func() (mapi.IMSProvider, error) {
		p, err := inner()
		return uidFlags{p}, err
	}
	ee := exploreError(t, conformance.Explore(context.Background(), cfg, 1, 500))
	rules := ee.Rules()
	for _, want := range []string{"LG-02", "STLT-04"} {
		if !slices.Contains(rules, want) {
			t.Errorf("found %v, not %s:\n%s", rules, want, ee.Message)
		}
	}
	for _, f := range ee.Findings {
		if f.Rule == "" || f.Flaky {
			t.Errorf("a finding of %q, flaky %v, from a provider that breaks rules every time:\n%s", f.Rule, f.Flaky, f.Message)
		}
		if !strings.HasPrefix(f.Message, f.Rule+" ") {
			t.Errorf("the report of %s does not begin with its rule:\n%s", f.Rule, f.Message)
		}
		// LG-02 is broken at logon: its own lifecycle needs no step.
		if f.Rule == "LG-02" && !strings.Contains(f.Message, "to 0:") && !strings.Contains(f.Message, "already minimal") {
			t.Errorf("LG-02's lifecycle is not shrunk to the logon:\n%s", f.Message)
		}
	}
}

// holderCounted counts the references the client holds on the store and
// on each object the store hands out, and panics when one is called after
// the last of them: a client that calls what it released is wrong whatever
// the provider (in COM the memory may be gone).
type holderCounted struct {
	mapi.IMSProvider
	handed *[]*counted // every object handed out
}

func (p holderCounted) Logon(sup mapi.IMAPISupport, ui uintptr, profile string, id mapi.EntryID, flags mapi.LogonFlags, iface *mapi.IID) ([]byte, mapi.IMSLogon, mapi.IMsgStore, error) {
	spool, l, s, err := p.IMSProvider.Logon(sup, ui, profile, id, flags, iface)
	if s != nil {
		cs := &countingStore{IMsgStore: s, handed: p.handed}
		cs.refs.Store(1)
		s = cs
	}
	return spool, l, s, err
}

type countingStore struct {
	mapi.IMsgStore
	refs   atomic.Int32
	handed *[]*counted
}

func (s *countingStore) alive(method string) {
	if s.refs.Load() <= 0 {
		panic(fmt.Sprintf("the client called IMsgStore::%s on a store it had released", method))
	}
}

func (s *countingStore) AddRef() uint32 {
	s.alive("AddRef")
	s.refs.Add(1)
	return s.IMsgStore.AddRef()
}
func (s *countingStore) Release() uint32 {
	s.alive("Release")
	s.refs.Add(-1)
	return s.IMsgStore.Release()
}
func (s *countingStore) StoreLogoff(f mapi.LogoffFlags) (mapi.LogoffFlags, error) {
	s.alive("StoreLogoff")
	return s.IMsgStore.StoreLogoff(f)
}

func (s *countingStore) OpenEntry(id mapi.EntryID) (mapi.IMAPIProp, error) {
	s.alive("OpenEntry")
	obj, err := s.IMsgStore.OpenEntry(id)
	if obj == nil {
		return obj, err
	}
	c := &counted{inner: obj}
	c.refs.Store(1)
	*s.handed = append(*s.handed, c) // one lifecycle at a time: no lock needed
	if f, ok := obj.(mapi.IMAPIContainer); ok {
		return countedFolder{c, f}, err
	}
	return c, err
}

type counted struct {
	inner mapi.IMAPIProp
	refs  atomic.Int32
}

func (c *counted) alive(method string) {
	if c.refs.Load() <= 0 {
		panic(fmt.Sprintf("the client called %s on an object it had released", method))
	}
}

func (c *counted) AddRef() uint32 { c.alive("AddRef"); c.refs.Add(1); return c.inner.AddRef() }
func (c *counted) Release() uint32 {
	c.alive("Release")
	c.refs.Add(-1)
	return c.inner.Release()
}
func (c *counted) GetProps(tags []mapi.PropTag) ([]mapi.PropValue, error) {
	c.alive("GetProps")
	return c.inner.GetProps(tags)
}

type countedFolder struct {
	*counted
	f mapi.IMAPIContainer
}

func (c countedFolder) OpenEntry(id mapi.EntryID) (mapi.IMAPIProp, error) {
	c.alive("OpenEntry")
	return c.f.OpenEntry(id)
}

// The exploration never calls a store or an object after the client
// released it, and releases every object the client still holds at the end.
func TestExploreNeverCallsWhatTheClientReleased(t *testing.T) {
	t.Parallel()
	for _, p := range []conformance.Profile{conformance.Immediate, conformance.Deferred} {
		opts := reference.Options{StatusRow: true, Deferred: p == conformance.Deferred}
		cfg := reference.Config(opts)
		var handed []*counted
		cfg.NewProvider = func() (mapi.IMSProvider, error) { return holderCounted{reference.New(opts), &handed}, nil }
		if err := conformance.Explore(context.Background(), cfg, 1, 2000); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		if len(handed) == 0 {
			t.Fatalf("%s: 2000 lifecycles opened no object", p)
		}
		for i, c := range handed {
			if n := c.refs.Load(); n != 0 {
				t.Errorf("%s: object %d of %d: the client still holds %d reference(s) at the end", p, i+1, len(handed), n)
			}
		}
	}
}

// endsInStoreLogoff is the reference provider whose StoreLogoff, when its
// caller holds the only reference, ends the store at once: it drops that
// reference itself, and the caller's later Release is taken as already
// done. Profile immediate allows it (RULES.md revision 3). A second Logon
// to the open store returns the same store, one reference more.
type endsInStoreLogoff struct {
	mapi.IMSProvider
	open map[mapi.EntryID]*earlyEnd
}

func (p *endsInStoreLogoff) Logon(sup mapi.IMAPISupport, ui uintptr, profile string, id mapi.EntryID, flags mapi.LogonFlags, iface *mapi.IID) ([]byte, mapi.IMSLogon, mapi.IMsgStore, error) {
	spool, l, s, err := p.IMSProvider.Logon(sup, ui, profile, id, flags, iface)
	if e, ok := p.open[id]; ok && s != nil && l == nil {
		e.refs.Add(1) // the reference provider AddRef'd the store it wraps
		return spool, l, e, err
	}
	if s != nil {
		e := &earlyEnd{IMsgStore: s}
		e.refs.Store(1)
		p.open[id] = e
		s = e
	}
	return spool, l, s, err
}

type earlyEnd struct {
	mapi.IMsgStore
	refs  atomic.Int32 // the callers' references
	ended atomic.Bool  // StoreLogoff dropped the last one
}

func (s *earlyEnd) AddRef() uint32 { s.refs.Add(1); return s.IMsgStore.AddRef() }

func (s *earlyEnd) Release() uint32 {
	if s.refs.Add(-1) == 0 && s.ended.Load() {
		return 0 // StoreLogoff let this reference go already
	}
	return s.IMsgStore.Release()
}

func (s *earlyEnd) StoreLogoff(f mapi.LogoffFlags) (mapi.LogoffFlags, error) {
	out, err := s.IMsgStore.StoreLogoff(f)
	// Not when the transports reported activity to LOGOFF_QUIET or
	// LOGOFF_ABORT: then the logoff does not occur (SL-05).
	busy := out&(mapi.LogoffInbound|mapi.LogoffOutbound|mapi.LogoffOutboundQueue) != 0
	if err == nil && !busy && s.refs.Load() == 1 && !s.ended.Swap(true) {
		s.IMsgStore.Release()
	}
	return out, err
}

// A store that ends inside StoreLogoff while its caller holds the only
// reference (unless the logoff did not occur) passes the exploration in the
// immediate profile, and breaks SL-04 in the deferred one.
func TestExploreAllowsTheStoreToEndInStoreLogoff(t *testing.T) {
	t.Parallel()
	if err := conformance.Explore(context.Background(), earlyEndConfig(conformance.Immediate), 1, 2000); err != nil {
		t.Error(err)
	}
	ee := exploreError(t, conformance.Explore(context.Background(), earlyEndConfig(conformance.Deferred), 1, 2000))
	if !slices.Contains(ee.Rules(), "SL-04") {
		t.Errorf("declared deferred, found %v, not SL-04:\n%s", ee.Rules(), ee.Message)
	}
}

func earlyEndConfig(p conformance.Profile) conformance.Config {
	opts := reference.Options{StatusRow: true, Deferred: p == conformance.Deferred}
	cfg := reference.Config(opts)
	cfg.NewProvider = func() (mapi.IMSProvider, error) {
		return &endsInStoreLogoff{reference.New(opts), map[mapi.EntryID]*earlyEnd{}}, nil
	}
	return cfg
}

// retrying is the reference provider with a support that, when the
// provider lets go of it, calls StoreLogoffTransports once more with
// LOGOFF_ABORT if the last call did not log the store off (LOGOFF_QUIET or
// LOGOFF_ABORT answered with activity and no LOGOFF_COMPLETE), or always.
type retrying struct {
	mapi.IMSProvider
	always bool
}

func (p retrying) Logon(sup mapi.IMAPISupport, ui uintptr, profile string, id mapi.EntryID, flags mapi.LogonFlags, iface *mapi.IID) ([]byte, mapi.IMSLogon, mapi.IMsgStore, error) {
	return p.IMSProvider.Logon(&retrySupport{IMAPISupport: sup, always: p.always}, ui, profile, id, flags, iface)
}

type retrySupport struct {
	mapi.IMAPISupport
	always bool
	refs   atomic.Int32
	retry  atomic.Bool // the last StoreLogoffTransports call did not log off
	called atomic.Bool
}

func (s *retrySupport) AddRef() uint32 { s.refs.Add(1); return s.IMAPISupport.AddRef() }

func (s *retrySupport) Release() uint32 {
	if s.refs.Add(-1) == 0 && s.called.Load() && (s.retry.Load() || s.always) {
		s.IMAPISupport.StoreLogoffTransports(mapi.LogoffAbort)
	}
	return s.IMAPISupport.Release()
}

func (s *retrySupport) StoreLogoffTransports(f mapi.LogoffFlags) (mapi.LogoffFlags, error) {
	out, err := s.IMAPISupport.StoreLogoffTransports(f)
	const activity = mapi.LogoffInbound | mapi.LogoffOutbound | mapi.LogoffOutboundQueue
	s.called.Store(true)
	s.retry.Store((f == mapi.LogoffQuiet || f == mapi.LogoffAbort) && err == nil && out&activity != 0 && out&mapi.LogoffComplete == 0)
	return out, err
}

// A logoff that did not occur may be followed by another
// StoreLogoffTransports call; one that occurred may not (STLT-01).
func TestExploreCountsOnlyLogoffsThatOccurred(t *testing.T) {
	t.Parallel()
	for _, p := range []conformance.Profile{conformance.Immediate, conformance.Deferred} {
		for _, always := range []bool{false, true} {
			opts := reference.Options{StatusRow: true, Deferred: p == conformance.Deferred}
			cfg := reference.Config(opts)
			cfg.NewProvider = func() (mapi.IMSProvider, error) { return retrying{reference.New(opts), always}, nil }
			err := conformance.Explore(context.Background(), cfg, 1, 2000)
			if !always {
				if err != nil {
					t.Errorf("%s, retrying after a logoff that did not occur: %v", p, err)
				}
				continue
			}
			if ee := exploreError(t, err); !slices.Contains(ee.Rules(), "STLT-01") {
				t.Errorf("%s, retrying always: found %v, not STLT-01:\n%s", p, ee.Rules(), ee.Message)
			}
		}
	}
}
