package reference_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/reference"
)

// Every hostile provider is reported as failing specs that name the rule,
// the call in progress and the calls so far; the suite neither crashes nor
// hangs, and goes on to the next spec.
func TestHostileProviders(t *testing.T) {
	for _, h := range reference.HostileProviders() {
		t.Run(h.Name, func(t *testing.T) {
			t.Parallel()
			cfg := h.Config()
			cfg.CallTimeout = 50 * time.Millisecond
			// The STLT-01 specs (every path), E-03 (open objects) and the
			// last spec (late calls, filed under SS-03) reach every
			// misbehaving call.
			rules := []string{"STLT-01", "E-03", "SS-03"}
			res, err := conformance.Check(context.Background(), cfg, rules...)
			if err != nil {
				t.Fatal(err)
			}
			// The suite went on to the end: as many results as specs.
			all, _ := conformance.Check(context.Background(), reference.Config(reference.Options{StatusRow: true}), rules...)
			if len(res) != len(all) {
				t.Errorf("%d results, want one for each of the %d specs", len(res), len(all))
			}
			var failed []conformance.Result
			for _, r := range res {
				if r.Status == conformance.Failed {
					failed = append(failed, r)
				}
			}
			if len(failed) == 0 {
				t.Fatalf("no spec failed against %s", h.Doc)
			}
			for _, r := range failed {
				for _, want := range []string{h.Call, "Call sequence"} {
					if !strings.Contains(r.Message, want) {
						t.Errorf("%q: the failure does not name %q:\n%s", r.Spec, want, r.Message)
					}
				}
				if len(r.Failed) == 0 || !strings.Contains(r.Message, r.Failed[0]) {
					t.Errorf("%q: the failure names no rule:\n%s", r.Spec, r.Message)
				}
				// A spec stopped before it could judge says so, and the
				// report calls its rules ERROR rather than FAIL.
				if stopped := strings.Contains(r.Message, "could not be judged"); stopped != (len(r.Unjudged) > 0) {
					t.Errorf("%q: says it could not judge: %v; Unjudged: %v", r.Spec, stopped, r.Unjudged)
				}
			}
		})
	}
}
