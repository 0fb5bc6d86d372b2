package reference

import (
	"slices"
	"sync/atomic"
	"time"

	"github.com/mapiconf/mapiconf/mapi"
)

// logon implements mapi.IMSLogon.
type logon struct{ st *state }

func (l *logon) AddRef() uint32 { return uint32(l.st.logonRefs.Add(1)) }

func (l *logon) Release() uint32 {
	n := l.st.logonRefs.Add(-1)
	if n < 0 {
		l.st.logonRefs.Store(0)
		return 0
	}
	if n == 0 {
		p := l.st.provider
		p.mu.Lock()
		p.logons--
		p.mu.Unlock()
	}
	return uint32(n)
}

// Logoff releases every object, subobject and status object the logon handed
// out; they refuse calls from now on, and their holders' Release stays safe
// (IMSLogon::Logoff). It is safe to call more than once and after the store
// is gone.
//
// Usually MAPI calls it from inside the support's Release, at the store's
// end. On IMAPISession::Logoff MAPI calls it while clients still hold the
// store: Logoff then forces the shutdown itself ("to forcibly shut down a
// message store provider", imslogon-logoff.md): StoreLogoffTransports once,
// the objects released, the support released, in that order.
func (l *logon) Logoff(flags mapi.ReservedFlags) error {
	st := l.st
	forced, forcing := st.beginEnd()
	if forcing && !st.notifyTransports(forced) {
		forcing = false // the GivesUpOnNoSupport flaw keeps the support
	}
	defer func() {
		if forcing {
			st.releaseSupport(forced)
		}
	}()
	st.mu.Lock()
	if st.loggedOff {
		st.mu.Unlock()
		return nil
	}
	st.loggedOff = true
	lateRow := st.purged && len(st.objects) > 0
	objs := st.objects
	st.objects = nil
	sup := st.sup
	st.mu.Unlock()
	for _, o := range objs {
		if st.opts.has(ObjectsOutliveLogoff) {
			continue // Flaw: the objects go on working.
		}
		o.dead.Store(true)
		o.Release() // the reference the provider kept to track it
		// Flaw (armed after the provider's own Release): a holder's
		// Release from now on crashes.
		o.crash.Store(st.opts.has(ObjectsCrashAfterLogoff))
	}
	if sup != nil && st.opts.has(DelayedStatusUpdate) {
		time.AfterFunc(10*time.Millisecond, func() {
			// Flaw: by now MAPI removed the row and the support is gone.
			sup.ModifyStatusRow(mapi.StatusRow{DisplayName: "mapiconf reference store (flushed)"}, mapi.StatusRowUpdate)
		})
	}
	if sup != nil && st.opts.has(RowASecondLate) {
		time.AfterFunc(1100*time.Millisecond, func() {
			// Flaw: a second later, long after the store ended.
			sup.ModifyStatusRow(mapi.StatusRow{DisplayName: "mapiconf reference store (a second late)"}, mapi.StatusRowUpdate)
		})
	}
	if sup != nil && lateRow {
		time.AfterFunc(10*time.Millisecond, func() {
			// Flaw: a purge with objects open flushes the row late, when
			// MAPI removed it and the support is gone.
			sup.ModifyStatusRow(mapi.StatusRow{DisplayName: "mapiconf reference store (purged)"}, mapi.StatusRowUpdate)
		})
	}
	if sup != nil && st.opts.has(StatusRowAfterLogoff) {
		// Flaw: the row was removed and the support is gone.
		sup.ModifyStatusRow(mapi.StatusRow{DisplayName: "mapiconf reference store (logged off)"}, mapi.StatusRowUpdate)
	}
	if st.opts.has(LogoffFails) {
		return mapi.ErrCallFailed // Flaw: the work is done, the answer is wrong.
	}
	return nil
}

// OpenStatusEntry opens the provider's status object.
func (l *logon) OpenStatusEntry() (mapi.IMAPIProp, error) {
	st := l.st
	if st.opts.has(OneStatusSlot) {
		// Flaw: the logon keeps one status object; a second
		// OpenStatusEntry takes the slot, and the first is forgotten.
		st.mu.Lock()
		st.objects = slices.DeleteFunc(st.objects, func(o *object) bool { return o.name == "status" })
		st.mu.Unlock()
	}
	return st.open("status")
}

// open makes an object and tracks it, so that Logoff can end it.
func (st *state) open(id mapi.EntryID) (mapi.IMAPIProp, error) {
	return st.openIn(nil, id)
}

// openIn opens id in the folder parent (nil: the store).
func (st *state) openIn(parent *folder, id mapi.EntryID) (mapi.IMAPIProp, error) {
	o := &object{name: string(id), st: st}
	if parent != nil {
		o.parent = parent.object
	}
	switch id {
	case "":
		o.name = "root folder"
	case MessageEntry, "status":
	default:
		return nil, mapi.ErrNotFound
	}
	o.refs.Store(2) // one for the caller, one for the provider's list
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.loggedOff {
		return nil, mapi.ErrInvalidObject
	}
	st.objects = append(st.objects, o)
	if id == "" {
		return &folder{object: o, st: st}, nil
	}
	return o, nil
}

// object implements mapi.IMAPIProp for a message or the status object.
type object struct {
	name   string
	st     *state
	parent *object // the folder it was opened in, if any
	refs   atomic.Int32
	dead   atomic.Bool // set by IMSLogon::Logoff
	crash  atomic.Bool // ObjectsCrashAfterLogoff
	freed  *state      // nil: what a crashing object dereferences
}

func (o *object) AddRef() uint32 { return uint32(o.refs.Add(1)) }

// Release is safe at any time, also after Logoff: it touches nothing but the
// object's own count.
func (o *object) Release() uint32 {
	n := o.refs.Add(-1)
	if n == 1 && o.st != nil && o.st.opts.has(SubobjectsGoWithFolder) {
		o.st.forgetChildren(o)
	}
	if o.crash.Load() && n == 0 {
		_ = o.freed.sup // Flaw: use after free.
	}
	if n < 0 {
		o.refs.Store(0)
		return 0
	}
	return uint32(n)
}

func (o *object) GetProps(tags []mapi.PropTag) ([]mapi.PropValue, error) {
	if o.dead.Load() {
		return nil, mapi.ErrInvalidObject
	}
	vals := make([]mapi.PropValue, 0, len(tags))
	for _, t := range tags {
		if t == mapi.PRDisplayName {
			vals = append(vals, mapi.PropValue{Tag: t, Value: o.name})
		}
	}
	return vals, nil
}

// folder is the root folder: an object that opens subobjects.
type folder struct {
	*object
	st *state
}

func (f *folder) OpenEntry(id mapi.EntryID) (mapi.IMAPIProp, error) {
	if f.dead.Load() {
		return nil, mapi.ErrInvalidObject
	}
	if id == "" {
		return nil, mapi.ErrNotFound
	}
	return f.st.openIn(f, id)
}

// forgetChildren is the SubobjectsGoWithFolder flaw: when a folder's
// holder lets it go, the provider drops the folder's subobjects from its
// list, as if they went with it; they stay open, and Logoff never
// releases them.
func (st *state) forgetChildren(parent *object) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.objects = slices.DeleteFunc(st.objects, func(o *object) bool { return o.parent == parent })
}
