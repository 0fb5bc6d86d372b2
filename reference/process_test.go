package reference

import (
	"testing"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/mapi"
)

// The provider objects of one process keep only the logons that may still
// be found: an exploration makes thousands of lifecycles through one
// Config, and must not keep them all.
func TestProcessForgetsEndedLogons(t *testing.T) {
	opts := Options{proc: new(process)}
	for range 10 {
		m := mapisim.New(New(opts), mapisim.Options{Spooler: true, NewSpoolerProvider: func() (mapi.IMSProvider, error) { return New(opts), nil }})
		s, err := m.Logon()
		if err != nil {
			t.Fatal(err)
		}
		s.Client().Release()
		m.Shutdown()
	}
	// The last lifecycle's client and spooler logons are forgotten at the
	// next logon; the earlier ones must be gone.
	if n := len(opts.proc.logons); n > 2 {
		t.Errorf("after 10 lifecycles the process keeps %d logons, want at most the last one's 2", n)
	}
}
