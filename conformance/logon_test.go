package conformance_test

import (
	"context"
	"slices"
	"testing"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/mapi"
	"github.com/mapiconf/mapiconf/reference"
)

// logonDance is the reference provider with extra support calls at the
// start of its Logon.
type logonDance struct {
	*reference.Provider
	dance func(mapi.IMAPISupport)
}

func (p *logonDance) Logon(sup mapi.IMAPISupport, uiParam uintptr, profile string, entryID mapi.EntryID, flags mapi.LogonFlags, iface *mapi.IID) ([]byte, mapi.IMSLogon, mapi.IMsgStore, error) {
	p.dance(sup)
	return p.Provider.Logon(sup, uiParam, profile, entryID, flags, iface)
}

// LG-01 counts the references Logon keeps, not its AddRef calls: a
// temporary extra reference is fine, releasing one it never took is not.
func TestLogonKeepsOneReference(t *testing.T) {
	for _, tt := range []struct {
		name  string
		dance func(mapi.IMAPISupport)
		fails bool
	}{
		{"a temporary extra reference", func(s mapi.IMAPISupport) { s.AddRef(); s.Release() }, false},
		{"a Release before any AddRef, made up for", func(s mapi.IMAPISupport) { s.Release(); s.AddRef() }, true},
	} {
		cfg := reference.Config(reference.Options{StatusRow: true})
		cfg.NewProvider = func() (mapi.IMSProvider, error) {
			return &logonDance{reference.New(reference.Options{StatusRow: true}), tt.dance}, nil
		}
		res, err := conformance.Check(context.Background(), cfg, "LG-01")
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(conformance.FailedRules(res), "LG-01"); got != tt.fails {
			t.Errorf("%s: LG-01 failed: %v, want %v", tt.name, got, tt.fails)
		}
	}
}
