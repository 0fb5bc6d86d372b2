// Package examples proves that the example third-party module under
// thirdparty/ builds and passes against this checkout, both as a plain
// module and vendored, as provider repositories use mapiconf.
package examples

import (
	"context"
	"encoding/xml"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/internal/keptdir"
	"github.com/mapiconf/mapiconf/reference"
)

func TestThirdPartyModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a second module; skipped with -short")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := copyModule(t, "thirdparty", root)
	run(t, dir, "go", "test", "-count=1", "./...")

	t.Run("ginkgo CLI", func(t *testing.T) { ginkgoCLI(t, dir) })

	t.Run("vendored", func(t *testing.T) {
		run(t, dir, "go", "mod", "vendor")
		if _, err := os.Stat(filepath.Join(dir, "vendor", "github.com", "mapiconf", "mapiconf", "conformance")); err != nil {
			t.Fatalf("go mod vendor did not vendor the suite: %v", err)
		}
		run(t, dir, "go", "test", "-count=1", "-mod=vendor", "./...")
	})
}

// copyModule copies the example module to a directory of its own, pointing
// its replace directive at this checkout, so that the test writes nothing
// into the source tree. The directory is at the same path on every run
// (package keptdir), so that the vendored packages build from Go's build
// cache the next time.
func copyModule(t *testing.T, name, root string) string {
	t.Helper()
	dst := keptdir.For(t, "examples-"+name)
	err := filepath.WalkDir(name, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(name, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			if d.Name() == "vendor" {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if d.Name() == "go.mod" {
			b = []byte(strings.ReplaceAll(string(b), "=> ../..", "=> "+root))
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// ginkgoCLI runs the example module's two suites under the Ginkgo CLI with a
// label filter and a JUnit report, as a provider's CI would, and checks that
// the CLI saw both as Ginkgo suites: each ran exactly the specs the filter
// selects, and the JUnit file lists them.
func ginkgoCLI(t *testing.T, dir string) {
	run(t, dir, "go", "tool", "ginkgo", "--label-filter=STLT-04", "--junit-report=junit.xml", "--no-color", "./...")
	b, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		Suites []struct {
			Package string `xml:"package,attr"`
			Cases   []struct {
				Name   string `xml:"name,attr"`
				Status string `xml:"status,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &j); err != nil {
		t.Fatalf("junit.xml: %v", err)
	}
	// The specs of STLT-04 that each suite's provider can run: the plain
	// test declares every capability, the Ginkgo suite none.
	full := conformance.Capabilities{StatusRow: true, Objects: true, Subobject: "msg-1", StatusObject: true, MultipleStores: true}
	want := map[string]int{
		"":            stlt04Specs(t, full),
		"ginkgosuite": stlt04Specs(t, conformance.Capabilities{}),
	}
	got := map[string]int{}
	for _, s := range j.Suites {
		pkg := strings.TrimPrefix(strings.TrimPrefix(s.Package, dir), "/")
		for _, c := range s.Cases {
			if c.Status == "skipped" || !strings.HasPrefix(c.Name, "[It]") {
				continue
			}
			if c.Status != "passed" || !strings.Contains(c.Name, "STLT-04") {
				t.Errorf("%s: %s is %s", pkg, c.Name, c.Status)
			}
			got[pkg]++
		}
	}
	for pkg, n := range want {
		if got[pkg] != n {
			t.Errorf("package %q: the JUnit report has %d specs run, want %d (the specs of STLT-04 it can run)", pkg, got[pkg], n)
		}
	}
}

// stlt04Specs counts the specs of STLT-04 that a provider with the given
// capabilities runs rather than skips.
func stlt04Specs(t *testing.T, caps conformance.Capabilities) int {
	cfg := reference.Config(reference.Options{Deferred: true, StatusRow: true})
	cfg.Capabilities = caps
	res, err := conformance.Check(context.Background(), cfg, "STLT-04")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range res {
		if r.Status != conformance.Skipped {
			n++
		}
	}
	return n
}

func run(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s in the example module: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}
