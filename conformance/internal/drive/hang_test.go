package drive_test

import (
	"context"
	"testing"
	"time"

	"github.com/mapiconf/mapiconf/conformance/internal/drive"
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/mapi"
	"github.com/mapiconf/mapiconf/reference"
)

// A provider whose StoreLogoff returns after the call timeout: the runner
// reports a hang and leaves the drive, which goes on once the call
// returns, judging what comes next. The run the runner hands back must be
// its own, not the one the drive goes on writing (go test -race finds
// them shared: the runner marks the run stopped as the drive reads it).
func TestHangLeavesTheDriveItsOwnRun(t *testing.T) {
	cfg := drive.Config{
		NewProvider: func() (mapi.IMSProvider, error) {
			return slowLogoff{reference.New(reference.Options{StatusRow: true})}, nil
		},
		CallTimeout: time.Millisecond,
	}
	lc := lifecycle.Lifecycle{Steps: []lifecycle.Step{{Kind: lifecycle.StoreLogoff, Flags: mapi.LogoffOrderly}, {Kind: lifecycle.Release}}}
	var rn drive.Runner
	defer rn.Close()
	hangs := 0
	for range 3 {
		r := rn.Run(context.Background(), cfg, lc)
		if r.FaultAt("hang") != nil {
			hangs++
		}
		r.Has("STLT-01") // what the caller of a run reads of it
	}
	if hangs == 0 {
		// A machine too loaded to see a hang of 1ms in 200ms would see
		// the call return first: no wait in the test would tell them
		// apart without ordering the two sides, which the race detector
		// needs unordered.
		t.Fatalf("StoreLogoff took %v, the call timeout is %v: no run of three reports a hang", slow, cfg.CallTimeout)
	}
	time.Sleep(2 * slow) // the last drives go on, and end
}

const slow = 200 * time.Millisecond

type slowLogoff struct{ *reference.Provider }

func (p slowLogoff) Logon(sup mapi.IMAPISupport, ui uintptr, profile string, id mapi.EntryID, flags mapi.LogonFlags, iface *mapi.IID) ([]byte, mapi.IMSLogon, mapi.IMsgStore, error) {
	spool, l, s, err := p.Provider.Logon(sup, ui, profile, id, flags, iface)
	if s != nil {
		s = slowStore{s}
	}
	return spool, l, s, err
}

type slowStore struct{ mapi.IMsgStore }

func (s slowStore) StoreLogoff(f mapi.LogoffFlags) (mapi.LogoffFlags, error) {
	time.Sleep(slow)
	return s.IMsgStore.StoreLogoff(f)
}
