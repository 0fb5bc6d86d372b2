package mapisim

import (
	"sync"
	"time"

	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// Support is MAPI's support object as the provider sees it. It implements
// mapi.IMAPISupport, records every call the provider makes on it, and runs
// MAPI's teardown when the provider drops the reference it took at logon.
type Support struct {
	m     *MAPI
	s     *Store
	name  string
	shown any // name as events show it

	mu       sync.Mutex
	refs     int   // references the provider holds: AddRefs less Releases
	uids     []any // the MAPIUIDs, as SetProviderUID's event holds them: RemoveProviderUIDs' arguments
	uidBuf   [1]any
	row      any  // the status row's display name, as ModifyStatusRow's event holds it; nil: no row
	released bool // the provider dropped its last reference
	// releasedAt is when the provider let go of the support: its count
	// fell below what it was before logon (late.go).
	releasedAt time.Time
}

var _ mapi.IMAPISupport = (*Support)(nil)

// record makes a provider → MAPI event; the support never panics, so no
// recover is needed here.
func (s *Support) record(method string, args []any, fn func() ([]any, error)) error {
	ev := trace.Event{Dir: trace.ToMAPI, Caller: "provider", Object: s.name, Iface: "IMAPISupport", Method: method, Args: args,
		OwnThread: !insideCall()}
	seq := s.m.trace.Begin(ev)
	if s.m.late.Load() {
		s.m.noteLate(s, ev, seq)
	}
	out, err := fn()
	s.m.trace.End(seq, out, err, nil)
	return err
}

// Record records a call the provider made on the support that the
// simulation does not model, such as one of the other slots of a DLL's
// IMAPISupport vtable (package dll), and returns what answer returns. It
// is the one way into the trace for a support that is not Go's.
func (s *Support) Record(method string, args []any, answer func() ([]any, error)) error {
	return s.record(method, args, answer)
}

// AddRef takes a reference for the provider.
func (s *Support) AddRef() uint32 {
	var n int
	s.record("AddRef", nil, func() ([]any, error) {
		s.mu.Lock()
		s.refs++
		n = s.refs
		s.mu.Unlock()
		return s.m.trace.Values(s.count(n)), nil
	})
	return s.count(n)
}

// Release drops a provider reference. When the provider's count returns to
// what it was before logon, MAPI tears the store down inside this call;
// not while IMSProvider::Logon is still running, for MAPI holds the support
// itself until then (LG-01 judges a provider that lets go of it there).
func (s *Support) Release() uint32 {
	var n int
	s.record("Release", nil, func() ([]any, error) {
		s.mu.Lock()
		s.refs--
		n = s.refs
		last := n <= 0 && !s.released && s.s.loggedOn.Load()
		if last {
			s.released = true
		}
		if n < 0 || last {
			// From now on every call on it is late.
			s.releasedAt = time.Now()
			s.m.late.Store(true)
		}
		s.mu.Unlock()
		if last {
			s.s.teardown()
		}
		return s.m.trace.Values(s.count(n)), nil
	})
	return s.count(n)
}

// count is what AddRef and Release return: MAPI's own reference plus the
// provider's, or 0 with Options.BogusCounts.
func (s *Support) count(providerRefs int) uint32 {
	if s.m.opts.BogusCounts {
		return 0
	}
	return uint32(max(providerRefs+1, 0))
}

// registered returns the MAPIUIDs and the status row's display name, as
// the events that registered them hold them.
func (s *Support) registered() ([]any, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Only ever appended to: what is there now stays as it is.
	return s.uids[:len(s.uids):len(s.uids)], s.row
}

// StoreLogoffTransports answers as the page describes (or as
// Options.STLTFlags and STLTErr say). When the store logs off, the spooler
// releases its own store of it inside this call.
func (s *Support) StoreLogoffTransports(flags mapi.LogoffFlags) (mapi.LogoffFlags, error) {
	out, loggedOff, err := s.m.answer(flags)
	s.record("StoreLogoffTransports", s.m.trace.Values(flags), func() ([]any, error) {
		if loggedOff && !s.s.spoolers {
			s.s.spoolerLetsGo()
		}
		return s.m.trace.Values(out), err
	})
	return out, err
}

// SetProviderUID registers uid for the provider.
func (s *Support) SetProviderUID(uid mapi.MAPIUID, flags mapi.ReservedFlags) error {
	boxed := any(uid) // one copy for the event and for RemoveProviderUIDs
	return s.record("SetProviderUID", s.m.trace.Values(boxed, flags), func() ([]any, error) {
		s.mu.Lock()
		if s.uids == nil {
			s.uids = s.uidBuf[:0] // a provider registers one, as a rule
		}
		s.uids = append(s.uids, boxed)
		s.mu.Unlock()
		return nil, nil
	})
}

// ModifyStatusRow adds or updates the provider's status row.
func (s *Support) ModifyStatusRow(row mapi.StatusRow, flags mapi.StatusRowFlags) error {
	name := any(row.DisplayName) // one copy for the event and for RemoveStatusRow
	return s.record("ModifyStatusRow", s.m.trace.Values(name, flags), func() ([]any, error) {
		s.mu.Lock()
		s.row = name
		s.mu.Unlock()
		return nil, nil
	})
}
