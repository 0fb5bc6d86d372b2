//go:build unix

package cbuild

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A compile runs once per distinct input: the same compile into another
// directory comes from the cache; a change to the source, to a file it
// includes with quotes, to the arguments, or to the compiler runs it again.
func TestCompileOnce(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("MAPICONF_CBUILD", "")
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs")
	// The compiler: the last argument is the source, the one after -o the
	// output, which gets the source and the flags; each run is counted.
	cc := filepath.Join(dir, "cc")
	write(t, cc, "#!/bin/sh\necho run >> "+runs+"\nout=\nprev=\nfor a; do [ \"$prev\" = -o ] && out=$a; prev=$a; done\n{ echo \"$@\"; cat \"$prev\"; } > \"$out\"\n")
	os.Chmod(cc, 0o755)
	src, inc := filepath.Join(dir, "p.c"), filepath.Join(dir, "p.h")
	write(t, src, "#include \"p.h\"\n#include <windows.h>\nint f;\n")
	write(t, inc, "int g;\n")

	compile := func(out string, flags ...string) string {
		t.Helper()
		if err := Compile(cc, append(append([]string{"-o", out}, flags...), src), out, src); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	count := func() int {
		b, _ := os.ReadFile(runs)
		return strings.Count(string(b), "run")
	}
	first := compile(filepath.Join(t.TempDir(), "a.dll"))
	// The same source, copied elsewhere, is the same compile.
	moved := filepath.Join(t.TempDir(), "p.c")
	b, _ := os.ReadFile(src)
	write(t, moved, string(b))
	write(t, filepath.Join(filepath.Dir(moved), "p.h"), "int g;\n")
	out := filepath.Join(t.TempDir(), "m.dll")
	if err := Compile(cc, []string{"-o", out, moved}, out, moved); err != nil || count() != 1 {
		t.Fatalf("the same source elsewhere: %v, %d runs, want 1", err, count())
	}
	if again := compile(filepath.Join(t.TempDir(), "b.dll")); count() != 1 || again != first {
		t.Fatalf("the same compile ran %d times; the copy is %q, the first %q", count(), again, first)
	}
	compile(filepath.Join(dir, "c.dll"), "-DX")
	if count() != 2 {
		t.Fatalf("a compile with another flag ran %d times in all, want 2", count())
	}
	write(t, inc, "int h;\n")
	compile(filepath.Join(dir, "d.dll"))
	if count() != 3 {
		t.Fatalf("a compile after its included file changed ran %d times in all, want 3", count())
	}
	write(t, src, "#include \"p.h\"\nint changed;\n")
	compile(filepath.Join(dir, "e.dll"))
	if count() != 4 {
		t.Fatalf("a compile after its source changed ran %d times in all, want 4", count())
	}
	t.Setenv("MAPICONF_CBUILD", "off")
	compile(filepath.Join(dir, "f.dll"))
	if count() != 5 {
		t.Fatalf("with MAPICONF_CBUILD=off the compile ran %d times in all, want 5", count())
	}
}

// A compile that fails is not kept, and says what the compiler printed.
func TestCompileFails(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	cc := filepath.Join(dir, "cc")
	write(t, cc, "#!/bin/sh\necho 'p.c:1: error: no' >&2\nexit 1\n")
	os.Chmod(cc, 0o755)
	src := filepath.Join(dir, "p.c")
	write(t, src, "int f;\n")
	out := filepath.Join(dir, "p.dll")
	for range 2 {
		err := Compile(cc, []string{"-o", out, src}, out, src)
		if err == nil || !strings.Contains(err.Error(), "p.c:1: error: no") {
			t.Fatalf("Compile: %v, want the compiler's error", err)
		}
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
