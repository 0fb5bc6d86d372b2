package lifecycle

import (
	"slices"

	"github.com/mapiconf/mapiconf/mapi"
)

// Caps are the provider's declared capabilities that decide which steps a
// client can make.
type Caps struct {
	Objects             bool // OpenEntry opens the root folder
	Subobject           bool // the root folder opens a subobject (Capabilities.Subobject)
	StatusObject        bool // IMSLogon::OpenStatusEntry opens a status object
	MultipleStores      bool // a second store can be open
	OneStorePerProvider bool // no second Logon to the open store
	Spooler             bool // the MAPI spooler logs on to the store too
}

// Client follows what the client holds while a lifecycle is made or
// enumerated, so that the client only ever calls what it holds: never an
// object or a store it released (in COM that is a use after free, whatever
// the provider). It probes the ended store (RL-04) and dead objects (E-03)
// while it still holds them: after IMAPISession::Logoff, or a StoreLogoff
// that ended the store. It follows each store on its own. Use NewClient.
type Client struct {
	stores  []held
	session bool // IMAPISession::Logoff came
}

// held is what the client holds of one store.
type held struct {
	refs    int   // references on the store
	again   int   // of which from Logons to the open store (LogonAgain)
	live    []int // the objects it holds, by number on this store (Step.Opens)
	folders []int // which of the objects opened are root folders
	opened  int   // objects opened on this store so far
}

// NewClient is the client just after its Logon: one store reference.
func NewClient() Client { return Client{stores: []held{{refs: 1}}} }

// NewClientOf is the client at the start of lc: on two stores with
// TwoStores.
func NewClientOf(lc Lifecycle) Client {
	c := NewClient()
	if lc.TwoStores {
		c.AddStore()
	}
	return c
}

// AddStore logs the client on to one more store: a second Logon that
// opens a store of its own (Lifecycle.TwoStores).
func (c *Client) AddStore() { c.stores = append(c.stores, held{refs: 1}) }

// Clone is a copy that does not share c's state.
func (c Client) Clone() Client {
	c.stores = slices.Clone(c.stores)
	for i := range c.stores {
		c.stores[i].live = slices.Clone(c.stores[i].live)
		c.stores[i].folders = slices.Clone(c.stores[i].folders)
	}
	return c
}

// ended reports whether store st has surely ended: the client holds
// nothing of it, or the session logged off. While the client holds only
// objects the store may live on, kept alive by them.
func (c *Client) ended(st *held) bool { return c.session || st.refs == 0 && len(st.live) == 0 }

// Fits reports whether the client can make step o.
func (c *Client) Fits(o Step, caps Caps) bool {
	if o.Kind == SessionLogoff || o.Kind == ProviderShutdown {
		return o.Store == 0 && !c.session
	}
	if o.Store < 0 || o.Store >= len(c.stores) {
		return false
	}
	// After IMAPISession::Logoff the client still holds what it held: it
	// probes it and releases it, but takes no new reference. While it
	// holds the store a second Logon returned, it keeps a reference of the
	// first logon's: that Release "ends nothing while the first logon
	// lives" (LG-06), which it then must.
	st := &c.stores[o.Store]
	holds := st.refs > 0
	switch o.Kind {
	case AddRef:
		return holds && !c.session
	case Release:
		return holds && (st.again == 0 || st.refs > 1)
	case ConcurrentRelease:
		return o.N >= 2 && st.refs >= o.N && (st.again == 0 || st.refs > o.N)
	case LogonAgain:
		return holds && !c.session && !caps.OneStorePerProvider
	case ReleaseAgain:
		return st.again > 0
	case StoreLogoff, StoreLogoffReused:
		return holds
	case SpoolerStoreLogoff, StoreLogoffAtOnce:
		// The spooler holds a store of its own while the store lives.
		return holds && caps.Spooler && o.Store == 0 && !c.ended(st)
	case Open:
		return holds && caps.Objects
	case OpenSubobject:
		return caps.Subobject && slices.Contains(st.live, o.N) && slices.Contains(st.folders, o.N)
	case OpenStatus:
		// MAPI's call on the logon object, while the store lives.
		return caps.StatusObject && !c.ended(st)
	case GetProps, CloseObject:
		return slices.Contains(st.live, o.N)
	}
	return false
}

// Take follows step o, which fits.
func (c *Client) Take(o Step) {
	if o.Kind == SessionLogoff || o.Kind == ProviderShutdown {
		c.session = true
		return
	}
	st := &c.stores[o.Store]
	switch o.Kind {
	case AddRef:
		st.refs++
	case Release:
		st.refs--
	case ConcurrentRelease:
		st.refs -= o.N
	case Open, OpenSubobject, OpenStatus:
		// An object the ended store hands out anyway is not held: the
		// client leaves it alone (RL-04 or E-03 judged the call).
		if !c.ended(st) {
			st.live = append(st.live, st.opened)
			if o.Kind == Open {
				st.folders = append(st.folders, st.opened)
			}
		}
		st.opened++
	case CloseObject:
		st.live = slices.DeleteFunc(st.live, func(n int) bool { return n == o.N })
	case LogonAgain:
		st.again++
	case ReleaseAgain:
		st.again--
	}
}

// Next lists, in a fixed order, every step the client can make now, each
// with each of its inputs: the enumeration's alphabet at this point. The
// first store's steps come first, then the second's, then
// IMAPISession::Logoff. Concurrent Releases come in bursts of 2 to
// maxBurst references.
func (c *Client) Next(caps Caps, maxBurst int) []Step {
	var all []Step
	for s := range c.stores {
		all = append(all, Step{Kind: AddRef, Store: s}, Step{Kind: Release, Store: s})
		for n := 2; n <= maxBurst; n++ {
			all = append(all, Step{Kind: ConcurrentRelease, N: n, Store: s})
		}
		for _, f := range StoreLogoffInputs() {
			all = append(all, Step{Kind: StoreLogoff, Flags: f, Store: s})
		}
		all = append(all, Step{Kind: Open, Store: s}, Step{Kind: OpenStatus, Store: s})
		for _, n := range c.stores[s].live {
			all = append(all, Step{Kind: GetProps, N: n, Store: s}, Step{Kind: CloseObject, N: n, Store: s}, Step{Kind: OpenSubobject, N: n, Store: s})
		}
		all = append(all, Step{Kind: LogonAgain, Store: s}, Step{Kind: ReleaseAgain, Store: s})
	}
	all = append(all, Step{Kind: SessionLogoff})
	return slices.DeleteFunc(all, func(o Step) bool { return !c.Fits(o, caps) })
}

// StoreLogoffInputs are the flag words a client passes to StoreLogoff:
// each valid input flag, the invalid words, and LOGOFF_COMPLETE (a client
// reusing its in/out flags variable).
func StoreLogoffInputs() []mapi.LogoffFlags {
	return slices.Concat(mapi.LogoffInputFlags, InvalidFlags, []mapi.LogoffFlags{mapi.LogoffComplete})
}

// Possible reports whether the client can make every step of lc: shrinking
// keeps only lifecycles a client could make.
func Possible(lc Lifecycle, caps Caps) bool {
	c := NewClientOf(lc)
	for _, o := range lc.Steps {
		if !c.Fits(o, caps) {
			return false
		}
		c.Take(o)
	}
	return true
}
