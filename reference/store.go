package reference

import (
	"runtime"
	"time"

	"github.com/mapiconf/mapiconf/mapi"
)

// store implements mapi.IMsgStore.
type store struct{ st *state }

func (s *store) AddRef() uint32 { return uint32(s.st.storeRefs.Add(1)) }

// Release implements the store's last Release by releasing the support,
// which is where MAPI tears the logon down (Shutting Down a Message Store
// Provider).
func (s *store) Release() uint32 {
	st := s.st
	if st.opts.has(RacyRefCount) {
		return st.racyRelease()
	}
	n := st.storeRefs.Add(-1)
	if n == 1 && st.opts.has(TeardownBeforeLastRelease) {
		n = 0 // Flaw: off by one.
	}
	if n > 0 {
		if st.opts.RowPerReference {
			st.updateRow()
		}
		return uint32(n)
	}
	if n < 0 {
		st.storeRefs.Store(0) // over-released: the store is already gone
		return 0
	}
	// Only the goroutine that took the count to zero gets here, so
	// concurrent last Releases make one STLT and one support release.
	st.end()
	if st.opts.has(EndsEveryStore) && !st.spooler {
		st.provider.mu.Lock()
		all := st.provider.states
		st.provider.mu.Unlock()
		for _, other := range all {
			other.end() // Flaw: ends stores whose clients still use them.
		}
	}
	return 0
}

// racyRelease is RacyRefCount's Release: it reads the count, waits for a
// second Release to come in, and only then writes, so that two concurrent
// Releases always read the same count.
func (st *state) racyRelease() uint32 {
	n := st.storeRefs.Load()
	st.racers.Add(1)
	deadline := time.Now().Add(2 * time.Millisecond)
	for st.racers.Load() < 2 && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	st.storeRefs.Store(n - 1)
	st.racers.Add(-1)
	if n-1 == 0 {
		st.end()
	}
	return uint32(max(n-1, 0))
}

// end is the store's last Release. If no StoreLogoff came first, or the
// deferred profile saved its flag, StoreLogoffTransports is called here,
// exactly once, before the support goes.
func (st *state) end() {
	sup, ok := st.beginEnd()
	if !ok {
		return
	}
	if st.opts.has(STLTAfterSupportRelease) {
		st.releaseSupport(sup) // Flaw: the support goes first.
	}
	if !st.notifyTransports(sup) {
		return
	}
	if !st.opts.has(STLTAfterSupportRelease) {
		st.releaseSupport(sup)
	}
	if st.opts.has(SupportCallAfterRelease) {
		// Flaw: the support is gone.
		sup.ModifyStatusRow(mapi.StatusRow{DisplayName: "mapiconf reference store (closed)"}, mapi.StatusRowUpdate)
	}
}

// isEnded reports whether the store's end has begun.
func (st *state) isEnded() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.ended
}

// beginEnd marks the store as ending, once: only its first caller gets the
// support to end it with.
func (st *state) beginEnd() (mapi.IMAPISupport, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.ended {
		return nil, false
	}
	st.ended = true
	return st.sup, st.sup != nil
}

// notifyTransports calls StoreLogoffTransports at the store's end if it has
// not been called yet: with the deferred profile's saved flag, or with
// LOGOFF_ABORT on the Release-only path ("If you detect in your Release
// method that StoreLogoffTransports has not yet been called, invoke it with
// the LOGOFF_ABORT flag", shutting-down-a-message-store-provider.md).
// Whatever MAPI answers, the store ends; it reports false only for the
// flaw that gives up.
func (st *state) notifyTransports(sup mapi.IMAPISupport) bool {
	if st.spooler {
		// The spooler's store is what StoreLogoffTransports releases: its
		// end tells the transports nothing.
		if st.opts.has(SpoolerEndsClientStore) {
			if client := st.opts.proc.clientStore(st.entryID); client != nil {
				if sup, ok := client.beginEnd(); ok {
					client.releaseSupport(sup) // Flaw: the spooler's Release ends the client's store.
				}
			}
		}
		return true
	}
	st.mu.Lock()
	stlt, flags := !st.stltDone, mapi.LogoffAbort
	if st.opts.has(OrderlyOnReleaseOnly) {
		flags = mapi.LogoffOrderly // Flaw: the Release-only path is not an abort.
	}
	if st.requested {
		flags = st.pending
	}
	again := st.stltDone && st.opts.has(STLTTwice)
	againFlags := st.stltFlags
	st.stltDone = true
	st.mu.Unlock()
	if st.opts.has(NoSTLT) {
		stlt = false // Flaw: never tells the transports.
	}
	// Another thread's StoreLogoff may still be in StoreLogoffTransports.
	st.inSTLT.Lock()
	st.inSTLT.Unlock()
	if stlt {
		_, err := sup.StoreLogoffTransports(flags)
		if flags == mapi.LogoffPurge && st.opts.has(STLTTwiceOnPurge) {
			_, err = sup.StoreLogoffTransports(flags) // Flaw: purging asks twice.
		}
		if err != nil && st.opts.has(GivesUpOnNoSupport) {
			return false // Flaw: keeps the support when STLT fails.
		}
		againFlags = flags
	}
	if st.opts.has(STLTTwice) && (again || stlt) {
		sup.StoreLogoffTransports(againFlags) // Flaw: once more.
	}
	return true
}

// StoreLogoff records that the client wants the store to end. In the
// immediate profile it calls StoreLogoffTransports at once with the caller's
// flag; in the deferred profile it saves the flag (the last call wins) for the
// store's last Release. It ends nothing itself: other references may be held.
func (s *store) StoreLogoff(flags mapi.LogoffFlags) (mapi.LogoffFlags, error) {
	st := s.st
	if st.opts.InvalidatedByComplete && st.isInvalidated() {
		// An invalidated object refuses the call before it looks at
		// the arguments.
		return 0, mapi.ErrInvalidObject
	}
	if err := checkLogoffFlags(flags); err != nil {
		switch {
		case st.opts.has(AcceptsInvalidFlags):
			return 0, nil // Flaw: anything goes.
		case st.opts.has(PassesCompleteOn) && flags&^mapi.LogoffOutputMask == 0 && flags != 0:
			// Flaw: a word of output bits, what a client reusing its
			// in/out flags variable sends, is taken as given.
		case !st.opts.has(PassesInvalidFlags):
			return 0, err
		}
		// Flaw: the flag word goes on to StoreLogoffTransports as it came.
	}
	if flags == mapi.LogoffPurge && st.opts.has(LateRowOnPurge) {
		st.mu.Lock()
		st.purged = true
		st.mu.Unlock()
	}
	out, err := st.storeLogoff(flags)
	if err == nil && st.opts.has(StoreLogoffEndsStore) {
		st.end() // Flaw: ends the store while references are held.
	}
	if err == nil && st.opts.PinsSupport {
		st.updateRow() // the row says the client asked for the logoff
	}
	if err == nil && st.opts.has(UnknownOutputFlags) {
		out |= 0x00100000 // Flaw: an undocumented output bit.
	}
	if err == nil && flags == mapi.LogoffQuiet && st.opts.has(RejectsQuiet) {
		return 0, mapi.ErrInvalidParameter // Flaw: refuses a valid flag.
	}
	return out, err
}

func (st *state) storeLogoff(flags mapi.LogoffFlags) (mapi.LogoffFlags, error) {
	if st.opts.has(WrongFlag) {
		flags = mapi.LogoffAbort // Flaw: not the caller's flag.
	}
	st.mu.Lock()
	if st.ended || st.loggedOff || st.invalidated {
		st.mu.Unlock()
		if st.opts.has(AnswersAfterShutdown) {
			return 0, nil // Flaw: answers as if alive.
		}
		return 0, mapi.ErrInvalidObject
	}
	if st.opts.has(NoSTLT) {
		st.mu.Unlock()
		return 0, nil // Flaw: does nothing.
	}
	if st.deferred {
		st.requested, st.pending = true, flags
		st.mu.Unlock()
		return 0, nil
	}
	if st.stltDone && !st.opts.has(STLTEachStoreLogoff) {
		// A second StoreLogoff: the transports were already told.
		st.mu.Unlock()
		return 0, nil
	}
	st.stltDone, st.stltFlags = true, flags
	sup := st.sup
	st.inSTLT.Lock()
	st.mu.Unlock()
	out, err := sup.StoreLogoffTransports(flags)
	if flags == mapi.LogoffPurge && st.opts.has(STLTTwiceOnPurge) {
		out, err = sup.StoreLogoffTransports(flags) // Flaw: purging asks twice.
	}
	if err == nil && out&mapi.LogoffComplete != 0 && st.opts.InvalidatedByComplete {
		// "the object has been invalidated ... Only the message
		// store's IUnknown::Release method should be called at this
		// point": the store and its objects refuse everything else.
		st.invalidate()
	}
	if err == nil && !loggedOff(flags, out) {
		// "If any transport activity is taking place, the logoff does not
		// occur": the store goes on working, and its end will call
		// StoreLogoffTransports again.
		st.mu.Lock()
		st.stltDone = false
		st.mu.Unlock()
	}
	st.inSTLT.Unlock()
	if err != nil {
		if st.opts.has(GivesUpOnNoSupport) {
			return 0, err // Flaw: passes the failure on.
		}
		// MAPI_E_NO_SUPPORT or another failure: the transports cannot be
		// asked, and the store logs off all the same.
		return 0, nil
	}
	if st.opts.has(DropsActivity) {
		return 0, nil // Flaw: the caller never hears of the activity.
	}
	// StoreLogoff's page lists only these as output; LOGOFF_COMPLETE is
	// StoreLogoffTransports' own answer. The activity goes back to the
	// caller ("The behavior of the store provider following the return
	// from StoreLogoffTransports should be based on the value of
	// lpulFlags").
	return out & activity, nil
}

// activity is the transport activity StoreLogoffTransports reports.
const activity = mapi.LogoffInbound | mapi.LogoffOutbound | mapi.LogoffOutboundQueue

// loggedOff reports whether a StoreLogoffTransports call logged the store
// off: with LOGOFF_QUIET or LOGOFF_ABORT, "if any transport activity is
// taking place, the logoff does not occur".
func loggedOff(flags, out mapi.LogoffFlags) bool {
	if flags != mapi.LogoffQuiet && flags != mapi.LogoffAbort {
		return true
	}
	return out&mapi.LogoffComplete != 0 || out&activity == 0
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
	dead := st.ended || st.loggedOff || st.invalidated
	st.mu.Unlock()
	if dead && !st.opts.has(AnswersAfterShutdown) {
		return nil, mapi.ErrInvalidObject
	}
	return st.open(id)
}

// releaseSupport drops the provider's reference on the support. No lock is
// held: MAPI calls IMSLogon::Logoff and releases the logon object from
// inside this call.
func (st *state) releaseSupport(sup mapi.IMAPISupport) {
	if st.opts.has(SupportNeverReleased) {
		return // Flaw: MAPI's teardown never runs.
	}
	if st.spooler && st.opts.has(SpoolerLogonApart) {
		return // Flaw: the spooler's logon object outlives its store, until MAPI ends it.
	}
	if st.extraRef {
		sup.Release()
	}
	sup.Release()
	if st.opts.has(SupportReleasedTwice) {
		sup.Release() // Flaw: one Release too many.
	}
	st.mu.Lock()
	st.sup = nil
	st.mu.Unlock()
}

// updateRow updates the status row while the store is alive: under the
// state's lock, so that no end can release the support meanwhile.
func (st *state) updateRow() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.spooler || !st.opts.StatusRow || st.sup == nil || st.ended || st.loggedOff {
		return
	}
	st.sup.ModifyStatusRow(mapi.StatusRow{DisplayName: rowName}, mapi.StatusRowUpdate)
}

// invalidate makes the store and every object it handed out refuse calls
// but Release; their end is still to come.
func (st *state) invalidate() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.invalidated = true
	for _, o := range st.objects {
		o.dead.Store(true)
	}
}

func (st *state) isInvalidated() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.invalidated
}
