// Package generated keeps the repository's generated files (the rule
// catalogue, the kill matrix, the real providers' verdicts) in step with
// the code that makes them.
package generated

import (
	"bytes"
	"os"
	"testing"
)

// Check fails t when the file at path does not hold want, naming the
// command that regenerates it; with update it writes want there instead.
func Check(t *testing.T, path string, want []byte, update bool, regenerate string) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s is stale: run `%s` (or `make generate`)", path, regenerate)
	}
}
