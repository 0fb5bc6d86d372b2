package conformance

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/mapiconf/mapiconf/mapi"
)

// A lifecycle is one generated run of the exploration: how MAPI answers,
// and the client's steps. After the steps the client releases what it
// still holds and MAPI shuts the provider down, so that every lifecycle
// ends.
type lifecycle struct {
	seed         uint64
	answer       uint8 // index in stltAnswers
	bogus        bool  // the support's counts are all 0
	twoStores    bool  // a second store stays open throughout
	objectsFirst bool  // at the end the client releases its objects before its store references
	ops          []op
}

// stltAnswers are what the simulated MAPI may answer StoreLogoffTransports:
// S_OK with each output flag whatever the call, MAPI_E_NO_SUPPORT and
// another error, or as the page describes with transport activity
// (mapisim.Options.Activity: the activity to LOGOFF_QUIET and LOGOFF_ABORT,
// and the logoff does not occur). The first is the ordinary answer that
// shrinking falls back to.
var stltAnswers = []struct {
	flags    mapi.LogoffFlags
	err      error
	activity mapi.LogoffFlags
}{
	{flags: mapi.LogoffComplete},
	{flags: mapi.LogoffInbound},
	{flags: mapi.LogoffOutbound},
	{flags: mapi.LogoffOutboundQueue},
	{flags: mapi.LogoffInbound | mapi.LogoffOutboundQueue},
	{err: mapi.ErrNoSupport},
	{err: mapi.ErrCallFailed},
	{activity: mapi.LogoffInbound},
	{activity: mapi.LogoffOutbound | mapi.LogoffOutboundQueue},
}

func answerName(i uint8) string {
	a := stltAnswers[i]
	if a.activity != 0 {
		return fmt.Sprintf("as the page describes, with transport activity %v: that activity to LOGOFF_QUIET and LOGOFF_ABORT (the logoff does not occur), LOGOFF_COMPLETE to the other flags", a.activity)
	}
	if a.err != nil {
		return mapi.ResultOf(a.err)
	}
	return "S_OK, " + a.flags.String()
}

type opKind uint8

const (
	opAddRef opKind = iota
	opRelease
	opConcurrentRelease
	opStoreLogoff
	opOpen
	opGetProps
	opCloseObject
	opSessionLogoff
	opLogonAgain   // a second Logon to the open store (LG-06)
	opReleaseAgain // the Release of the store that Logon returned
)

// op is one step of a lifecycle.
type op struct {
	kind  opKind
	flags mapi.LogoffFlags // opStoreLogoff
	n     int              // opConcurrentRelease: how many references; object steps: which OpenEntry, from 0
}

func (o op) String() string {
	switch o.kind {
	case opAddRef:
		return "client AddRef"
	case opRelease:
		return "client Release"
	case opConcurrentRelease:
		return fmt.Sprintf("%d client Releases at once, from %d goroutines", o.n, o.n)
	case opStoreLogoff:
		if o.flags == mapi.LogoffComplete {
			return "client StoreLogoff(LOGOFF_COMPLETE), reusing its in/out flags variable"
		}
		return fmt.Sprintf("client StoreLogoff(%v)", o.flags)
	case opOpen:
		return "client OpenEntry(root folder)"
	case opGetProps:
		return fmt.Sprintf("GetProps on the object of OpenEntry %d", o.n+1)
	case opCloseObject:
		return fmt.Sprintf("Release of the object of OpenEntry %d", o.n+1)
	case opSessionLogoff:
		return "IMAPISession::Logoff"
	case opLogonAgain:
		return "IMSProvider::Logon again, to the store already open"
	case opReleaseAgain:
		return "client Release of the store the second Logon returned"
	}
	return "?"
}

func (lc lifecycle) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "    StoreLogoffTransports answers %s", answerName(lc.answer))
	if lc.bogus {
		b.WriteString("; the support's AddRef and Release return 0")
	}
	if lc.twoStores {
		b.WriteString("; a second store stays open")
	}
	b.WriteString("\n     0. IMSProvider::Logon\n")
	for i, o := range lc.ops {
		fmt.Fprintf(&b, "    %2d. %v\n", i+1, o)
	}
	held := "its store references, then its objects"
	if lc.objectsFirst {
		held = "its objects, then its store references"
	}
	fmt.Fprintf(&b, "     ∎. the client releases what it holds (%s); IMAPISession::Logoff if none came\n", held)
	return b.String()
}

// invalidFlags are StoreLogoff flag words that are no single valid input:
// none, two flags, unknown bits.
var invalidFlags = []mapi.LogoffFlags{0, mapi.LogoffOrderly | mapi.LogoffAbort, 0x100, 0x20}

// generate makes the lifecycle of seed. Generation depends on the seed
// alone, so a seed always replays the same lifecycle.
func generate(seed uint64, cfg Config) lifecycle {
	r := rand.New(rand.NewPCG(seed, 0x6d617069636f6e66))
	lc := lifecycle{seed: seed}
	if k := r.IntN(2 * (len(stltAnswers) - 1)); k < len(stltAnswers)-1 {
		lc.answer = uint8(1 + k) // half the lifecycles: another answer than LOGOFF_COMPLETE
	}
	lc.bogus = r.IntN(6) == 0
	lc.twoStores = cfg.Capabilities.MultipleStores && r.IntN(4) == 0
	lc.objectsFirst = r.IntN(2) == 0
	g := generator{refs: 1}
	n := 1 + r.IntN(10)
	lc.ops = make([]op, 0, n+1) // a habit makes two steps
	for range n {
		lc.ops = g.next(r, cfg, lc.ops)
	}
	return lc
}

// generator follows what the client holds while a lifecycle is made, so
// that the client only ever calls what it holds: never an object or a store
// it released (in COM that is a use after free, whatever the provider). It
// probes the ended store (RL-04) and dead objects (E-03) while it still
// holds them: after IMAPISession::Logoff, or a StoreLogoff that ended the
// store.
type generator struct {
	refs    int   // references on the store
	again   int   // of which from Logons to the open store (opLogonAgain)
	live    []int // the objects it holds, by OpenEntry
	opened  int   // OpenEntry steps so far
	session bool  // IMAPISession::Logoff came
}

// ended reports whether the store has surely ended: the client holds
// nothing, or the session logged off. While the client holds only objects
// the store may live on, kept alive by them.
func (g *generator) ended() bool { return g.session || g.refs == 0 && len(g.live) == 0 }

// next appends one step, or two for a habit, or none when the draw does not
// fit what the client holds.
func (g *generator) next(r *rand.Rand, cfg Config, ops []op) []op {
	var o op
	switch k := r.IntN(24); {
	case k < 4:
		o = op{kind: opAddRef}
	case k < 8:
		o = op{kind: opRelease}
	case k < 13:
		o = op{kind: opStoreLogoff, flags: mapi.LogoffInputFlags[r.IntN(len(mapi.LogoffInputFlags))]}
		switch r.IntN(8) {
		case 0:
			o.flags = invalidFlags[r.IntN(len(invalidFlags))]
		case 1:
			o.flags = mapi.LogoffComplete // a client reusing its in/out flags variable (MFCMAPI)
		}
	case k < 14:
		// An importer's habit: StoreLogoff(LOGOFF_NO_WAIT) and Release
		// straight after.
		if !g.fits(op{kind: opRelease}, cfg) {
			return ops
		}
		g.take(op{kind: opRelease})
		return append(ops, op{kind: opStoreLogoff, flags: mapi.LogoffNoWait}, op{kind: opRelease})
	case k < 16:
		o = op{kind: opOpen}
	case k < 19:
		if len(g.live) == 0 {
			return ops
		}
		o = op{kind: opGetProps, n: g.live[r.IntN(len(g.live))]}
		if k == 18 {
			o.kind = opCloseObject
		}
	case k < 20:
		o = op{kind: opConcurrentRelease, n: min(2+r.IntN(4), g.refs)}
	case k < 22:
		o = op{kind: opSessionLogoff}
	case k < 23:
		o = op{kind: opLogonAgain}
	default:
		o = op{kind: opReleaseAgain}
	}
	if !g.fits(o, cfg) {
		return ops
	}
	g.take(o)
	return append(ops, o)
}

// fits reports whether the client can make step o.
func (g *generator) fits(o op, cfg Config) bool {
	// After IMAPISession::Logoff the client still holds what it held: it
	// probes it and releases it, but takes no new reference. While it
	// holds the store a second Logon returned, it keeps a reference of the
	// first logon's: that Release "ends nothing while the first logon
	// lives" (LG-06), which it then must.
	holds := g.refs > 0
	switch o.kind {
	case opAddRef:
		return holds && !g.session
	case opRelease:
		return holds && (g.again == 0 || g.refs > 1)
	case opConcurrentRelease:
		return o.n >= 2 && g.refs >= o.n && (g.again == 0 || g.refs > o.n)
	case opLogonAgain:
		return holds && !g.session && !cfg.Capabilities.OneStorePerProvider
	case opReleaseAgain:
		return g.again > 0
	case opStoreLogoff:
		return holds
	case opOpen:
		return holds && cfg.Capabilities.Objects
	case opGetProps, opCloseObject:
		return slices.Contains(g.live, o.n)
	case opSessionLogoff:
		return !g.session
	}
	return false
}

// take follows step o.
func (g *generator) take(o op) {
	switch o.kind {
	case opAddRef:
		g.refs++
	case opRelease:
		g.refs--
	case opConcurrentRelease:
		g.refs -= o.n
	case opOpen:
		// An object the ended store hands out anyway is not held: the
		// client leaves it alone (RL-04 judged the OpenEntry).
		if !g.ended() {
			g.live = append(g.live, g.opened)
		}
		g.opened++
	case opCloseObject:
		g.live = slices.DeleteFunc(g.live, func(n int) bool { return n == o.n })
	case opSessionLogoff:
		g.session = true
	case opLogonAgain:
		g.again++
	case opReleaseAgain:
		g.again--
	}
}

// possible reports whether the client can make every step of lc: shrinking
// keeps only lifecycles a client could make.
func possible(lc lifecycle, cfg Config) bool {
	g := generator{refs: 1}
	for _, o := range lc.ops {
		if !g.fits(o, cfg) {
			return false
		}
		g.take(o)
	}
	return true
}
