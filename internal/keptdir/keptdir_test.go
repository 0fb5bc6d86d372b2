//go:build unix

package keptdir

import (
	"os"
	"path/filepath"
	"testing"
)

// The directory is the same on every run, empty at the start, and a second
// holder at the same time gets a directory of its own.
func TestFor(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	var first string
	t.Run("first", func(t *testing.T) {
		first = For(t, "x")
		ro := filepath.Join(first, "ro", "file")
		os.MkdirAll(filepath.Dir(ro), 0o755)
		os.WriteFile(ro, []byte("x"), 0o444)
		os.Chmod(filepath.Dir(ro), 0o555) // as a module cache leaves it
		if other := For(t, "x"); other == first {
			t.Errorf("a second holder got the held directory %s", other)
		}
	})
	t.Run("again", func(t *testing.T) {
		again := For(t, "x")
		if again != first {
			t.Errorf("the second run got %s, the first %s", again, first)
		}
		if entries, _ := os.ReadDir(again); len(entries) != 0 {
			t.Errorf("the kept directory is not empty at the start: %v", entries)
		}
	})
}
