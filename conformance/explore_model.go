package conformance

import (
	"fmt"
	"github.com/mapiconf/mapiconf/conformance/internal/judge"
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"slices"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// The model follows the first store; the second, when there is one, must
// only be left alone.
var (
	stlt1      = trace.Call{Iface: "IMAPISupport", Method: "StoreLogoffTransports", Object: "support"}
	supRel1    = trace.Call{Iface: "IMAPISupport", Method: "Release", Object: "support"}
	supAddRef1 = trace.Call{Iface: "IMAPISupport", Method: "AddRef", Object: "support"}
	logoff1    = trace.Call{Iface: "IMSLogon", Method: "Logoff", Object: "logon"}
)

// objState is what the model expects of an object the client opened.
type objState uint8

const (
	objOpen      objState = iota // handed out by the live store: keeps it alive, may end it
	objLoggedOff                 // open when IMSLogon::Logoff ran: refuses calls (E-03)
	objUnjudged                  // handed out by the ended store (RL-04 judged the OpenEntry)
	objReleased                  // the client released it: never called again
)

// ending is whether a step may end the store (SEMANTICS.md §1).
type ending uint8

const (
	endForbidden ending = iota // the clients keep store references: RL-02, SL-04
	endAllowed                 // the store may end here, or later
	endRequired                // the clients hold nothing more: the store must end here
)

// model is what the declared profile requires, step by step.
type model struct {
	m    *mapisim.MAPI
	s    *mapisim.Store
	cfg  Config
	fail failFunc

	refs     int                 // references the client holds on the store
	reopened []*mapisim.Reopened // the stores second Logons returned, which it holds too
	objs     []*mapisim.Object   // by OpenEntry step; nil where it failed
	objState []objState

	requested  bool             // a StoreLogoff returned S_OK
	pending    mapi.LogoffFlags // the flag of the last StoreLogoff that returned S_OK
	pendingAny bool             // that StoreLogoff's flag was no single valid one: what STLT gets is the provider's call
	flagsSaved int              // StoreLogoff calls whose valid flag was taken

	stlts       int  // StoreLogoffTransports calls on the first support so far
	final       int  // Seq of the first of them that logged the store off; 0: none yet
	invalidated bool // one was answered S_OK with LOGOFF_COMPLETE
	busy        bool // the last was an immediate StoreLogoff's, and its logoff did not occur (SL-05)

	ended     bool // MAPI's teardown of the store ran
	endedAt   int  // the step where it ran
	loggedOff bool // IMSLogon::Logoff ran
	session   bool // IMAPISession::Logoff came

	suiteBug string // what the simulated MAPI did wrong, if it did (checkSpooler)

	view []trace.Event // the events a step looks at (events)
}

type failFunc func(at int, rule, format string, args ...any)

// step makes one step of a lifecycle and judges what it brought about.
func (md *model) step(at int, o lifecycle.Step) {
	if md.skip(o) {
		return
	}
	end, what := md.ending(o), md.describe(o)
	from, before := md.m.Trace().Len(), md.stlts
	c := md.s.Client()
	var out mapi.LogoffFlags
	var err error
	wasEnded := md.ended
	switch o.Kind {
	case lifecycle.AddRef:
		c.AddRef()
		md.refs++
	case lifecycle.Release:
		c.Release()
		md.refs--
	case lifecycle.ConcurrentRelease:
		// A failure in a burst of concurrent Releases is named by the rule
		// it breaks; judge calls it RB-01 only if the same Releases made
		// one after another pass.
		atOnce(slices.Repeat([]func(){c.Release}, o.N)...)
		md.refs -= o.N
	case lifecycle.StoreLogoff:
		out, err = c.StoreLogoff(o.Flags)
	case lifecycle.Open:
		var obj *mapisim.Object
		obj, err = c.OpenEntry("")
		md.opened(at, obj, err)
	case lifecycle.GetProps:
		md.getProps(at, o.N)
	case lifecycle.CloseObject:
		md.objs[o.N].Release()
		md.objState[o.N] = objReleased
	case lifecycle.SessionLogoff:
		// MAPI's part only: the client still holds the store and its
		// objects, and releases them itself, later.
		md.m.EndSession(0)
		md.session = true
	case lifecycle.LogonAgain:
		var again *mapisim.Reopened
		if again, err = md.m.LogonAgain(md.s); again != nil {
			md.reopened = append(md.reopened, again)
		}
	case lifecycle.ReleaseAgain:
		last := len(md.reopened) - 1
		md.reopened[last].Release()
		md.reopened = md.reopened[:last]
	}
	evs := md.events(from)
	if o.Kind == lifecycle.StoreLogoff {
		// Judged by what the store was before the call: a store that
		// its own StoreLogoff invalidates must still answer that call.
		md.storeLogoff(evs, at, o.Flags, out, err, before)
		md.reported(evs, at, o.Flags, out, err)
	}
	md.stltCalls(evs, at, o)
	md.end(evs, at, o.Kind, what, end)
	md.goesOn(at, o, wasEnded, err)
	md.again(evs, at, o, wasEnded, err)
}

// skip reports whether the client cannot make step o as generated: the
// OpenEntry it names failed.
func (md *model) skip(o lifecycle.Step) bool {
	switch o.Kind {
	case lifecycle.GetProps, lifecycle.CloseObject:
		return o.N >= len(md.objs) || md.objs[o.N] == nil || md.objState[o.N] == objReleased
	case lifecycle.LogonAgain:
		return md.ended // no longer open: a Logon would be a first one
	case lifecycle.ReleaseAgain:
		return len(md.reopened) == 0
	}
	return false
}

// live is how many objects the client holds on the live store.
func (md *model) live() int {
	n := 0
	for _, st := range md.objState {
		if st == objOpen {
			n++
		}
	}
	return n
}

// ending says whether step o may end the store: the client's last Release
// of the store, the last Release of an object once the client holds no
// store reference, StoreLogoff in the immediate profile when the client
// holds one reference, and IMAPISession::Logoff. The stores second Logons
// returned are references on the store too.
func (md *model) ending(o lifecycle.Step) ending {
	refs := md.refs + len(md.reopened)
	lastRef := func(n int) ending {
		switch {
		case refs-n > 0:
			return endForbidden
		case md.live() == 0:
			return endRequired
		}
		return endAllowed
	}
	switch o.Kind {
	case lifecycle.Release:
		return lastRef(1)
	case lifecycle.ConcurrentRelease:
		return lastRef(o.N)
	case lifecycle.ReleaseAgain:
		return lastRef(1)
	case lifecycle.CloseObject:
		if refs > 0 || md.objState[o.N] != objOpen {
			return endForbidden
		}
		if md.live() == 1 {
			return endRequired
		}
		return endAllowed
	case lifecycle.StoreLogoff:
		if md.cfg.Profile == Immediate && refs == 1 {
			return endAllowed
		}
	case lifecycle.SessionLogoff:
		return endRequired
	}
	return endForbidden
}

// describe names step o for the failure messages, with what the client
// holds when it begins; it is formatted only for a failure.
func (md *model) describe(o lifecycle.Step) stepText {
	t := stepText{o: o, refs: md.refs + len(md.reopened), live: md.live()}
	if o.Kind == lifecycle.CloseObject {
		t.object = md.objs[o.N].Name()
	}
	return t
}

type stepText struct {
	o          lifecycle.Step
	refs, live int
	object     string
}

func (t stepText) String() string {
	held := plural(t.refs, "store reference")
	if t.live > 0 {
		held += " and " + plural(t.live, "open object")
	}
	switch t.o.Kind {
	case lifecycle.Release, lifecycle.ConcurrentRelease, lifecycle.ReleaseAgain:
		return fmt.Sprintf("%v (the client held %s)", t.o, held)
	case lifecycle.CloseObject:
		return fmt.Sprintf("the Release of %s (the client held %s)", t.object, held)
	case lifecycle.SessionLogoff:
		return "IMAPISession::Logoff"
	}
	return fmt.Sprintf("%v (the client holds %s)", t.o, held)
}

// storeLogoff judges StoreLogoff's answer and, in the immediate profile,
// its StoreLogoffTransports call; before is how many the shutdown had made.
func (md *model) storeLogoff(evs []trace.Event, at int, f, out mapi.LogoffFlags, err error, before int) {
	strict := md.cfg.Strict
	switch {
	case md.ended && !f.IsSingleInput():
		// An invalid flag word is SL-03's business, alive or not; the
		// store may look at the flags before it looks at itself.
		if want, ok := judge.InvalidInput(strict, true); strict && !ok(err) {
			md.fail(at, "SL-03", "StoreLogoff(%v), an invalid flag word, on the ended store returned %v, want it %s", f, mapi.ResultOf(err), want)
		}
		return
	case md.ended:
		if strict && err != mapi.ErrInvalidObject {
			md.fail(at, "RL-04", "StoreLogoff(%v) on the ended store returned %v, want MAPI_E_INVALID_OBJECT", f, mapi.ResultOf(err))
		}
		return
	case err == nil && out&^judge.OutputMask(strict) != 0:
		md.fail(at, "SL-02", "StoreLogoff(%v) returned the output flags %v", f, out)
	}
	if md.cfg.Profile == Deferred && trace.Contains(evs, stlt1) {
		md.fail(at, "STLT-02", "StoreLogoff(%v) called StoreLogoffTransports in the deferred profile", f)
	}
	switch {
	case !f.IsSingleInput():
		// LOGOFF_COMPLETE (a client reusing its in/out flags variable) is
		// invalid input too (RULES.md revision 2). Accepted or refused,
		// what the provider did with the flag is its call, as long as
		// StoreLogoffTransports gets one valid flag (STLT-08, judged at
		// the end).
		if want, ok := judge.InvalidInput(strict, md.invalidated); !ok(err) {
			md.fail(at, "SL-03", "StoreLogoff(%v), an invalid flag word, returned %v, want it %s", f, mapi.ResultOf(err), want)
		}
		if err == nil {
			md.requested, md.pendingAny = true, true
		}
		return
	case err != nil:
		// A store invalidated by its own logoff may refuse every call but
		// Release (SEMANTICS.md §4). Refused or not, a valid flag may have
		// been taken: what StoreLogoffTransports gets is not judged.
		if !md.invalidated {
			md.fail(at, "SL-01", "StoreLogoff(%v) returned %v, want S_OK", f, mapi.ResultOf(err))
		}
		md.requested, md.pendingAny = true, true
		return
	}
	md.requested, md.pending, md.pendingAny = true, f, false
	md.flagsSaved++
	if md.cfg.Profile == Deferred || before > 0 || md.invalidated {
		// Deferred: the flag is saved for the store's end. Immediate: once
		// StoreLogoffTransports was called, a second StoreLogoff need not
		// call it (and must not, once it logged off: stltCalls).
		return
	}
	first, ok := trace.First(evs, stlt1)
	other, elsewhere := trace.First(evs, stlt)
	switch {
	case !ok && elsewhere:
		md.fail(at, "SS-04", "StoreLogoff(%v) on store called StoreLogoffTransports on %s, another store's support", f, other.Object)
	case !ok:
		md.fail(at, "STLT-02", "StoreLogoff(%v) did not call StoreLogoffTransports in the immediate profile", f)
	case first.Arg(0) != f:
		md.fail(at, "STLT-03", "StoreLogoff(%v) called StoreLogoffTransports(%v)", f, first.Arg(0))
	}
}

// opened takes what OpenEntry returned. No rule asks the live store to
// open its root folder; the ended store must refuse (RL-04, strict).
func (md *model) opened(at int, obj *mapisim.Object, err error) {
	st := objOpen
	if md.ended {
		st = objUnjudged
		if md.cfg.Strict && err != mapi.ErrInvalidObject {
			md.fail(at, "RL-04", "OpenEntry on the ended store returned %v, want MAPI_E_INVALID_OBJECT", mapi.ResultOf(err))
		}
	}
	if obj == nil {
		st = objReleased
	}
	md.objs, md.objState = append(md.objs, obj), append(md.objState, st)
}

// getProps calls an object the client holds. Only an object that was open
// when IMSLogon::Logoff ran is judged: it must refuse (E-03), with any
// failing HRESULT, or MAPI_E_INVALID_OBJECT when strict (SEMANTICS.md §5).
// What the live store's objects answer, even once the store was
// invalidated by its own logoff, no rule says.
func (md *model) getProps(at, n int) {
	obj := md.objs[n]
	err := obj.GetProps()
	if md.objState[n] != objLoggedOff {
		return
	}
	switch {
	case err == nil:
		md.fail(at, "E-03", "GetProps on %s, open when IMSLogon::Logoff ran at %s, returned S_OK", obj.Name(), stepName(md.endedAt))
	case md.cfg.Strict && err != mapi.ErrInvalidObject:
		md.fail(at, "E-03", "GetProps on %s after IMSLogon::Logoff returned %v, want MAPI_E_INVALID_OBJECT (strict)", obj.Name(), mapi.ResultOf(err))
	}
}
