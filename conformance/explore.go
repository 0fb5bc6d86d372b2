package conformance

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// Exploration runs random lifecycles against the provider and checks each
// against a model of what the declared profile requires, operation by
// operation. A failing lifecycle is shrunk to a minimal one and printed with
// its seed, so that Config.Seed replays it.

type opKind int

const (
	opAddRef opKind = iota
	opRelease
	opStoreLogoff
	opOpen
	opGetProps
	opCloseObject
	opConcurrentRelease
	opSessionLogoff
)

// op is one step of a lifecycle.
type op struct {
	kind  opKind
	flags mapi.LogoffFlags // opStoreLogoff
	n     int              // opConcurrentRelease: how many references; object ops: which object
}

func (o op) String() string {
	switch o.kind {
	case opAddRef:
		return "client AddRef"
	case opRelease:
		return "client Release"
	case opStoreLogoff:
		return fmt.Sprintf("client StoreLogoff(%v)", o.flags)
	case opOpen:
		return "client OpenEntry(root folder)"
	case opGetProps:
		return fmt.Sprintf("GetProps on opened object %d", o.n+1)
	case opCloseObject:
		return fmt.Sprintf("Release of opened object %d", o.n+1)
	case opConcurrentRelease:
		return fmt.Sprintf("%d client Releases at once, from %d goroutines", o.n, o.n)
	case opSessionLogoff:
		return "IMAPISession::Logoff"
	}
	return "?"
}

// lifecycle is one generated run: how MAPI answers, and the client's steps.
// After the steps the client releases what it still holds and MAPI shuts
// the provider down, so that every lifecycle ends.
type lifecycle struct {
	seed      uint64
	stltReply mapi.LogoffFlags // 0: MAPI_E_NO_SUPPORT
	bogus     bool             // the support's counts are all 0
	twoStores bool             // a second store stays open throughout
	ops       []op
}

func (lc lifecycle) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "    StoreLogoffTransports answers %s", replyName(lc.stltReply))
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
	b.WriteString("     ∎. the client releases what it holds; IMSProvider::Shutdown; Release\n")
	return b.String()
}

// generate makes the lifecycle of seed. Generation depends on the seed
// alone, so a seed always replays the same lifecycle.
func generate(seed uint64, cfg Config) lifecycle {
	r := rand.New(rand.NewPCG(seed, 0x6d617069636f6e66))
	lc := lifecycle{seed: seed, stltReply: mapi.LogoffComplete}
	switch r.IntN(8) {
	case 0:
		lc.stltReply = 0
	case 1:
		lc.stltReply = mapi.LogoffInbound | mapi.LogoffOutboundQueue
	}
	lc.bogus = r.IntN(6) == 0
	lc.twoStores = cfg.Capabilities.MultipleStores && r.IntN(4) == 0
	refs, objects, ended := 1, 0, false
	invalid := []mapi.LogoffFlags{0, mapi.LogoffOrderly | mapi.LogoffAbort, 0x100, 0x20}
	for range 1 + r.IntN(10) {
		var o op
		switch k := r.IntN(20); {
		case k < 4:
			o = op{kind: opAddRef}
		case k < 8:
			o = op{kind: opRelease}
		case k < 13:
			f := mapi.LogoffInputFlags[r.IntN(len(mapi.LogoffInputFlags))]
			if r.IntN(6) == 0 {
				f = invalid[r.IntN(len(invalid))]
			}
			o = op{kind: opStoreLogoff, flags: f}
		case k < 15 && cfg.Capabilities.Objects:
			o = op{kind: opOpen}
		case k < 17 && objects > 0:
			o = op{kind: opGetProps, n: r.IntN(objects)}
		case k < 18 && objects > 0:
			o = op{kind: opCloseObject, n: r.IntN(objects)}
		case k < 19:
			o = op{kind: opConcurrentRelease, n: 2 + r.IntN(4)}
		default:
			o = op{kind: opSessionLogoff}
		}
		// The client releases only what it holds. Once the store has
		// ended, it only probes it (StoreLogoff, OpenEntry: RL-04) and the
		// objects it still holds (E-03).
		switch {
		case ended && (o.kind == opStoreLogoff || o.kind == opOpen || o.kind == opGetProps || o.kind == opCloseObject):
		case ended:
			continue
		case o.kind == opConcurrentRelease && refs < 2:
			continue
		case o.kind == opConcurrentRelease:
			o.n = min(o.n, refs)
		}
		lc.ops = append(lc.ops, o)
		switch o.kind {
		case opAddRef:
			refs++
		case opRelease:
			refs--
		case opConcurrentRelease:
			refs -= o.n
		case opOpen:
			objects++
		case opSessionLogoff:
			ended = true
		}
		if refs == 0 {
			ended = true
		}
	}
	return lc
}

// The model follows the first store; the second, when there is one, must
// only be left alone.
var (
	stlt1      = trace.Call{Iface: "IMAPISupport", Method: "StoreLogoffTransports", Object: "support"}
	supRel1    = trace.Call{Iface: "IMAPISupport", Method: "Release", Object: "support"}
	supAddRef1 = trace.Call{Iface: "IMAPISupport", Method: "AddRef", Object: "support"}
	logoff1    = trace.Call{Iface: "IMSLogon", Method: "Logoff", Object: "logon"}
)

// violation is a rule the provider broke in a lifecycle.
type violation struct {
	rule string
	what string
	at   int // the step, from 1; 0 for logon, -1 for the end
}

// objState is what the model expects of an object the client holds.
type objState uint8

const (
	objOpen      objState = iota // opened on the live store: answers calls
	objLoggedOff                 // was open at IMSLogon::Logoff: refuses calls (E-03)
	objUnjudged                  // handed out by the ended store (RL-04's business)
)

// model is what the declared profile requires, step by step.
type model struct {
	m           *mapisim.MAPI
	cfg         Config
	refs        int
	requested   bool
	pendingAny  bool // an invalid StoreLogoff was accepted: its flag is unknown
	pending     mapi.LogoffFlags
	flagsSaved  int // deferred: StoreLogoff calls whose valid flag was saved
	stltDone    bool
	ended       bool
	objects     []*mapisim.Object
	objState    []objState // of each of objects
	sessionDone bool
}

// runLifecycle drives lc against a fresh provider and returns the first
// violation, if any, with the trace.
func runLifecycle(ctx context.Context, cfg Config, lc lifecycle) (*violation, *mapisim.MAPI) {
	var w mapisim.Worker
	defer w.Close()
	return runLifecycleOn(ctx, &w, cfg, lc)
}

func runLifecycleOn(ctx context.Context, w *mapisim.Worker, cfg Config, lc lifecycle) (*violation, *mapisim.MAPI) {
	p, err := cfg.NewProvider()
	if err != nil || isNilProvider(p) {
		return &violation{rule: "", what: fmt.Sprintf("Config.NewProvider failed: %v", err)}, nil
	}
	m := mapisim.New(p, mapisim.Options{STLTFlags: lc.stltReply, STLTErr: replyErr(lc.stltReply), BogusCounts: lc.bogus})
	md := &model{m: m, cfg: cfg, refs: 1}
	var v *violation
	fail := func(at int, rule, format string, args ...any) {
		if v != nil {
			return
		}
		// A provider that panicked or returned nil broke no rule by what
		// the model sees next: the fault is the finding.
		if fs := m.Faults(); len(fs) > 0 {
			v = &violation{what: "the provider " + fs[0].Error(), at: at}
			return
		}
		v = &violation{rule: rule, what: fmt.Sprintf(format, args...), at: at}
	}
	err = w.Run(ctx, m, cfg.CallTimeout, func() {
		s, err := m.Logon()
		if err != nil {
			fail(0, "", "IMSProvider::Logon: %v", err)
			return
		}
		if lc.twoStores {
			if _, err := m.Logon(); err != nil {
				fail(0, "", "the second IMSProvider::Logon: %v", err)
				return
			}
		}
		md.checkLogon(m.Trace().Events(), fail)
		for i, o := range lc.ops {
			if v != nil {
				return
			}
			md.step(m, s, i+1, o, fail)
		}
		if v != nil {
			return
		}
		md.finish(m, s, lc, fail)
	})
	if err != nil {
		fail(-1, "", "%v", err)
	}
	for _, f := range m.Faults() {
		fail(-1, "", "the provider %v", f)
	}
	return v, m
}

func isNilProvider(p mapi.IMSProvider) bool { return mapisim.IsNil(p) }

func replyErr(reply mapi.LogoffFlags) error {
	if reply == 0 {
		return mapi.ErrNoSupport
	}
	return nil
}

type failFunc func(at int, rule, format string, args ...any)

// checkLogon judges the first IMSProvider::Logon, in one pass: it runs for
// every lifecycle.
func (md *model) checkLogon(evs []trace.Event, fail failFunc) {
	logon, ok := trace.First(evs, trace.Logon)
	if !ok {
		return
	}
	held, letGo, uids := 0, false, 0
	var badFlags any // the first SetProviderUID flags that are not 0
	for _, e := range evs {
		switch {
		case !logon.Encloses(e):
		case trace.SupportAddRef.Matches(e):
			held++
		case trace.SupportRelease.Matches(e):
			held--
			letGo = letGo || held < 0
		case trace.SetProviderUID.Matches(e):
			uids++
			if e.Arg(1) != mapi.ReservedFlags(0) && badFlags == nil {
				badFlags = e.Arg(1)
			}
		}
	}
	if held < 1 || letGo {
		fail(0, "LG-01", "IMSProvider::Logon returned holding %d reference(s) on the support (want at least 1), or released more than it AddRef'd meanwhile", held)
	}
	if uids == 0 {
		fail(0, "LG-02", "IMSProvider::Logon never called SetProviderUID")
	}
	if badFlags != nil {
		fail(0, "LG-02", "SetProviderUID with flags %v, want 0", badFlags)
	}
}

// supportHeld is the provider's references on the first store's support:
// its AddRefs less its Releases, the one taken at logon included.
func supportHeld(t *trace.Trace) int { return t.Count(supAddRef1) - t.Count(supRel1) }

// since returns the events that began at or after index from.
func since(m *mapisim.MAPI, from int) []trace.Event { return m.Trace().Since(from) }

func (md *model) step(m *mapisim.MAPI, s *mapisim.Store, at int, o op, fail failFunc) {
	from := m.Trace().Len()
	c := s.Client()
	switch o.kind {
	case opAddRef:
		c.AddRef()
		md.refs++
		md.expectQuiet(since(m, from), at, "a client AddRef", fail)
	case opRelease:
		c.Release()
		md.release(since(m, from), at, 1, fail)
	case opConcurrentRelease:
		atOnce(slices.Repeat([]func(){s.Client().Release}, o.n)...)
		md.release(since(m, from), at, o.n, fail)
	case opStoreLogoff:
		out, err := c.StoreLogoff(o.flags)
		md.storeLogoff(since(m, from), at, o.flags, out, err, fail)
	case opOpen:
		obj, err := c.OpenEntry("")
		if md.ended {
			if err != mapi.ErrInvalidObject && md.cfg.Strict {
				fail(at, "RL-04", "OpenEntry on the ended store returned %v, want MAPI_E_INVALID_OBJECT", mapi.ResultOf(err))
			}
		} else if err != nil && !md.requested {
			// After StoreLogoff a store may refuse new work while its
			// clients still hold it; before, it must not.
			fail(at, "", "OpenEntry of the root folder returned %v (Capabilities.Objects)", mapi.ResultOf(err))
		}
		if obj != nil {
			// An object the ended store hands out was never open at
			// IMSLogon::Logoff: what it answers is RL-04's business,
			// judged above, not E-03's.
			st := objOpen
			if md.ended {
				st = objUnjudged
			}
			md.objects, md.objState = append(md.objects, obj), append(md.objState, st)
		}
	case opGetProps:
		if o.n >= len(md.objects) {
			return
		}
		err := md.objects[o.n].GetProps()
		switch {
		case md.objState[o.n] == objLoggedOff && err != mapi.ErrInvalidObject:
			fail(at, "E-03", "GetProps on %s after IMSLogon::Logoff returned %v, want MAPI_E_INVALID_OBJECT", md.objects[o.n].Name(), mapi.ResultOf(err))
		case md.objState[o.n] == objOpen && err != nil:
			fail(at, "", "GetProps on %s, still open, returned %v", md.objects[o.n].Name(), mapi.ResultOf(err))
		}
	case opCloseObject:
		if o.n < len(md.objects) {
			md.objects[o.n].Release()
		}
	case opSessionLogoff:
		m.SessionLogoff(0)
		evs := since(m, from)
		md.end(evs, at, true, fail)
		md.shutdown(evs, at, fail)
		md.refs, md.sessionDone = 0, true
	}
}

// expectQuiet: a step that must not end anything.
func (md *model) expectQuiet(evs []trace.Event, at int, what string, fail failFunc) {
	if n := len(trace.Select(evs, stlt1)); n > 0 && !md.ended {
		fail(at, "RL-02", "%s called StoreLogoffTransports", what)
	}
	if n := len(trace.Select(evs, supRel1)); n > 0 && !md.ended {
		fail(at, "RL-02", "%s released the support while the client still holds %d reference(s)", what, md.refs)
	}
}

func (md *model) release(evs []trace.Event, at, n int, fail failFunc) {
	// A failure in a burst of concurrent Releases is named by the rule it
	// breaks; judge calls it RB-01 only if the same Releases made one
	// after another pass.
	md.refs -= n
	if md.refs > 0 {
		if k := len(trace.Select(evs, stlt1)); k > 0 {
			fail(at, "RL-02", "a Release that left %d reference(s) called StoreLogoffTransports", md.refs)
		}
		if k := len(trace.Select(evs, supRel1)); k > 0 {
			fail(at, "RL-02", "a Release that left %d reference(s) released the support", md.refs)
		}
		return
	}
	md.end(evs, at, false, fail)
}

// end judges the step that ends the store: the one that drops the last
// reference, or on the session path IMSLogon::Logoff, inside which the
// provider forces its shutdown.
func (md *model) end(evs []trace.Event, at int, session bool, fail failFunc) {
	if md.ended {
		return
	}
	md.ended = true
	stlts := trace.Select(evs, stlt1)
	switch {
	case md.stltDone && len(stlts) > 0:
		fail(at, "STLT-01", "the last Release called StoreLogoffTransports again (%s)", describeCalls(stlts))
	case !md.stltDone && len(stlts) == 0 && len(trace.Select(evs, stlt)) > 0:
		fail(at, "SS-04", "the last Release of store called StoreLogoffTransports on %s, another store's support", trace.Select(evs, stlt)[0].Object)
	case !md.stltDone && len(stlts) != 1:
		rule := "STLT-01"
		if !md.requested && len(stlts) == 0 {
			rule = "STLT-04"
		} else if md.cfg.Profile == Deferred && len(stlts) == 0 {
			rule = "STLT-02"
		}
		fail(at, rule, "the last Release called StoreLogoffTransports %s, want once", times(len(stlts)))
	case !md.stltDone:
		want := mapi.LogoffAbort
		if md.requested {
			want = md.pending
		}
		got, _ := stlts[0].Arg(0).(mapi.LogoffFlags)
		switch {
		case md.pendingAny:
		case !md.requested && got != want:
			fail(at, "STLT-04", "the Release-only path called StoreLogoffTransports(%v), want LOGOFF_ABORT", got)
		case got != want && md.flagsSaved == 1:
			fail(at, "STLT-03", "StoreLogoffTransports(%v) at the last Release, want StoreLogoff's flag %v", got, want)
		case got != want:
			fail(at, "STLT-06", "StoreLogoffTransports(%v) at the last Release, want the last StoreLogoff's flag %v", got, want)
		}
	}
	md.stltDone = true
	rels := trace.Select(evs, supRel1)
	if len(rels) == 0 {
		fail(at, "RL-01", "the last Release of the store did not release the support")
		return
	}
	// A provider may AddRef the support again after logon, so long as the
	// last Release brings its references back to none (RL-01); counting
	// Release calls alone would fail it.
	if held := supportHeld(md.m.Trace()); held != 0 {
		fail(at, "RL-01", "after the last Release of the store the provider's references on the support are %+d, want 0", held)
	}
	final := rels[len(rels)-1]
	if len(stlts) > 0 && stlts[0].At > final.At {
		fail(at, "STLT-05", "StoreLogoffTransports (#%d) came after the support's Release (#%d)", stlts[0].Seq, final.Seq)
	}
	logoffs := trace.Select(evs, logoff1)
	if session {
		if len(logoffs) == 0 || !logoffs[0].Encloses(final) {
			fail(at, "RL-01", "on the session path the provider did not release the support inside IMSLogon::Logoff, where it must force its shutdown")
		} else if logoffs[0].Err != nil {
			fail(at, "LG-04", "IMSLogon::Logoff returned %v, want S_OK", mapi.ResultOf(logoffs[0].Err))
		}
	} else if len(logoffs) == 0 || !slices.ContainsFunc(rels, func(r trace.Event) bool { return r.Encloses(logoffs[0]) }) {
		fail(at, "SD-03", "MAPI's teardown (IMSLogon::Logoff) did not run inside the support's Release")
	} else if logoffs[0].Err != nil {
		fail(at, "LG-04", "IMSLogon::Logoff returned %v, want S_OK", mapi.ResultOf(logoffs[0].Err))
	}
	for i, st := range md.objState {
		if st == objOpen {
			md.objState[i] = objLoggedOff
		}
	}
}

func (md *model) storeLogoff(evs []trace.Event, at int, f mapi.LogoffFlags, out mapi.LogoffFlags, err error, fail failFunc) {
	stlts := trace.Select(evs, stlt1)
	if md.ended {
		if !f.IsSingleInput() {
			// An invalid flag word is SL-03's business, alive or not.
			if md.cfg.Strict && err != mapi.ErrInvalidParameter && err != mapi.ErrUnknownFlags && err != mapi.ErrInvalidObject {
				fail(at, "SL-03", "StoreLogoff(%v), an invalid flag word, on the ended store returned %v", f, mapi.ResultOf(err))
			}
			return
		}
		if md.cfg.Strict && err != mapi.ErrInvalidObject {
			fail(at, "RL-04", "StoreLogoff on the ended store returned %v, want MAPI_E_INVALID_OBJECT", mapi.ResultOf(err))
		}
		return
	}
	if len(trace.Select(evs, logoff1)) > 0 {
		fail(at, "SL-04", "StoreLogoff ended the store while the client holds %d reference(s)", md.refs)
	}
	if !f.IsSingleInput() {
		ok := err == mapi.ErrInvalidParameter || err == mapi.ErrUnknownFlags || (err == nil && !md.cfg.Strict)
		if !ok && md.cfg.Strict {
			fail(at, "SL-03", "StoreLogoff(%v), an invalid flag word, returned %v", f, mapi.ResultOf(err))
		}
		if err == nil {
			// Accepted: what it did with the flag is the provider's call,
			// as long as StoreLogoffTransports gets a valid one (STLT-08,
			// judged at the end).
			md.stltDone = md.stltDone || len(stlts) > 0
			if md.cfg.Profile == Deferred {
				md.requested, md.pendingAny = true, true
			}
		}
		return
	}
	if err != nil {
		fail(at, "SL-01", "StoreLogoff(%v) returned %v, want S_OK", f, mapi.ResultOf(err))
	}
	if out&^outputMask(md.cfg.Strict) != 0 {
		fail(at, "SL-02", "StoreLogoff(%v) returned the output flags %v", f, out)
	}
	if md.cfg.Profile == Deferred {
		if len(stlts) > 0 {
			fail(at, "STLT-02", "StoreLogoff called StoreLogoffTransports in the deferred profile")
		}
		md.requested, md.pending, md.pendingAny = true, f, false
		md.flagsSaved++
		return
	}
	switch {
	case md.stltDone && len(stlts) > 0:
		fail(at, "STLT-06", "a second StoreLogoff called StoreLogoffTransports again")
	case !md.stltDone && len(stlts) == 0:
		if other := trace.Select(evs, stlt); len(other) > 0 {
			fail(at, "SS-04", "StoreLogoff(%v) on store called StoreLogoffTransports on %s, another store's support", f, other[0].Object)
			break
		}
		fail(at, "STLT-02", "StoreLogoff(%v) did not call StoreLogoffTransports in the immediate profile", f)
	case !md.stltDone && stlts[0].Arg(0) != f:
		fail(at, "STLT-03", "StoreLogoff(%v) called StoreLogoffTransports(%v)", f, stlts[0].Arg(0))
	}
	md.stltDone = md.stltDone || len(stlts) > 0
	md.requested = true
}

func (md *model) shutdown(evs []trace.Event, at int, fail failFunc) {
	rel := trace.Select(evs, trace.ProviderRelease)
	if len(rel) == 0 {
		return
	}
	for _, e := range trace.Select(evs, anySupportCall) {
		if e.At > rel[0].At {
			fail(at, "SS-03", "#%d %s after the provider's final Release", e.Seq, e.Name())
			return
		}
	}
}

// finish ends the lifecycle: the client releases what it still holds, the
// second store ends, MAPI shuts the provider down; then the whole trace is
// judged once more.
func (md *model) finish(m *mapisim.MAPI, s *mapisim.Store, lc lifecycle, fail failFunc) {
	if lc.twoStores && !md.sessionDone {
		// The first store's end must have left the second alone.
		evs := m.Trace().Events()
		if n := len(trace.Select(evs, trace.Call{Iface: "IMSLogon", Method: "Logoff", Object: "logon 2"})); n > 0 {
			fail(-1, "SS-04", "the second store was torn down while its client still held it")
		}
	}
	for md.refs > 0 {
		from := m.Trace().Len()
		s.Client().Release()
		md.release(since(m, from), -1, 1, fail)
	}
	if !md.sessionDone {
		from := m.Trace().Len()
		m.SessionLogoff(0)
		md.shutdown(since(m, from), -1, fail)
	}
	md.checkEnd(m.Trace().Events(), fail)
}

// checkEnd judges the whole lifecycle in one pass over its trace: one STLT
// for the first store, its support released as often as AddRef'd, never
// called once gone, its MAPIUIDs removed, no status row touched after
// IMSLogon::Logoff.
func (md *model) checkEnd(evs []trace.Event, fail failFunc) {
	stlts, refs, minRefs := 0, 0, 0
	var support supportRefs
	var uids []any
	removed := map[any]bool{}
	loggedOff := false
	for _, e := range evs {
		switch {
		case e.Dir == trace.ToMAPI && e.Iface == "IMAPISupport":
			if support.isGone(e.Object) {
				fail(-1, "RL-03", "#%d %s on %s after the provider released it", e.Seq, e.Name(), e.Object)
			}
			switch e.Method {
			case "StoreLogoffTransports":
				if e.Object == "support" {
					stlts++
				}
				if !singleInputFlag(e) {
					fail(-1, "STLT-08", "#%d StoreLogoffTransports(%v): not one valid input flag", e.Seq, e.Arg(0))
				}
			case "SetProviderUID":
				uids = append(uids, e.Arg(0))
			case "ModifyStatusRow":
				if loggedOff {
					fail(-1, "LG-03", "#%d ModifyStatusRow after IMSLogon::Logoff", e.Seq)
				}
			}
		case e.Iface == "MAPI" && e.Method == "RemoveProviderUIDs":
			for _, a := range e.Args {
				removed[a] = true
			}
		case e.Iface == "IMSLogon" && e.Method == "Logoff":
			loggedOff = true
		}
		support.step(e)
		if e.Object == "support" && (e.Method == "AddRef" || e.Method == "Release") {
			refs = support.held("support")
			minRefs = min(minRefs, refs)
		}
	}
	if stlts != 1 {
		fail(-1, "STLT-01", "StoreLogoffTransports was called %s in the whole lifecycle, want once", times(stlts))
	}
	if refs != 0 || minRefs < 0 {
		fail(-1, "RL-01", "the provider's references on the support do not balance: %d left, lowest %d", refs, minRefs)
	}
	for _, u := range uids {
		if !removed[u] {
			fail(-1, "E-01", "the MAPIUID %v was never removed", u)
		}
	}
}

// judge runs lc and names the rule it breaks. A failure that goes away when
// StoreLogoffTransports answers S_OK with LOGOFF_COMPLETE is the provider
// not tolerating the answer (STLT-07); one that goes away with true counts
// is the provider trusting AddRef's and Release's values (RB-02).
func judge(ctx context.Context, cfg Config, lc lifecycle) (*violation, *mapisim.MAPI) {
	v, m := runLifecycle(ctx, cfg, lc)
	if v == nil || v.rule == "" {
		return v, m
	}
	// Concurrency first: a race that does not recur in another variant
	// must not be blamed on that variant.
	for _, alt := range []struct {
		rule, why string
		differs   bool
		ordinary  func(lifecycle) lifecycle
	}{
		{"RB-01", "concurrent Releases", slices.ContainsFunc(lc.ops, func(o op) bool { return o.kind == opConcurrentRelease }),
			sequentialReleases},
		{"STLT-07", "StoreLogoffTransports answering " + replyName(lc.stltReply), lc.stltReply != mapi.LogoffComplete,
			func(c lifecycle) lifecycle { c.stltReply = mapi.LogoffComplete; return c }},
		{"RB-02", "the support's AddRef and Release returning 0", lc.bogus,
			func(c lifecycle) lifecycle { c.bogus = false; return c }},
	} {
		if !alt.differs {
			continue
		}
		if v2, _ := runLifecycle(ctx, cfg, alt.ordinary(lc)); v2 == nil {
			v.what = fmt.Sprintf("only with %s: %s", alt.why, v.what)
			v.rule = alt.rule
			return v, m
		}
	}
	return v, m
}

// sequentialReleases is lc with each burst of concurrent Releases made one
// Release after another.
func sequentialReleases(lc lifecycle) lifecycle {
	var ops []op
	for _, o := range lc.ops {
		if o.kind != opConcurrentRelease {
			ops = append(ops, o)
			continue
		}
		for range o.n {
			ops = append(ops, op{kind: opRelease})
		}
	}
	lc.ops = ops
	return lc
}

func replyName(reply mapi.LogoffFlags) string {
	if reply == 0 {
		return "MAPI_E_NO_SUPPORT"
	}
	return "S_OK, " + reply.String()
}

// shrink removes steps and simplifies the setting while the lifecycle still
// breaks the same rule, and returns the smallest it found.
func shrink(ctx context.Context, cfg Config, lc lifecycle, rule string) lifecycle {
	fails := func(c lifecycle) bool {
		v, _ := judge(ctx, cfg, c)
		return v != nil && v.rule == rule
	}
	for changed := true; changed; {
		changed = false
		for i := len(lc.ops) - 1; i >= 0; i-- {
			c := lc
			c.ops = slices.Delete(slices.Clone(lc.ops), i, i+1)
			if fails(c) {
				lc, changed = c, true
			}
		}
		for _, simpler := range []func(lifecycle) lifecycle{
			func(c lifecycle) lifecycle { c.bogus = false; return c },
			func(c lifecycle) lifecycle { c.twoStores = false; return c },
			func(c lifecycle) lifecycle { c.stltReply = mapi.LogoffComplete; return c },
		} {
			if c := simpler(lc); fmt.Sprint(c) != fmt.Sprint(lc) && fails(c) {
				lc, changed = c, true
			}
		}
	}
	return lc
}

// explored is the outcome of an exploration.
type explored struct {
	ran     int
	v       *violation
	found   lifecycle // as generated
	minimal lifecycle // after shrinking
	m       *mapisim.MAPI
}

// explore runs n lifecycles from seed on, and stops at the first that
// breaks a rule.
func explore(ctx context.Context, cfg Config, seed uint64, n int) explored {
	var w mapisim.Worker
	defer w.Close()
	for i := range n {
		lc := generate(seed+uint64(i), cfg)
		if v, _ := runLifecycleOn(ctx, &w, cfg, lc); v != nil {
			v, _ = judge(ctx, cfg, lc)
			minimal := lc
			if v.rule != "" {
				minimal = shrink(ctx, cfg, lc, v.rule)
			}
			v2, m := judge(ctx, cfg, minimal)
			if v2 == nil { // a flaky failure: report what was seen
				minimal, v2 = lc, v
				_, m = runLifecycle(ctx, cfg, lc)
			}
			return explored{ran: i + 1, v: v2, found: lc, minimal: minimal, m: m}
		}
	}
	return explored{ran: n}
}

// Explore runs n random lifecycles against the provider, from seed on, and
// returns an error describing the first that breaks a rule, shrunk to a
// minimal lifecycle, or nil. It is the engine of the explore spec.
func Explore(ctx context.Context, cfg Config, seed uint64, n int) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	if ex := explore(ctx, cfg, seed, n); ex.v != nil {
		return &ExploreError{Rule: ex.v.rule, Message: ex.message(true)}
	}
	return nil
}

// ExploreError is a lifecycle that breaks a rule.
type ExploreError struct {
	Rule    string // "" when it is no rule's: a panic, a hang, a nil, an error where none may come
	Message string
}

func (e *ExploreError) Error() string { return e.Message }

// message is the exploration's report; header puts the rule's sentence
// first, where no spec failure does it already.
func (ex explored) message(header bool) string {
	var b strings.Builder
	if header {
		b.WriteString(ruleHeader(ex.v.rule))
	}
	where := "at the end"
	if ex.v.at > 0 {
		where = fmt.Sprintf("at step %d", ex.v.at)
	} else if ex.v.at == 0 {
		where = "at logon"
	}
	fmt.Fprintf(&b, "Lifecycle %d of the exploration (seed %d) breaks it %s: %s.\n", ex.ran, ex.found.seed, where, ex.v.what)
	if len(ex.minimal.ops) < len(ex.found.ops) {
		fmt.Fprintf(&b, "Shrunk from %s to %d:\n%s", plural(len(ex.found.ops), "step"), len(ex.minimal.ops), ex.minimal)
	} else if ex.v.rule == "" {
		fmt.Fprintf(&b, "The lifecycle (not shrunk: the failure is no rule's):\n%s", ex.minimal)
	} else {
		fmt.Fprintf(&b, "The lifecycle, already minimal:\n%s", ex.minimal)
	}
	fmt.Fprintf(&b, "Replay it with Config.Seed = %d and Config.Explore = 1.\n", ex.found.seed)
	if ex.m != nil {
		b.WriteString("\nCall sequence of the minimal lifecycle:\n")
		b.WriteString(trace.Format(ex.m.Trace().Events(), nil))
	}
	return b.String()
}

func ruleHeader(id string) string {
	if r, ok := RuleByID(id); ok {
		return r.String() + "\n\n"
	}
	return ""
}

// exploreSpec is the spec labelled "explore".
func exploreSpec() *spec {
	var ids []string
	for _, r := range Rules {
		if !r.Planned() && !slices.Contains([]string{"SD-01", "SD-02", "SS-01", "E-02", "E-04", "E-05", "LG-05", "RB-02"}, r.ID) {
			ids = append(ids, r.ID)
		}
	}
	return &spec{section: "H", rules: ids, explore: true,
		text: "explore: random lifecycles, each checked step by step against the model of the declared profile",
		body: func(h *H) {
			seed := h.cfg.Seed
			if seed == 0 {
				seed = uint64(time.Now().UnixNano())
			}
			// The exploration proves no rule by passing: the fixed specs
			// do. What it finds, it reports under the rule broken.
			ex := explore(h.ctx, h.cfg, seed, h.cfg.Explore)
			if ex.v == nil {
				return
			}
			if ex.v.rule == "" {
				h.fatal(ex.message(false))
			}
			h.judge(ex.v.rule, []trace.Event(nil), &explorationFailure{msg: ex.message(false)})
		}}
}

// explorationFailure carries an exploration's report as a matcher failure.
type explorationFailure struct{ msg string }

func (e *explorationFailure) Match(any) (bool, error)          { return false, nil }
func (e *explorationFailure) FailureMessage(any) string        { return e.msg }
func (e *explorationFailure) NegatedFailureMessage(any) string { return e.msg }
