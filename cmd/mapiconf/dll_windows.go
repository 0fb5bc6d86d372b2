package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

	"github.com/onsi/ginkgo/v2"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/dll"
)

// dllConfig loads the provider DLL -dll names, in the child process
// (testInChild). Every call into it goes through the guard -guard names,
// which the parent built unless the user gave one; without one the calls
// are made directly, and a crash in the DLL ends the run. Each call, and
// each spec as it starts, is noted in the call record the parent gave, so
// that the parent can say where a DLL that ended the process was.
func dllConfig(f *testFlags, profile conformance.Profile, caps conformance.Capabilities, stderr io.Writer) (conformance.Config, func(), error) {
	lib, err := dll.Open(f.dll, dll.Options{Guard: f.guard, CallTimeout: f.callTimeout, Record: os.Getenv(recordEnv)})
	if err != nil {
		return conformance.Config{}, func() {}, err
	}
	ginkgo.BeforeEach(func() { lib.Spec(ginkgo.CurrentSpecReport().FullText()) })
	return lib.Config(profile, caps), func() {}, nil
}

// exit ends this command with status. A child that tested a DLL ends
// itself at once (TerminateProcess): a thread of the DLL's may still be in
// a call that hung, holding a lock that ExitProcess, which runs every
// DLL's DllMain again, would wait for.
func exit(status int) {
	if os.Getenv(doneEnv) != "" {
		if p, err := syscall.GetCurrentProcess(); err == nil {
			syscall.TerminateProcess(p, uint32(status))
		}
	}
	os.Exit(status)
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
