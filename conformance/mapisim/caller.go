package mapisim

import (
	"fmt"

	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// Caller makes calls on the store as one party: a client, the spooler or the
// session. The party's name is recorded on every call it makes.
type Caller struct {
	m    *MAPI
	name string
}

func (c *Caller) store() mapi.IMsgStore {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	if c.m.store == nil {
		panic("mapisim: a store call before a successful Logon")
	}
	return c.m.store
}

func (c *Caller) event(method string, args ...any) trace.Event {
	return trace.Event{Caller: c.name, Object: "store", Iface: "IMsgStore", Method: method, Args: args}
}

// StoreLogoff calls IMsgStore::StoreLogoff and returns its output flags.
func (c *Caller) StoreLogoff(flags mapi.LogoffFlags) (mapi.LogoffFlags, error) {
	s := c.store()
	var out mapi.LogoffFlags
	err := c.m.call(c.event("StoreLogoff", flags), func() ([]any, error) {
		var err error
		out, err = s.StoreLogoff(flags)
		return []any{out}, err
	})
	return out, err
}

// AddRef takes one more reference on the store.
func (c *Caller) AddRef() {
	s := c.store()
	c.m.clientRefs.Add(1)
	c.m.call(c.event("AddRef"), func() ([]any, error) { return []any{s.AddRef()}, nil })
}

// Release drops one of the references the clients hold on the store.
func (c *Caller) Release() {
	s := c.store()
	c.m.clientRefs.Add(-1)
	c.m.call(c.event("Release"), func() ([]any, error) { return []any{s.Release()}, nil })
}

// OpenEntry opens an object of the store; the empty id opens the root folder.
func (c *Caller) OpenEntry(id mapi.EntryID) (*Object, error) {
	s := c.store()
	kind := "root folder"
	if id != "" {
		kind = string(id)
	}
	name := c.m.objectName(kind)
	var obj mapi.IMAPIProp
	err := c.m.call(c.event("OpenEntry", id), func() ([]any, error) {
		var err error
		obj, err = s.OpenEntry(id)
		return []any{objName(obj, name)}, err
	})
	return c.m.wrap(obj, name, c.name, err)
}

// Object is an object the provider handed out, as its holder sees it.
type Object struct {
	m      *MAPI
	obj    mapi.IMAPIProp
	name   string
	caller string
}

// Name is the object's name in the trace, e.g. "object 2 (root folder)".
func (o *Object) Name() string { return o.name }

func (o *Object) iface() string {
	if _, ok := o.obj.(mapi.IMAPIContainer); ok {
		return "IMAPIContainer"
	}
	return "IMAPIProp"
}

func (o *Object) event(method string, args ...any) trace.Event {
	return trace.Event{Caller: o.caller, Object: o.name, Iface: o.iface(), Method: method, Args: args}
}

// GetProps asks the object for its display name: the call that tells whether
// the object is still alive.
func (o *Object) GetProps() error {
	tags := []mapi.PropTag{mapi.PRDisplayName}
	return o.m.call(o.event("GetProps", "PR_DISPLAY_NAME"), func() ([]any, error) {
		vals, err := o.obj.GetProps(tags)
		return []any{fmt.Sprintf("%d values", len(vals))}, err
	})
}

// Release drops the holder's reference on the object.
func (o *Object) Release() {
	o.m.call(o.event("Release"), func() ([]any, error) { return []any{o.obj.Release()}, nil })
}

// OpenEntry opens a subobject of a container.
func (o *Object) OpenEntry(id mapi.EntryID) (*Object, error) {
	c, ok := o.obj.(mapi.IMAPIContainer)
	if !ok {
		return nil, fmt.Errorf("mapisim: %s is not a container", o.name)
	}
	name := o.m.objectName(string(id))
	var obj mapi.IMAPIProp
	err := o.m.call(o.event("OpenEntry", id), func() ([]any, error) {
		var err error
		obj, err = c.OpenEntry(id)
		return []any{objName(obj, name)}, err
	})
	return o.m.wrap(obj, name, o.caller, err)
}
