package realworld_test

import (
	"context"
	"flag"
	"sync"
	"testing"

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
// once for the package's tests.
func verdicts(t *testing.T) []realworld.Verdict {
	t.Helper()
	once.Do(func() {
		for _, p := range realworld.Providers() {
			for _, prof := range p.Profiles {
				v, err := realworld.Judge(context.Background(), p, prof, seed, p.Lifecycles)
				if err != nil {
					judgeErr = err
					return
				}
				judged = append(judged, v)
			}
		}
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
