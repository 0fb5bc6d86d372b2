package realworld_test

import (
	"strings"
	"testing"

	"github.com/mapiconf/mapiconf/realworld"
)

// The suite judges real providers as the pages do: it fails exactly the
// rules their sources break (Microsoft's sample store: STLT-08 alone), and
// its exploration finds nothing else.
func TestRealWorldVerdicts(t *testing.T) {
	for _, v := range verdicts(t) {
		falseFailures, missed, exploration := v.Disagreements()
		for _, id := range falseFailures {
			t.Errorf("%s (%s profile): the suite fails %s, which the sources keep:\n%s", v.Provider.Name, v.Profile, id, messages(v, id))
		}
		for _, id := range missed {
			t.Errorf("%s (%s profile): the sources break %s (see realworld.Providers), and the suite does not fail it", v.Provider.Name, v.Profile, id)
		}
		if exploration != "" {
			t.Errorf("%s (%s profile): %s", v.Provider.Name, v.Profile, exploration)
		}
	}
}

func messages(v realworld.Verdict, id string) string {
	var out []string
	for _, r := range v.Results {
		for _, f := range r.Failed {
			if f == id {
				out = append(out, r.Spec+":\n"+r.Message)
			}
		}
	}
	return strings.Join(out, "\n\n")
}
