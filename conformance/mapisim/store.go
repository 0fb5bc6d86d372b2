package mapisim

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// Store is one store logon: the store and logon object the provider returned
// and the support object MAPI gave it.
type Store struct {
	m         *MAPI
	name      string
	logonName string
	entryID   mapi.EntryID
	support   *Support
	logon     mapi.IMSLogon
	store     mapi.IMsgStore
	spool     []byte // the spooler data Logon returned
	spooler   *Store // the MAPI spooler's own logon of this store, if it has one
	spoolers  bool   // this is the spooler's logon: its holder is the spooler
	// shown is how the events of the store's Logon show its entry ID and
	// spooler data, which the spooler's logon and a second Logon show too,
	// and its objects' names (names.go).
	shown struct{ entryID, spool, name, logon any }
	names *logonNames // the client's store's: its spooler logon's names too

	clientRefs atomic.Int32 // references on the store that clients hold
	loggedOn   atomic.Bool  // IMSProvider::Logon returned the store: it can be torn down
	mu         sync.Mutex
	tornDown   bool
	objects    []*Object // every object opened on this store, in order

	callers [2]Caller // what Client and Spooler return: one each, not one a call
	// ownSupport is the support MAPI gives the provider for this logon,
	// made with the Store (newSupport): they live and go together, and
	// one allocation a logon is saved.
	ownSupport Support
}

// newSupport readies the store's own support, named name (shown in
// events), and returns it.
func (s *Store) newSupport(name string, shown any) *Support {
	sup := &s.ownSupport
	sup.m, sup.s, sup.name, sup.shown = s.m, s, name, shown
	return sup
}

// newStore makes the Store of a logon: the provider's objects come when
// Logon returns.
func newStore(m *MAPI, name, logonName string, entryID mapi.EntryID, spoolers bool) *Store {
	s := &Store{m: m, name: name, logonName: logonName, entryID: entryID, spoolers: spoolers}
	s.callers = [2]Caller{{s: s, name: "client"}, {s: s, name: "spooler"}}
	return s
}

// held returns the objects of the store whose holder has not released them.
func (s *Store) held() []*Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Object
	for _, o := range s.objects {
		if !o.released.Load() {
			out = append(out, o)
		}
	}
	return out
}

// Held returns the objects opened on the store that their holder has not
// released yet, in the order they were opened.
func (s *Store) Held() []*Object { return s.held() }

// track notes an object opened on the store, so that ReleaseHeld can
// release it for its holder.
func (s *Store) track(o *Object, err error) (*Object, error) {
	if o != nil {
		o.s = s
		s.mu.Lock()
		s.objects = append(s.objects, o)
		s.mu.Unlock()
	}
	return o, err
}

// Name is the store's name in the trace: "store", "store 2", ...
func (s *Store) Name() string { return s.name }

// Support returns the support object MAPI gave the provider for this store.
func (s *Store) Support() *Support { return s.support }

// Client returns a caller that makes a client application's calls.
func (s *Store) Client() *Caller { return &s.callers[0] }

// Spooler returns a caller that makes the MAPI spooler's calls.
func (s *Store) Spooler() *Caller { return &s.callers[1] }

// TornDown reports whether MAPI's teardown of the store has run.
func (s *Store) TornDown() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tornDown
}

// ClientRefs returns how many references on the store clients still hold,
// by the simulation's own count (never by what Release returned).
func (s *Store) ClientRefs() int { return int(s.clientRefs.Load()) }

// teardown is MAPI's work when the provider releases the support: remove the
// provider's MAPIUIDs, remove its status row, call IMSLogon::Logoff, release
// the logon object, in that order (Shutting Down a Message Store Provider).
func (s *Store) teardown() {
	s.mu.Lock()
	if s.tornDown {
		s.mu.Unlock()
		return
	}
	s.tornDown = true
	s.mu.Unlock()

	args, row := s.support.registered()
	// The notes of the spooler's logon name it, so that the rules about
	// the clients' store pass them by.
	object := "MAPI"
	if s.spoolers {
		object = s.name
	}
	s.m.trace.NoteOn(object, "RemoveProviderUIDs", args...)
	if row != nil {
		s.m.trace.NoteOn(object, "RemoveStatusRow", row)
	}
	s.m.call(trace.Event{Caller: "MAPI", Object: s.logonName, Iface: "IMSLogon", Method: "Logoff", Args: s.m.trace.Values(mapi.ReservedFlags(0))},
		func() ([]any, error) { return nil, s.logon.Logoff(0) })
	s.m.call(trace.Event{Caller: "MAPI", Object: s.logonName, Iface: "IMSLogon", Method: "Release"},
		func() ([]any, error) { return s.m.trace.Values(s.logon.Release()), nil })
}

// OpenStatusEntry opens the provider's status object through the logon
// object, as MAPI does for the status table's consumers.
func (s *Store) OpenStatusEntry() (*Object, error) {
	var obj mapi.IMAPIProp
	name := s.m.objectName("status object")
	err := s.m.call(trace.Event{Caller: "MAPI", Object: s.logonName, Iface: "IMSLogon", Method: "OpenStatusEntry"},
		func() ([]any, error) {
			var err error
			obj, err = s.logon.OpenStatusEntry()
			return s.m.trace.Values(objName(obj, name)), err
		})
	return s.track(s.m.wrap(obj, name, "MAPI", err))
}

// Caller makes calls on a store as one party: a client, the spooler or the
// session. The party's name is recorded on every call it makes.
type Caller struct {
	s    *Store
	name string
}

func (c *Caller) event(method string, args ...any) trace.Event {
	return trace.Event{Caller: c.name, Object: c.s.name, Iface: "IMsgStore", Method: method, Args: c.s.m.trace.Values(args...)}
}

// StoreLogoff calls IMsgStore::StoreLogoff and returns its output flags.
func (c *Caller) StoreLogoff(flags mapi.LogoffFlags) (mapi.LogoffFlags, error) {
	var out mapi.LogoffFlags
	err := c.s.m.call(c.event("StoreLogoff", flags), func() ([]any, error) {
		var err error
		out, err = c.s.store.StoreLogoff(flags)
		return c.s.m.trace.Values(out), err
	})
	return out, err
}

// AddRef takes one more reference on the store.
func (c *Caller) AddRef() {
	c.s.clientRefs.Add(1)
	c.s.m.call(c.event("AddRef"), func() ([]any, error) { return c.s.m.trace.Values(c.s.store.AddRef()), nil })
}

// Release drops one of the references the clients hold on the store.
func (c *Caller) Release() {
	c.s.clientRefs.Add(-1)
	c.s.m.call(c.event("Release"), func() ([]any, error) { return c.s.m.trace.Values(c.s.store.Release()), nil })
}

// OpenEntry opens an object of the store; the empty id opens the root folder.
func (c *Caller) OpenEntry(id mapi.EntryID) (*Object, error) {
	kind := "root folder"
	if id != "" {
		kind = string(id)
	}
	name := c.s.m.objectName(kind)
	var obj mapi.IMAPIProp
	err := c.s.m.call(c.event("OpenEntry", id), func() ([]any, error) {
		var err error
		obj, err = c.s.store.OpenEntry(id)
		return c.s.m.trace.Values(objName(obj, name)), err
	})
	return c.s.track(c.s.m.wrap(obj, name, c.name, err))
}

// Object is an object the provider handed out, as its holder sees it: one
// reference, which Release gives back.
type Object struct {
	m        *MAPI
	s        *Store
	obj      mapi.IMAPIProp
	name     string
	caller   string
	released atomic.Bool
}

// Released reports whether the holder has released the object.
func (o *Object) Released() bool { return o.released.Load() }

// Name is the object's name in the trace, e.g. "object 2 (root folder)".
func (o *Object) Name() string { return o.name }

func (o *Object) event(method string, args ...any) trace.Event {
	iface := "IMAPIProp"
	if _, ok := o.obj.(mapi.IMAPIContainer); ok {
		iface = "IMAPIContainer"
	}
	return trace.Event{Caller: o.caller, Object: o.name, Iface: iface, Method: method, Args: o.m.trace.Values(args...)}
}

// GetProps asks the object for its display name: the call that tells whether
// the object is still alive.
func (o *Object) GetProps() error {
	tags := []mapi.PropTag{mapi.PRDisplayName}
	return o.m.call(o.event("GetProps", "PR_DISPLAY_NAME"), func() ([]any, error) {
		vals, err := o.obj.GetProps(tags)
		return o.m.trace.Values(strconv.Itoa(len(vals)) + " values"), err
	})
}

// Release drops the holder's reference on the object. The holder has only
// one: a second Release is the suite's bug, and is not made.
func (o *Object) Release() {
	if o.released.Swap(true) {
		return
	}
	o.m.call(o.event("Release"), func() ([]any, error) { return o.m.trace.Values(o.obj.Release()), nil })
}

// OpenEntry opens a subobject of a container.
func (o *Object) OpenEntry(id mapi.EntryID) (*Object, error) {
	c, ok := o.obj.(mapi.IMAPIContainer)
	if !ok {
		return nil, fmt.Errorf("%s is not a container: it does not implement mapi.IMAPIContainer", o.name)
	}
	name := o.m.objectName(string(id))
	var obj mapi.IMAPIProp
	err := o.m.call(o.event("OpenEntry", id), func() ([]any, error) {
		var err error
		obj, err = c.OpenEntry(id)
		return o.m.trace.Values(objName(obj, name)), err
	})
	return o.s.track(o.m.wrap(obj, name, o.caller, err))
}
