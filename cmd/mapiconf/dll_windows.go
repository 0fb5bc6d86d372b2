package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
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
	var le *dll.LoadError
	if errors.As(err, &le) && le.Hung && os.Getenv(doneEnv) != "" {
		// The loader's lock is held for good: printing may not even
		// work. The parent reads the call record and says why.
		exit(exitUsage)
	}
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
		const currentProcess = ^uintptr(0) // GetCurrentProcess's pseudo-handle
		procTerminateProcess.Call(currentProcess, uintptr(status))
	}
	os.Exit(status)
}

// procTerminateProcess is found before any DLL is loaded: finding a
// function takes the loader's lock, which a hung DllMain holds.
var procTerminateProcess = syscall.NewLazyDLL("kernel32.dll").NewProc("TerminateProcess")

func init() { procTerminateProcess.Find() }

// guardCompilers are the mingw-w64 gccs that may build the guard for a
// bitness, the first found on PATH first: a cross compiler's name says its
// target; MSYS2's gcc (mingw64 or mingw32) is checked by what it built.
var guardCompilers = map[string][]string{
	"amd64": {"x86_64-w64-mingw32-gcc", "gcc"},
	"386":   {"i686-w64-mingw32-gcc", "gcc"},
}

// buildGuard builds mapiconf-guard.dll of bitness arch into a new
// directory, with the first mingw-w64 gcc on PATH that builds one of that
// bitness.
func buildGuard(arch string) (guard, dir string, err error) {
	if dir, err = os.MkdirTemp("", "mapiconf-guard"); err != nil {
		return "", "", err
	}
	var tried []string
	for _, name := range guardCompilers[arch] {
		cc, lerr := exec.LookPath(name)
		if lerr != nil {
			continue
		}
		g, berr := dll.BuildGuard(cc, dir)
		if berr != nil {
			tried = append(tried, berr.Error())
			continue
		}
		if img, ierr := dll.Inspect(g); ierr == nil && img.Arch == arch {
			return g, dir, nil
		}
		tried = append(tried, cc+" builds for the other bitness")
	}
	msys := map[string]string{"amd64": "mingw-w64-x86_64-gcc (MSYS2's mingw64)", "386": "mingw-w64-i686-gcc (MSYS2's mingw32)"}[arch]
	return "", dir, fmt.Errorf("no mingw-w64 gcc on PATH builds a windows/%s mapiconf-guard.dll (install %s and put it on PATH, or give -guard)%s",
		arch, msys, strings.Join(append([]string{""}, tried...), "\n  "))
}

// newChild makes the child that tests a provider DLL on Windows: this
// command again if it has the DLL's bitness arch, else this command built
// for it (GOARCH=386 for an x86 DLL: a process loads DLLs of its own
// bitness only), which loads the DLL in its own process. Unless -guard
// names one, the guard is built here with the first mingw-w64 gcc on PATH
// for that bitness, and removed once the child, which loaded it, has
// ended; with no gcc the child calls the DLL directly, and says so.
func newChild(f *testFlags, arch string, stderr io.Writer) (child, error) {
	exe, err := os.Executable()
	if err != nil {
		return child{}, err
	}
	var dirs []string
	ch := child{
		path:  func(p string) string { return p },
		guard: f.guard,
		cleanup: func() {
			for _, d := range dirs {
				os.RemoveAll(d)
			}
		},
	}
	if arch != runtime.GOARCH {
		src, err := mapiconfSource()
		if err != nil {
			return ch, err
		}
		dir, err := os.MkdirTemp("", "mapiconf-"+arch)
		if err != nil {
			return ch, err
		}
		dirs = append(dirs, dir)
		exe = filepath.Join(dir, "mapiconf.exe")
		fmt.Fprintf(stderr, "mapiconf: building mapiconf for windows/%s from %s, to load %s\n", arch, src, f.dll)
		build := exec.Command("go", "build", "-o", exe, "./cmd/mapiconf")
		build.Dir = src
		build.Env = append(os.Environ(), "GOOS=windows", "GOARCH="+arch, "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			ch.cleanup()
			return ch, fmt.Errorf("building mapiconf for windows/%s (go build, in %s): %v\n%s", arch, src, err, out)
		}
	}
	ch.command = func(args ...string) *exec.Cmd { return exec.Command(exe, args...) }
	if ch.guard == "" {
		guard, dir, err := buildGuard(arch)
		if dir != "" {
			dirs = append(dirs, dir)
		}
		if err != nil {
			fmt.Fprintf(stderr, "mapiconf test: warning: no guard, so a crash in %s ends the run with no report: %v\n", f.dll, err)
		} else {
			ch.guard = guard
		}
	}
	return ch, nil
}
