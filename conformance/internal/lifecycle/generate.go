package lifecycle

import (
	"math/rand/v2"
	"slices"

	"github.com/mapiconf/mapiconf/mapi"
)

// Generate makes the random lifecycle of seed. Generation depends on the
// seed alone, so a seed always replays the same lifecycle.
func Generate(seed uint64, caps Caps) Lifecycle {
	r := rand.New(rand.NewPCG(seed, 0x6d617069636f6e66))
	lc := Lifecycle{Seed: seed}
	if k := r.IntN(2 * (len(Answers) - 1)); k < len(Answers)-1 {
		lc.Answer = uint8(1 + k) // half the lifecycles: another answer than LOGOFF_COMPLETE
	}
	lc.Bogus = r.IntN(6) == 0
	lc.TwoStores = caps.MultipleStores && r.IntN(4) == 0
	lc.ObjectsFirst = r.IntN(2) == 0
	c := NewClientOf(lc)
	n := 1 + r.IntN(10)
	lc.Steps = make([]Step, 0, n+1) // a habit makes two steps
	for range n {
		lc.Steps = c.draw(r, caps, lc.Steps)
	}
	return lc
}

// draw appends one random step, or two for a habit, or none when the draw
// does not fit what the client holds.
func (c *Client) draw(r *rand.Rand, caps Caps, steps []Step) []Step {
	store := 0
	if len(c.stores) > 1 && r.IntN(3) == 0 {
		store = 1 // a third of the steps go to the second store, when there is one
	}
	st := &c.stores[store]
	var o Step
	switch k := r.IntN(24); {
	case k < 4:
		o = Step{Kind: AddRef}
	case k < 8:
		o = Step{Kind: Release}
	case k < 13:
		o = Step{Kind: StoreLogoff, Flags: mapi.LogoffInputFlags[r.IntN(len(mapi.LogoffInputFlags))]}
		switch r.IntN(8) {
		case 0:
			o.Flags = InvalidFlags[r.IntN(len(InvalidFlags))]
		case 1:
			o.Flags = mapi.LogoffComplete // a client reusing its in/out flags variable (MFCMAPI)
		}
	case k < 14:
		// An importer's habit: StoreLogoff(LOGOFF_NO_WAIT) and Release
		// straight after.
		rel := Step{Kind: Release, Store: store}
		if !c.Fits(rel, caps) {
			return steps
		}
		c.Take(rel)
		return append(steps, Step{Kind: StoreLogoff, Flags: mapi.LogoffNoWait, Store: store}, rel)
	case k < 16:
		o = Step{Kind: Open}
		// Subobjects and status objects, only where the provider has
		// them: a provider without them draws as before.
		if caps.StatusObject && r.IntN(3) == 0 {
			o = Step{Kind: OpenStatus}
		} else if folders := liveFolders(st); caps.Subobject && len(folders) > 0 && r.IntN(3) > 0 {
			o = Step{Kind: OpenSubobject, N: folders[r.IntN(len(folders))]}
		}
	case k < 19:
		if len(st.live) == 0 {
			return steps
		}
		o = Step{Kind: GetProps, N: st.live[r.IntN(len(st.live))]}
		if k == 18 {
			o.Kind = CloseObject
		}
	case k < 20:
		o = Step{Kind: ConcurrentRelease, N: min(2+r.IntN(4), st.refs)}
	case k < 22:
		o = Step{Kind: SessionLogoff}
	case k < 23:
		o = Step{Kind: LogonAgain}
	default:
		o = Step{Kind: ReleaseAgain}
	}
	if o.Kind != SessionLogoff {
		o.Store = store
	}
	if !c.Fits(o, caps) {
		return steps
	}
	c.Take(o)
	return append(steps, o)
}

// liveFolders are the root folders the client still holds on a store.
func liveFolders(st *held) []int {
	var out []int
	for _, n := range st.live {
		if slices.Contains(st.folders, n) {
			out = append(out, n)
		}
	}
	return out
}
