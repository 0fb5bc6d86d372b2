package reference

import "github.com/mapiconf/mapiconf/mapi"

// store implements mapi.IMsgStore.
type store struct{ st *state }

func (s *store) AddRef() uint32 { return uint32(s.st.storeRefs.Add(1)) }

// Release implements the store's last Release by releasing the support,
// which is where MAPI tears the logon down (Shutting Down a Message Store
// Provider). If no StoreLogoff came first, or the deferred profile saved its
// flag, StoreLogoffTransports is called here, exactly once, before the
// support goes.
func (s *store) Release() uint32 {
	st := s.st
	n := st.storeRefs.Add(-1)
	if n > 0 {
		return uint32(n)
	}
	if n < 0 {
		st.storeRefs.Store(0) // over-released: the store is already gone
		return 0
	}
	// Only the goroutine that took the count to zero gets here, so
	// concurrent last Releases make one STLT and one support release.
	st.mu.Lock()
	st.ended = true
	sup := st.sup
	stlt, flags := !st.stltDone, mapi.LogoffAbort
	if st.requested {
		flags = st.pending
	}
	st.stltDone = true
	st.mu.Unlock()
	if sup == nil {
		return 0
	}
	if stlt {
		// Release-only path: STLT was never called, so the provider calls
		// it with LOGOFF_ABORT (deferred: with StoreLogoff's saved flag).
		// Whatever it answers, shutdown goes on.
		sup.StoreLogoffTransports(flags)
	}
	// No lock is held: MAPI calls IMSLogon::Logoff and releases the logon
	// object from inside this call.
	sup.Release()
	st.mu.Lock()
	st.sup = nil
	st.mu.Unlock()
	return 0
}

// StoreLogoff records that the client wants the store to end. In the
// immediate profile it calls StoreLogoffTransports at once with the caller's
// flag; in the deferred profile it saves the flag (the last call wins) for the
// store's last Release. It ends nothing itself: other references may be held.
func (s *store) StoreLogoff(flags mapi.LogoffFlags) (mapi.LogoffFlags, error) {
	if err := checkLogoffFlags(flags); err != nil {
		return 0, err
	}
	st := s.st
	st.mu.Lock()
	if st.ended || st.loggedOff {
		st.mu.Unlock()
		return 0, mapi.ErrInvalidObject
	}
	if st.deferred {
		st.requested, st.pending = true, flags
		st.mu.Unlock()
		return mapi.LogoffComplete, nil
	}
	if st.stltDone {
		// A second StoreLogoff: the transports were already told.
		st.mu.Unlock()
		return mapi.LogoffComplete, nil
	}
	st.stltDone = true
	sup := st.sup
	st.mu.Unlock()
	out, err := sup.StoreLogoffTransports(flags)
	if err != nil {
		// MAPI_E_NO_SUPPORT or another failure: the transports cannot be
		// asked, and the store logs off all the same.
		return mapi.LogoffComplete, nil
	}
	if out &= mapi.LogoffOutputMask; out == 0 {
		out = mapi.LogoffComplete
	}
	return out, nil
}

// checkLogoffFlags accepts exactly one valid input flag.
func checkLogoffFlags(flags mapi.LogoffFlags) error {
	const input = mapi.LogoffNoWait | mapi.LogoffOrderly | mapi.LogoffPurge | mapi.LogoffAbort | mapi.LogoffQuiet
	switch {
	case flags&^input != 0:
		return mapi.ErrUnknownFlags
	case !flags.IsSingleInput():
		return mapi.ErrInvalidParameter
	}
	return nil
}

// OpenEntry opens the root folder (empty id) or the message.
func (s *store) OpenEntry(id mapi.EntryID) (mapi.IMAPIProp, error) {
	st := s.st
	st.mu.Lock()
	dead := st.ended || st.loggedOff
	st.mu.Unlock()
	if dead {
		return nil, mapi.ErrInvalidObject
	}
	return st.open(id)
}
