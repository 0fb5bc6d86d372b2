// Package examples proves that the example third-party module under
// thirdparty/ builds and passes against this checkout, both as a plain
// module and vendored, as provider repositories use mapiconf.
package examples

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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

	t.Run("vendored", func(t *testing.T) {
		run(t, dir, "go", "mod", "vendor")
		if _, err := os.Stat(filepath.Join(dir, "vendor", "github.com", "mapiconf", "mapiconf", "conformance")); err != nil {
			t.Fatalf("go mod vendor did not vendor the suite: %v", err)
		}
		run(t, dir, "go", "test", "-count=1", "-mod=vendor", "./...")
	})
}

// copyModule copies the example module to a temporary directory, pointing
// its replace directive at this checkout, so that the test writes nothing
// into the source tree.
func copyModule(t *testing.T, name, root string) string {
	t.Helper()
	dst := t.TempDir()
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
