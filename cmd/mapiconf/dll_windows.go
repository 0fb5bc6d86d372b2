package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/dll"
)

// dllConfig loads the provider DLL at path, in the child process
// (testInChild). Every call into it goes through the guard at guard, which
// the parent built unless -guard named one; without one the calls are
// made directly, and a crash in the DLL ends the run.
func dllConfig(path, guard string, profile conformance.Profile, caps conformance.Capabilities, stderr io.Writer) (conformance.Config, func(), error) {
	lib, err := dll.Open(path, dll.Options{Guard: guard})
	if err != nil {
		return conformance.Config{}, func() {}, err
	}
	return lib.Config(profile, caps), func() {}, nil
}

// buildGuard builds mapiconf-guard.dll into a new directory with the first
// mingw-w64 gcc on PATH.
func buildGuard() (guard, dir string, err error) {
	var cc string
	for _, name := range []string{"x86_64-w64-mingw32-gcc", "gcc"} {
		if p, err := exec.LookPath(name); err == nil {
			cc = p
			break
		}
	}
	if cc == "" {
		return "", "", fmt.Errorf("no mingw-w64 gcc on PATH to build mapiconf-guard.dll (install MSYS2's mingw-w64-x86_64-gcc, or give -guard)")
	}
	if dir, err = os.MkdirTemp("", "mapiconf-guard"); err != nil {
		return "", "", err
	}
	guard, err = dll.BuildGuard(cc, dir)
	return guard, dir, err
}

// newChild makes the child that tests a provider DLL on Windows: this
// command again, which loads the DLL in its own process. Unless -guard
// names one, the guard is built here with the first mingw-w64 gcc on PATH,
// and removed once the child, which loaded it, has ended; with no gcc the
// child calls the DLL directly, and says so.
func newChild(f *testFlags, stderr io.Writer) (child, error) {
	exe, err := os.Executable()
	if err != nil {
		return child{}, err
	}
	ch := child{
		command: func(args ...string) *exec.Cmd { return exec.Command(exe, args...) },
		path:    func(p string) string { return p },
		guard:   f.guard,
		cleanup: func() {},
	}
	if ch.guard == "" {
		guard, dir, err := buildGuard()
		if dir != "" {
			ch.cleanup = func() { os.RemoveAll(dir) }
		}
		if err != nil {
			fmt.Fprintf(stderr, "mapiconf test: warning: no guard, so a crash in %s ends the run with no report: %v\n", f.dll, err)
		} else {
			ch.guard = guard
		}
	}
	return ch, nil
}
