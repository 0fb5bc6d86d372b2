package conformance

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The explore spec carries the label of every rule the exploration (the
// model of package judge) can name
// (H.judge refuses a rule the spec is not labelled with), and of no other.
func TestExploreRulesAreTheRulesItNames(t *testing.T) {
	files, err := filepath.Glob("internal/judge/*.go")
	if err != nil {
		t.Fatal(err)
	}
	causes, err := filepath.Glob("internal/explore/*.go") // the causes it names: RB-01, RB-02, STLT-07
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, causes...)
	id := regexp.MustCompile(`"((?:SD|STLT|SL|RL|E|LG|SS|RB|SP)-\d\d)"`)
	var named []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range id.FindAllStringSubmatch(string(src), -1) {
			if !slices.Contains(named, m[1]) {
				named = append(named, m[1])
			}
		}
	}
	for _, r := range named {
		if _, ok := RuleByID(r); !ok {
			t.Errorf("the exploration names %s, which is no rule", r)
		}
		if !slices.Contains(exploreRules, r) {
			t.Errorf("the exploration names %s, but the explore spec is not labelled with it", r)
		}
	}
	for _, r := range exploreRules {
		if !slices.Contains(named, r) {
			t.Errorf("the explore spec is labelled %s, which the exploration never names", r)
		}
	}
}
