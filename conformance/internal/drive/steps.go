package drive

import (
	"fmt"
	"slices"
	"sync"

	"github.com/mapiconf/mapiconf/conformance/internal/judge"
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/mapi"
)

// state is what the worker runs a lifecycle with: the run, the model, and
// the handles the client holds. A Runner hands its state from one lifecycle
// to the next, and its functions are bound once: a method value handed to
// another goroutine is allocated each time it is made.
type state struct {
	// mu guards r, which the runner reads while the drive may still write
	// it: a provider that hung past the call timeout and then returned.
	mu        sync.Mutex
	r         Run
	md        judge.Model
	lc        lifecycle.Lifecycle
	m         *mapisim.MAPI
	stores    [2]*mapisim.Store      // the first store, and the second with Lifecycle.TwoStores
	objs      [2][]*mapisim.Object   // by store, by number (lifecycle.Step.Opens); nil where it failed
	lastOut   [2]mapi.LogoffFlags    // by store: what the client's last StoreLogoff returned
	reopened  [2][]*mapisim.Reopened // by store: the stores second Logons returned
	subobject mapi.EntryID           // what OpenSubobject opens (drive.Config.Subobject)
	fn        func()                 // d.drive
	fail      judge.Fail             // d.failed
}

// failed is d.r.fail under d's lock: the model reports what it finds so.
func (d *state) failed(at int, rule, format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.r.fail(at, rule, format, args...)
}

// faulted is d.r.faulted under d's lock.
func (d *state) faulted(at int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.r.faulted(at)
}

// stopped is d.r.Stopped under d's lock.
func (d *state) stopped() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.r.Stopped
}

// stop is d.r.stop under d's lock.
func (d *state) stop(v judge.Violation) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.r.stop(v)
}

// found is a copy of the run so far, its own violations and all, for the
// runner to hand on while the drive may go on writing d.r.
func (d *state) found() Run {
	d.mu.Lock()
	defer d.mu.Unlock()
	r := d.r
	r.Vs = slices.Clone(r.Vs)
	return r
}

// drive makes lc's steps, each judged, and ends the lifecycle.
func (d *state) drive() {
	lc := d.lc
	if d.stores[0] = d.logon(); d.stores[0] == nil {
		return
	}
	if lc.TwoStores {
		if d.stores[1] = d.logon(); d.stores[1] == nil {
			return
		}
	}
	d.md.Logons()
	for i, o := range lc.Steps {
		if d.step(i+1, o); d.faulted(i + 1) {
			return
		}
	}
	if d.finish(); d.md.SuiteBug != "" {
		d.stop(judge.Violation{What: d.md.SuiteBug, At: -1, Fault: "suite"})
	}
}

// logon logs on to one more store; a provider that refuses leaves nothing
// to run.
func (d *state) logon() *mapisim.Store {
	s, err := d.m.Logon()
	if err != nil && !d.faulted(0) {
		d.stop(judge.Violation{What: fmt.Sprintf("IMSProvider::Logon returned %v: the lifecycle cannot begin", mapi.ResultOf(err)), Fault: "start"})
	}
	return s
}

// step makes step o of the client's and tells the model what it returned.
func (d *state) step(at int, o lifecycle.Step) {
	if o.Kind == lifecycle.StoreLogoffReused {
		// One in/out flags variable: the model judges the call it makes.
		o = lifecycle.Step{Kind: lifecycle.StoreLogoff, Flags: d.lastOut[o.Store], Store: o.Store}
	}
	p, skip := d.md.Begin(o)
	if skip {
		return
	}
	s := d.stores[o.Store]
	c := s.Client()
	var r judge.Step
	switch o.Kind {
	case lifecycle.AddRef:
		c.AddRef()
	case lifecycle.Release:
		c.Release()
	case lifecycle.ConcurrentRelease:
		releaseAll(c, o.N)
	case lifecycle.StoreLogoff:
		r.Out, r.Err = c.StoreLogoff(o.Flags)
		d.lastOut[o.Store] = r.Out
	case lifecycle.SpoolerStoreLogoff:
		r.Out, r.Err = s.Spooler().StoreLogoff(o.Flags)
	case lifecycle.StoreLogoffAtOnce:
		// Its own variables: r, captured by the goroutine, would go to
		// the heap at every step.
		var out mapi.LogoffFlags
		var err error
		AtOnce(func() { out, err = c.StoreLogoff(o.Flags) }, func() { s.Spooler().StoreLogoff(o.Flags) })
		r.Out, r.Err = out, err
	case lifecycle.Open, lifecycle.OpenSubobject, lifecycle.OpenStatus:
		var obj *mapisim.Object
		switch o.Kind {
		case lifecycle.Open:
			obj, r.Err = c.OpenEntry("")
		case lifecycle.OpenSubobject:
			obj, r.Err = d.objs[o.Store][o.N].OpenEntry(d.subobject)
		default:
			obj, r.Err = s.OpenStatusEntry()
		}
		if obj != nil {
			r.Object = obj.Name()
		}
		d.objs[o.Store] = append(d.objs[o.Store], obj)
	case lifecycle.GetProps:
		r.Err = d.objs[o.Store][o.N].GetProps()
	case lifecycle.CloseObject:
		d.objs[o.Store][o.N].Release()
	case lifecycle.SessionLogoff:
		// MAPI's part only: the client still holds the store and its
		// objects, and releases them itself, later.
		d.m.EndSession(0)
	case lifecycle.ProviderShutdown:
		d.m.Shutdown()
	case lifecycle.LogonAgain:
		var again *mapisim.Reopened
		if again, r.Err = d.m.LogonAgain(s); again != nil {
			d.reopened[o.Store] = append(d.reopened[o.Store], again)
			r.Object = "store (again)"
		}
	case lifecycle.ReleaseAgain:
		held := d.reopened[o.Store]
		held[len(held)-1].Release()
		d.reopened[o.Store] = held[:len(held)-1]
	}
	for i, st := range d.stores {
		r.TornDown[i] = st != nil && st.TornDown()
	}
	d.md.Made(at, o, p, r)
	if d.md.Unable != "" && !d.stopped() {
		d.stop(judge.Violation{What: d.md.Unable, At: at, Fault: "capability"})
	}
}

// finish ends the lifecycle: the client releases what it still holds of
// the first store, in the order the lifecycle says, each Release judged
// like a step; then the session logs off, which ends the second store
// (judged as its end) and shuts the provider down; then the model judges
// the whole trace once more.
func (d *state) finish() {
	reopened, refs, objects := d.md.Held()
	// The stores second Logons returned go first, while the first logon's
	// references keep the store: their Release ends nothing.
	for range reopened {
		d.step(-1, lifecycle.Step{Kind: lifecycle.ReleaseAgain})
	}
	releaseRefs := func() {
		for range refs {
			d.step(-1, lifecycle.Step{Kind: lifecycle.Release})
		}
	}
	releaseObjects := func() {
		for _, i := range objects {
			d.probe(0, i)
			d.step(-1, lifecycle.Step{Kind: lifecycle.CloseObject, N: i})
		}
	}
	if d.lc.ObjectsFirst {
		releaseObjects()
		releaseRefs()
	} else {
		releaseRefs()
		releaseObjects()
	}
	if !d.md.Session() {
		// The suite's own cleanup: the first store's end was judged at
		// the client's last Release; a store the client still holds ends
		// here, on the session path.
		d.step(-1, lifecycle.Step{Kind: lifecycle.SessionLogoff})
	}
	for s := 1; s < len(d.stores) && d.stores[s] != nil; s++ {
		for i := range d.objs[s] {
			d.probe(s, i)
		}
	}
	d.m.ReleaseHeld() // the second store's client, and the spooler if it still holds its store
	d.md.Finish()
}

// probe calls GetProps on object n of store s before the client lets go of
// it, if it was open when its store's IMSLogon::Logoff ran: every dead
// object the client holds is asked once whether it refuses calls (E-03),
// whatever steps the lifecycle made.
func (d *state) probe(s, n int) {
	if d.md.LoggedOff(s, n) {
		d.step(-1, lifecycle.Step{Kind: lifecycle.GetProps, N: n, Store: s})
	}
}
