package conformance_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/mapi"
	"github.com/mapiconf/mapiconf/reference"
)

// The outlines printed in failures are what the reference provider does:
// the same calls, by the same callers, nested the same way (lines marked
// "if" are left out on both sides).
func TestOutlinesMatchTheReference(t *testing.T) {
	call := regexp.MustCompile(`^( *)(MAPI: |\S+ → )(\S+?)\(`)
	shape := func(lines []string) []string {
		var out []string
		for _, l := range lines {
			// The spooler's own logon ("[spooler store]", ...) is the
			// section I specs' business, not the outlines'.
			if strings.Contains(l, "(if ") || strings.Contains(l, "ModifyStatusRow") || strings.Contains(l, "RemoveStatusRow") ||
				strings.Contains(l, "[spooler ") || strings.Contains(l, "SpoolerLogon") {
				continue
			}
			if m := call.FindStringSubmatch(l); m != nil {
				out = append(out, m[1]+m[2]+m[3])
			}
		}
		return out
	}
	drive := map[string]func(m *mapisim.MAPI, s *mapisim.Store){
		"storelogoff-release": func(m *mapisim.MAPI, s *mapisim.Store) {
			s.Spooler().StoreLogoff(mapi.LogoffQuiet)
			s.Client().Release()
		},
	}
	for name, f := range conformance.PathSteps {
		drive[name] = f
	}
	if len(drive) != 5 {
		t.Fatalf("%d paths to hold to their outlines, want 5", len(drive))
	}
	for name, f := range drive {
		for _, p := range []conformance.Profile{conformance.Immediate, conformance.Deferred} {
			m := mapisim.New(reference.New(reference.Options{Deferred: p == conformance.Deferred}), mapisim.Options{})
			s, err := m.Logon()
			if err != nil {
				t.Fatal(err)
			}
			f(m, s)
			var actual []string
			for _, l := range strings.Split(m.Trace().String(), "\n") {
				if len(l) > 8 {
					actual = append(actual, l[8:]) // drop the numbering
				}
			}
			got := shape(actual)
			if len(got) < 6 {
				t.Fatalf("%s, %s profile: read only %d calls from\n%s", name, p, len(got), m.Trace())
			}
			want := shape(conformance.Outline(name, p, "spooler", mapi.LogoffQuiet))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s, %s profile: the outline says\n%s\nthe reference does\n%s", name, p, strings.Join(want, "\n"), strings.Join(got, "\n"))
			}
		}
	}
}
