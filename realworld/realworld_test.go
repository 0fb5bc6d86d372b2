package realworld_test

import (
	"context"
	"errors"
	"flag"
	"sync"
	"testing"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/internal/generated"
	"github.com/mapiconf/mapiconf/realworld"
)

var update = flag.Bool("update", false, "rewrite docs/realworld.md")

// The exploration every verdict includes starts from a fixed seed, so that
// a verdict replays; each provider says how many lifecycles.
const seed = 1

var (
	judged   []realworld.Verdict
	judgeErr error
	once     sync.Once
)

// verdicts judges every real provider in every profile it is judged in,
// once for the package's tests. The judgements run at once, each on its own
// provider (the models keep no timers and share nothing), and are kept in
// the order of realworld.Providers.
func verdicts(t *testing.T) []realworld.Verdict {
	t.Helper()
	once.Do(func() {
		type job struct {
			p    realworld.Provider
			prof conformance.Profile
		}
		var jobs []job
		for _, p := range realworld.Providers() {
			for _, prof := range p.Profiles {
				jobs = append(jobs, job{p, prof})
			}
		}
		all, errs := make([]realworld.Verdict, len(jobs)), make([]error, len(jobs))
		var wg sync.WaitGroup
		for i, j := range jobs {
			wg.Go(func() { all[i], errs[i] = realworld.Judge(context.Background(), j.p, j.prof, seed, j.p.Lifecycles) })
		}
		wg.Wait()
		judged, judgeErr = all, errors.Join(errs...)
	})
	if judgeErr != nil {
		t.Fatal(judgeErr)
	}
	return judged
}

// docs/realworld.md is generated from the verdicts and the providers'
// deviations.
func TestRealWorldDocs(t *testing.T) {
	generated.Check(t, "../docs/realworld.md", []byte(realworld.Markdown(verdicts(t))), *update, "go test ./realworld -run TestRealWorldDocs -update")
}
