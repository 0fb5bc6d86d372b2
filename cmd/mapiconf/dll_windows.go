package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/dll"
)

// dllConfig loads the provider DLL at path. Every call into it goes
// through the guard at guard, or, with none given, a guard built here with
// mingw-w64's gcc; without a gcc the calls are made directly, and a crash in
// the DLL ends the run (it says so).
func dllConfig(path, guard string, profile conformance.Profile, caps conformance.Capabilities, stderr io.Writer) (conformance.Config, func(), error) {
	cleanup := func() {}
	if guard == "" {
		built, dir, err := buildGuard()
		if err != nil {
			fmt.Fprintf(stderr, "mapiconf test: warning: no guard, so a crash in %s ends the run with no report: %v\n", path, err)
		} else {
			guard = built
			// The guard stays loaded until the process ends, and Windows
			// keeps a loaded DLL's file: this removes what it can.
			cleanup = func() { os.RemoveAll(dir) }
		}
	}
	lib, err := dll.Open(path, dll.Options{Guard: guard})
	if err != nil {
		return conformance.Config{}, cleanup, err
	}
	return lib.Config(profile, caps), cleanup, nil
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
// command again, which loads the DLL in its own process.
func newChild(f *testFlags, _ io.Writer) (child, error) {
	exe, err := os.Executable()
	if err != nil {
		return child{}, err
	}
	return child{
		command: func(args ...string) *exec.Cmd { return exec.Command(exe, args...) },
		path:    func(p string) string { return p },
		guard:   f.guard,
		cleanup: func() {},
	}, nil
}
