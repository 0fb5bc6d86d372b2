package judge

import (
	"fmt"

	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// The model judges a lifecycle step by step: what the declared profile
// requires of each step, given what the client holds and what happened
// before, on each store the lifecycle opens (RULES.md revision 4: "every
// store of a provider"). The driver makes the steps (package drive) and
// tells the model what each returned; the model never calls the provider.
// The first store's calls, for the spooler's logon of it (spooler.go):
var (
	stlt    = trace.StoreLogoffTransports
	stlt1   = trace.Call{Iface: "IMAPISupport", Method: "StoreLogoffTransports", Object: "support"}
	supRel1 = trace.Call{Iface: "IMAPISupport", Method: "Release", Object: "support"}
	logoff1 = trace.Call{Iface: "IMSLogon", Method: "Logoff", Object: "logon"}
)

// Reset readies md for a lifecycle on t with the given number of stores
// (1, or 2 with Lifecycle.TwoStores), keeping its buffers: an exploration
// judges thousands of lifecycles one after another.
func (md *Model) Reset(t *trace.Trace, set Setting, fail Fail, stores int) {
	old := md.stores
	*md = Model{t: t, set: set, fail: fail, view: md.view[:0], ends: view{support: md.ends.support[:0], logons: md.ends.logons[:0]}, stores: old[:0]}
	for i := range stores {
		var objs []string
		var states []objState
		if i < len(old) {
			objs, states = old[i].objs, old[i].objState
		}
		md.stores = append(md.stores, newStore(i, objs, states))
	}
	md.cur = &md.stores[0]
}

// Answering tells the model how MAPI answers StoreLogoffTransports in the
// lifecycle about to be judged.
func (md *Model) Answering(a lifecycle.Answer) { md.activity = a.Activity }

// events copies the trace's events from index i on into the model's
// buffer: every step reads what it added, and the buffer is reused.
func (md *Model) events(i int) []trace.Event {
	md.view = md.t.AppendSince(md.view[:0], i)
	return md.view
}

// Step is what the driver reports of a step it made: what the call
// returned, and, for OpenEntry, the object's name ("" when it failed).
type Step struct {
	Out    mapi.LogoffFlags // StoreLogoff's output flags
	Err    error            // the step's call's result
	Object string           // OpenEntry: the object's name, "" for none
	// TornDown: MAPI's teardown of each store (by index) has run, as of
	// the step's end (the simulated MAPI knows; a recorded trace shows it
	// as MAPI::RemoveProviderUIDs of the store's support).
	TornDown [2]bool
}

// Pending is what the model knew of a step before it was made: whether it
// may end its store, and its words for the failures.
type Pending struct {
	end    ending
	what   stepText
	from   int // the trace's length when the step began
	before int // StoreLogoffTransports calls on its store before it
	ended  bool
}

// Begin is called just before the driver makes step o; skip says the
// client cannot make it as generated (the OpenEntry it names failed, the
// store it would log on to again has ended): the driver then leaves it out.
func (md *Model) Begin(o lifecycle.Step) (p Pending, skip bool) {
	if o.Store >= len(md.stores) {
		return p, true
	}
	md.cur = &md.stores[o.Store]
	if md.skip(o) {
		return p, true
	}
	what := md.describe(o)
	return Pending{end: md.ending(plain(o)), what: what, from: md.t.Len(), before: md.cur.stlts, ended: md.cur.ended}, false
}

// plain is step o as the model follows it: a StoreLogoff whoever calls it,
// and MAPI's shutdown of the provider as IMAPISession::Logoff's (both end
// every store the client still holds).
func plain(o lifecycle.Step) lifecycle.Step {
	switch {
	case o.IsStoreLogoff():
		o.Kind = lifecycle.StoreLogoff
	case o.Kind == lifecycle.ProviderShutdown:
		o.Kind = lifecycle.SessionLogoff
	}
	return o
}

// Made judges step o, made at position at (from 1; -1 at the end), with
// what the driver saw.
func (md *Model) Made(at int, o lifecycle.Step, p Pending, r Step) {
	o = plain(o)
	if o.Kind == lifecycle.SessionLogoff {
		md.sessionLogoff(at, p, r)
		return
	}
	md.cur = &md.stores[o.Store]
	switch o.Kind {
	case lifecycle.AddRef:
		md.cur.refs++
	case lifecycle.Release, lifecycle.ConcurrentRelease:
		// A failure in a burst of concurrent Releases is named by the rule
		// it breaks; the exploration calls it RB-01 only if the same
		// Releases made one after another pass.
		md.cur.refs -= max(o.N, 1)
	case lifecycle.Open:
		md.opened(at, r.Object, r.Err, true)
	case lifecycle.OpenStatus:
		md.opened(at, r.Object, r.Err, false)
	case lifecycle.OpenSubobject:
		md.openedFrom(at, o.N, r.Object, r.Err)
	case lifecycle.GetProps:
		md.getProps(at, o.N, r.Err)
	case lifecycle.CloseObject:
		md.cur.objState[o.N] = objReleased
	case lifecycle.LogonAgain:
		if r.Object != "" {
			md.cur.reopened++
		}
	case lifecycle.ReleaseAgain:
		md.cur.reopened--
	}
	evs := md.events(p.from)
	if o.Kind == lifecycle.StoreLogoff {
		// Judged by what the store was before the call: a store that
		// its own StoreLogoff invalidates must still answer that call.
		md.storeLogoff(evs, at, o.Flags, r.Out, r.Err, p.before)
		md.reported(evs, at, o.Flags, r.Out, r.Err)
	}
	md.stltCalls(evs, at, o)
	md.end(evs, at, o.Kind, p.what, p.end, r.TornDown[o.Store])
	md.goesOn(at, o, p.ended, r.Err)
	if o.Kind == lifecycle.StoreLogoff && md.cur.busy && !md.cur.invalidated && !p.ended && md.cur.ended {
		md.fail(at, "SL-05", "%s ended the store, though its StoreLogoffTransports call reported transport activity: the logoff does not occur, and the store goes on working", p.what)
	}
	md.again(evs, at, o, p.ended, r.Err)
	md.othersLeftAlone(at, o, p.what, r)
}

// sessionLogoff judges IMAPISession::Logoff: it ends every store the client
// still holds (at the end of a lifecycle, the suite's own cleanup, only
// those the client still held: the others' ends were judged at their
// steps).
func (md *Model) sessionLogoff(at int, p Pending, r Step) {
	md.session = true
	evs := md.events(p.from)
	for i := range md.stores {
		md.cur = &md.stores[i]
		if md.cur.ended || at < 0 && md.cur.refs+md.cur.reopened == 0 && md.live() == 0 {
			continue
		}
		o := lifecycle.Step{Kind: lifecycle.SessionLogoff}
		md.stltCalls(evs, at, o)
		md.end(evs, at, o.Kind, stepText{o: o}, endRequired, r.TornDown[i])
	}
	md.cur = &md.stores[0]
}

// othersLeftAlone is SS-04: a step on one store ends no other store
// ("StoreLogoff shuts down one particular message store provider").
func (md *Model) othersLeftAlone(at int, o lifecycle.Step, what stepText, r Step) {
	for i := range md.stores {
		other := &md.stores[i]
		if i == o.Store || other.ended || !r.TornDown[i] {
			continue
		}
		other.ended, other.endedAt = true, at
		if !md.session { // after IMAPISession::Logoff MAPI ended every store
			md.fail(at, "SS-04", "%s ended store %d too, which its client still held", what, i+1)
		}
	}
}

// skip reports whether the client cannot make step o as generated: the
// OpenEntry it names failed.
func (md *Model) skip(o lifecycle.Step) bool {
	switch o.Kind {
	case lifecycle.GetProps, lifecycle.CloseObject, lifecycle.OpenSubobject:
		return o.N >= len(md.cur.objState) || md.cur.objState[o.N] == objReleased
	case lifecycle.LogonAgain:
		return md.cur.ended // no longer open: a Logon would be a first one
	case lifecycle.OpenStatus:
		return md.cur.ended // MAPI released the logon object: it calls it no more
	case lifecycle.ReleaseAgain:
		return md.cur.reopened == 0
	}
	return false
}

// live is how many objects the client holds on the live store.
func (md *Model) live() int {
	n := 0
	for _, st := range md.cur.objState {
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
func (md *Model) ending(o lifecycle.Step) ending {
	refs := md.cur.refs + md.cur.reopened
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
		if refs > 0 || md.cur.objState[o.N] != objOpen {
			return endForbidden
		}
		if md.live() == 1 {
			return endRequired
		}
		return endAllowed
	case lifecycle.StoreLogoff:
		if !md.set.Deferred && refs == 1 {
			return endAllowed
		}
	case lifecycle.SessionLogoff:
		return endRequired
	}
	return endForbidden
}

// describe names step o for the failure messages, with what the client
// holds when it begins; it is formatted only for a failure.
func (md *Model) describe(o lifecycle.Step) stepText {
	t := stepText{o: o, refs: md.cur.refs + md.cur.reopened, live: md.live()}
	if o.Kind == lifecycle.CloseObject {
		t.object = md.cur.objs[o.N]
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
func (md *Model) storeLogoff(evs []trace.Event, at int, f, out mapi.LogoffFlags, err error, before int) {
	strict := md.set.Strict
	md.cur.logoffs++
	if md.set.Deferred && md.cur.early && f.IsSingleInput() && f != md.cur.firstFlag {
		// The last flag wins in the deferred profile: this one never
		// reaches StoreLogoffTransports, which an earlier StoreLogoff
		// called already.
		md.fail(at, "STLT-06", "StoreLogoff(%v) came after an earlier StoreLogoff called StoreLogoffTransports(%v): in the deferred profile the last flag wins", f, md.cur.firstFlag)
	}
	switch {
	case md.cur.ended && !f.IsSingleInput():
		// An invalid flag word is SL-03's business, alive or not; the
		// store may look at the flags before it looks at itself.
		if want, ok := InvalidInput(strict, true); strict && !ok(err) {
			md.fail(at, "SL-03", "StoreLogoff(%v), an invalid flag word, on the ended store returned %v, want it %s", f, mapi.ResultOf(err), want)
		}
		return
	case md.cur.ended:
		// RL-04 is a "may" rule: its failure is a note unless Strict.
		if want, ok := Refused(strict); !ok(err) {
			md.fail(at, "RL-04", "StoreLogoff(%v) on the ended store returned %v, want it %s", f, mapi.ResultOf(err), want)
		}
		return
	case err == nil && out&^OutputMask(strict) != 0:
		md.fail(at, "SL-02", "StoreLogoff(%v) returned the output flags %v", f, out)
	}
	if md.set.Deferred && trace.Contains(evs, md.cur.stlt1) {
		md.fail(at, "STLT-02", "StoreLogoff(%v) called StoreLogoffTransports in the deferred profile", f)
		md.cur.early = true
	}
	switch {
	case !f.IsSingleInput():
		// LOGOFF_COMPLETE (a client reusing its in/out flags variable) is
		// invalid input too (RULES.md revision 2). Accepted or refused,
		// what the provider did with the flag is its call, as long as
		// StoreLogoffTransports gets one valid flag (STLT-08, judged at
		// the end).
		if want, ok := InvalidInput(strict, md.cur.invalidated); !ok(err) {
			md.fail(at, "SL-03", "StoreLogoff(%v), an invalid flag word, returned %v, want it %s", f, mapi.ResultOf(err), want)
		}
		if err == nil {
			md.cur.requested, md.cur.pendingAny = true, true
		}
		return
	case err != nil:
		// A store invalidated by its own logoff may refuse every call but
		// Release (SEMANTICS.md §4). Refused or not, a valid flag may have
		// been taken: what StoreLogoffTransports gets is not judged.
		if !md.cur.invalidated {
			md.fail(at, "SL-01", "StoreLogoff(%v) returned %v, want S_OK", f, mapi.ResultOf(err))
		}
		md.cur.requested, md.cur.pendingAny = true, true
		return
	}
	md.cur.requested, md.cur.pending, md.cur.pendingAny = true, f, false
	md.cur.flagsSaved++
	if md.set.Deferred || before > 0 || md.cur.invalidated {
		// Deferred: the flag is saved for the store's end. Immediate: once
		// StoreLogoffTransports was called, a second StoreLogoff need not
		// call it (and must not, once it logged off: stltCalls).
		return
	}
	first, ok := trace.First(evs, md.cur.stlt1)
	other, elsewhere := trace.First(evs, stlt)
	switch {
	case !ok && elsewhere:
		md.fail(at, "SS-04", "StoreLogoff(%v) on store called StoreLogoffTransports on %s, another store's support", f, other.Object)
	case !ok:
		md.fail(at, "STLT-02", "StoreLogoff(%v) did not call StoreLogoffTransports in the immediate profile", f)
	case arg(&first, 0) != f:
		md.fail(at, "STLT-03", "StoreLogoff(%v) called StoreLogoffTransports(%v)", f, arg(&first, 0))
	}
}

// StepName says where in a lifecycle a violation happened.
func StepName(at int) string {
	switch {
	case at > 0:
		return fmt.Sprintf("step %d", at)
	case at == 0:
		return "logon"
	}
	return "the end"
}

// plural counts things: "1 step", "2 steps".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
