package lifecycle

import (
	"slices"

	"github.com/mapiconf/mapiconf/mapi"
)

// Caps are the provider's declared capabilities that decide which steps a
// client can make.
type Caps struct {
	Objects             bool // OpenEntry opens the root folder
	MultipleStores      bool // a second store can stay open
	OneStorePerProvider bool // no second Logon to the open store
}

// Client follows what the client holds while a lifecycle is made or
// enumerated, so that the client only ever calls what it holds: never an
// object or a store it released (in COM that is a use after free, whatever
// the provider). It probes the ended store (RL-04) and dead objects (E-03)
// while it still holds them: after IMAPISession::Logoff, or a StoreLogoff
// that ended the store. The zero Client holds nothing: use NewClient.
type Client struct {
	refs    int   // references on the store
	again   int   // of which from Logons to the open store (LogonAgain)
	live    []int // the objects it holds, by OpenEntry
	opened  int   // OpenEntry steps so far
	session bool  // IMAPISession::Logoff came
}

// NewClient is the client just after its Logon: one store reference.
func NewClient() Client { return Client{refs: 1} }

// Clone is a copy that does not share c's objects.
func (c Client) Clone() Client { c.live = slices.Clone(c.live); return c }

// ended reports whether the store has surely ended: the client holds
// nothing, or the session logged off. While the client holds only objects
// the store may live on, kept alive by them.
func (c *Client) ended() bool { return c.session || c.refs == 0 && len(c.live) == 0 }

// Fits reports whether the client can make step o.
func (c *Client) Fits(o Step, caps Caps) bool {
	// After IMAPISession::Logoff the client still holds what it held: it
	// probes it and releases it, but takes no new reference. While it
	// holds the store a second Logon returned, it keeps a reference of the
	// first logon's: that Release "ends nothing while the first logon
	// lives" (LG-06), which it then must.
	holds := c.refs > 0
	switch o.Kind {
	case AddRef:
		return holds && !c.session
	case Release:
		return holds && (c.again == 0 || c.refs > 1)
	case ConcurrentRelease:
		return o.N >= 2 && c.refs >= o.N && (c.again == 0 || c.refs > o.N)
	case LogonAgain:
		return holds && !c.session && !caps.OneStorePerProvider
	case ReleaseAgain:
		return c.again > 0
	case StoreLogoff:
		return holds
	case Open:
		return holds && caps.Objects
	case GetProps, CloseObject:
		return slices.Contains(c.live, o.N)
	case SessionLogoff:
		return !c.session
	}
	return false
}

// Take follows step o, which fits.
func (c *Client) Take(o Step) {
	switch o.Kind {
	case AddRef:
		c.refs++
	case Release:
		c.refs--
	case ConcurrentRelease:
		c.refs -= o.N
	case Open:
		// An object the ended store hands out anyway is not held: the
		// client leaves it alone (RL-04 judged the OpenEntry).
		if !c.ended() {
			c.live = append(c.live, c.opened)
		}
		c.opened++
	case CloseObject:
		c.live = slices.DeleteFunc(c.live, func(n int) bool { return n == o.N })
	case SessionLogoff:
		c.session = true
	case LogonAgain:
		c.again++
	case ReleaseAgain:
		c.again--
	}
}

// Next lists, in a fixed order, every step the client can make now, each
// with each of its inputs: the enumeration's alphabet at this point.
// Concurrent Releases come in bursts of 2 to maxBurst references.
func (c *Client) Next(caps Caps, maxBurst int) []Step {
	var all []Step
	all = append(all, Step{Kind: AddRef}, Step{Kind: Release})
	for n := 2; n <= maxBurst; n++ {
		all = append(all, Step{Kind: ConcurrentRelease, N: n})
	}
	for _, f := range StoreLogoffInputs() {
		all = append(all, Step{Kind: StoreLogoff, Flags: f})
	}
	all = append(all, Step{Kind: Open})
	for _, n := range c.live {
		all = append(all, Step{Kind: GetProps, N: n}, Step{Kind: CloseObject, N: n})
	}
	all = append(all, Step{Kind: SessionLogoff}, Step{Kind: LogonAgain}, Step{Kind: ReleaseAgain})
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
	c := NewClient()
	for _, o := range lc.Steps {
		if !c.Fits(o, caps) {
			return false
		}
		c.Take(o)
	}
	return true
}
