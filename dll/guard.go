package dll

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mapiconf/mapiconf/internal/cbuild"
)

//go:embed guard/guard.c
var guardSource []byte

// guardName is the file name of the guard DLL BuildGuard writes.
const guardName = "mapiconf-guard.dll"

// BuildGuard builds mapiconf-guard.dll (the guard of Options.Guard) into
// dir with cc, a mingw-w64 gcc of the bitness of the DLL under test
// (x86_64-w64-mingw32-gcc or i686-w64-mingw32-gcc on Linux, the gcc of
// MSYS2's mingw64 or mingw32 or of GitHub's Windows runners on Windows), and
// returns its path. The C source is carried in this package, so that a mapiconf
// installed with go install builds its guard without a checkout.
func BuildGuard(cc, dir string) (string, error) {
	src := filepath.Join(dir, "mapiconf-guard.c")
	if err := os.WriteFile(src, guardSource, 0o644); err != nil {
		return "", err
	}
	out := filepath.Join(dir, guardName)
	// Built once per compiler and source: package cbuild keeps it.
	if err := cbuild.Compile(cc, []string{"-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-o", out, src}, out, src); err != nil {
		return "", fmt.Errorf("dll: building the guard: %w", err)
	}
	return out, nil
}
