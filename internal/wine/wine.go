// Package wine runs package dll's Windows tests on Linux: it builds the C
// code (the reference provider and its known-bad variants, the guard, the
// test providers with a bad MSProviderInit) with mingw-w64, cross-builds the
// Windows test binary, and runs it under Wine.
//
// What it does about Wine 8.0, measured on Debian 12:
//   - Go 1.22 and later need ProcessPrng from bcryptprimitives.dll, which
//     Wine 8.0 lacks: a shim built here goes into the prefix's system32.
//   - Wine's server and services inherit the first program's stdout, so a
//     test whose output is piped waits for them: they are started first,
//     with every standard stream redirected (wineserver -p, then one
//     `wine cmd /c exit`).
//   - WINEDEBUG=-all and WINEDLLOVERRIDES="mscoree,mshtml=" keep Wine quiet
//     and stop it offering to install Mono and Gecko into a new prefix.
package wine

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/mapiconf/mapiconf/dll"
)

// InstallHint is what to install on Debian or Ubuntu.
const InstallHint = "apt-get install wine64 gcc-mingw-w64-x86-64"

// RequireEnv, when "1", makes missing tools a failure instead of a skip
// (.ci/run and `make conformance-dll` set it).
const RequireEnv = "MAPICONF_REQUIRE_WINE"

// Tools are the programs the Windows tests need on Linux.
type Tools struct {
	Wine       string // wine64 (Debian's wine64 package) or wine
	Wineserver string
	CC         string // x86_64-w64-mingw32-gcc
}

// Find looks for Wine and mingw-w64. Its error names what is missing and
// the command that installs it.
func Find() (Tools, error) {
	var t Tools
	var missing []string
	t.Wine = look("wine64", "/usr/lib/wine/wine64", "wine")
	t.Wineserver = look("wineserver", "/usr/lib/wine/wineserver64", "/usr/lib/wine/wineserver")
	if t.Wine == "" || t.Wineserver == "" {
		missing = append(missing, "Wine (64-bit: wine64, wineserver)")
	}
	t.CC = look("x86_64-w64-mingw32-gcc")
	if t.CC == "" {
		missing = append(missing, "mingw-w64 (x86_64-w64-mingw32-gcc)")
	}
	if len(missing) > 0 {
		return t, fmt.Errorf("%s not found: on Debian or Ubuntu, install with `%s` (as root)", strings.Join(missing, " and "), InstallHint)
	}
	return t, nil
}

// A TB is the part of testing.TB that ForTest uses.
type TB interface {
	Helper()
	Fatal(args ...any)
	Skipf(format string, args ...any)
}

// ForTest finds the tools for a test that runs Windows code under Wine: it
// skips the test, saying what to install, when this is no x86-64 machine or
// the tools are missing, and fails it instead when RequireEnv is "1".
func ForTest(t TB) Tools {
	t.Helper()
	if runtime.GOARCH != "amd64" {
		t.Skipf("running 64-bit Windows code under Wine needs an x86-64 machine; this is %s", runtime.GOARCH)
	}
	tools, err := Find()
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatal(err)
		}
		t.Skipf("%v (set %s=1 to make this a failure)", err, RequireEnv)
	}
	return tools
}

// look returns the first of names found on PATH or as a path.
func look(names ...string) string {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// A Variant is the C reference provider built with one define.
type Variant struct {
	Name   string // the DLL is Name + ".dll"
	Define string // "" for the provider itself
	Doc    string
	// Declares lists the rules the suite must find broken, in the
	// deferred profile the provider follows, as reference.Bad does.
	Declares []string
	// Hostile, for a variant that crashes or hangs, names the Go hostile
	// provider (reference.HostileProviders) that panics or hangs in the
	// same call: the variant must fail exactly the rules it fails, each
	// failure naming the call, and Fault what went wrong there.
	Hostile, Call, Fault string
}

// Variants are the C provider and its known-bad variants.
var Variants = []Variant{
	{Name: "provider", Doc: "the C reference provider: no flaw"},
	{Name: "no-stlt", Define: "FLAW_NO_STLT", Doc: "StoreLogoffTransports is never called",
		Declares: []string{"STLT-01", "STLT-02", "STLT-04", "SS-02", "SP-01", "SP-02"}},
	{Name: "wrong-flag", Define: "FLAW_WRONG_FLAG", Doc: "StoreLogoff saves LOGOFF_ABORT instead of the caller's flag",
		Declares: []string{"STLT-03", "STLT-06", "SS-02"}},
	{Name: "stlt-after-support-release", Define: "FLAW_STLT_AFTER_SUPPORT_RELEASE", Doc: "the store's end releases the support, then calls StoreLogoffTransports",
		Declares: []string{"STLT-05", "RL-03", "E-05"}},
	{Name: "support-released-twice", Define: "FLAW_SUPPORT_RELEASED_TWICE", Doc: "the store's end releases the support twice",
		Declares: []string{"RL-01", "RL-03"}},
	{Name: "crash-in-storelogoff", Define: "FLAW_CRASH_IN_STORELOGOFF", Doc: "StoreLogoff writes through a NULL pointer",
		Hostile: "panic-in-storelogoff", Call: "IMsgStore::StoreLogoff", Fault: "EXCEPTION_ACCESS_VIOLATION (0xC0000005)"},
	{Name: "hang-in-logoff", Define: "FLAW_HANG_IN_LOGOFF", Doc: "IMSLogon::Logoff never returns",
		Hostile: "hang-in-logoff", Call: "IMSLogon::Logoff", Fault: "hung"},
}

// BadInits are the test DLLs whose MSProviderInit is wrong, by define.
var BadInits = []string{"INIT_FAILS", "INIT_WRONG_VERSION", "INIT_NULL_PROVIDER", "INIT_CRASHES"}

// Build builds every DLL package dll's Windows tests load into dir: the
// guard, the C provider's variants and the bad MSProviderInits. root is the
// module's root directory.
func (t Tools) Build(root, dir string) error {
	if _, err := dll.BuildGuard(t.CC, dir); err != nil {
		return err
	}
	for _, v := range Variants {
		var flags []string
		if v.Define != "" {
			flags = append(flags, "-D"+v.Define)
		}
		if err := t.BuildDLL(filepath.Join(dir, v.Name+".dll"), filepath.Join(root, "reference/c/provider.c"), flags...); err != nil {
			return err
		}
	}
	for _, d := range BadInits {
		if err := t.BuildDLL(filepath.Join(dir, strings.ToLower(d)+".dll"), filepath.Join(root, "dll/testdata/badinit.c"), "-D"+d, "-Wno-unused-parameter"); err != nil {
			return err
		}
	}
	return nil
}

// BuildDLL builds the DLL out from the C file src; libraries (-l) in flags
// go after the source, where the linker looks for them.
func (t Tools) BuildDLL(out, src string, flags ...string) error {
	args := []string{"-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-o", out}
	var libs []string
	for _, f := range flags {
		if strings.HasPrefix(f, "-l") {
			libs = append(libs, f)
		} else {
			args = append(args, f)
		}
	}
	args = append(append(args, src), libs...)
	var stderr bytes.Buffer
	cmd := exec.Command(t.CC, args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building %s: %s %s: %v\n%s", filepath.Base(out), t.CC, strings.Join(args, " "), err, stderr.String())
	}
	return nil
}

// GoBuild cross-builds a Windows program: go with args (build or test -c),
// run in dir, for windows/amd64 without cgo.
func GoBuild(dir string, args ...string) error {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("cross-building for Windows (go %s, in %s): %v\n%s", strings.Join(args, " "), dir, err, b)
	}
	return nil
}

// StartTimeout bounds Start's first Wine program: making a new prefix took
// up to 3 minutes on a loaded machine.
var StartTimeout = 10 * time.Minute

// Env is the environment Wine runs with: the prefix, and quiet.
func Env(prefix string) []string {
	return append(os.Environ(), "WINEPREFIX="+prefix, "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml=", "WINEARCH=win64")
}

// Command is the Windows program exe, with args, to be run under Wine in
// the prefix that Start started.
func (t Tools) Command(prefix, exe string, args ...string) *exec.Cmd {
	cmd := exec.Command(t.Wine, append([]string{exe}, args...)...)
	cmd.Env = Env(prefix)
	return cmd
}

//go:embed shim/bcryptprimitives.c
var shimSource []byte

// Start makes the prefix if it is new (about 5-15 s once), builds the
// ProcessPrng shim into its system32, and starts Wine's server and services
// detached from every standard stream, so that the programs run next do not
// wait for them.
func (t Tools) Start(prefix string) error {
	env := Env(prefix)
	// A new prefix takes seconds to minutes; a broken one can keep Wine's
	// setup spinning for ever.
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	detached := func(name string, args ...string) error {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Env = env
		cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil // /dev/null
		return cmd.Run()
	}
	if err := os.MkdirAll(prefix, 0o755); err != nil {
		return err
	}
	// The server stays up 60 s after its last program, so that the test
	// programs run next find it, and then goes with Wine's services. One
	// already running for this prefix makes wineserver exit 2: that is
	// what is wanted, and the next command fails if it is not.
	detached(t.Wineserver, "-p60")
	if err := detached(t.Wine, "cmd", "/c", "exit"); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("it did not start within %v", StartTimeout)
		}
		return fmt.Errorf("starting Wine in the prefix %s (%s cmd /c exit): %w; if the prefix is broken, remove it, or set MAPICONF_WINEPREFIX to another directory", prefix, t.Wine, err)
	}
	// The shim is built from the source carried in this package, so that
	// it needs no checkout.
	tmp, err := os.MkdirTemp(prefix, "mapiconf-shim")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	src := filepath.Join(tmp, "bcryptprimitives.c")
	if err := os.WriteFile(src, shimSource, 0o644); err != nil {
		return err
	}
	// Built aside and renamed into place, and only when it changed: other
	// runs in the same prefix may be loading it.
	sys32 := filepath.Join(prefix, "drive_c", "windows", "system32")
	shim, built := filepath.Join(sys32, "bcryptprimitives.dll"), src+".dll"
	if err := t.BuildDLL(built, src, "-lbcrypt"); err != nil {
		return fmt.Errorf("installing the ProcessPrng shim: %w", err)
	}
	old, _ := os.ReadFile(shim)
	if b, err := os.ReadFile(built); err != nil || !bytes.Equal(b, old) {
		if err := os.Rename(built, shim); err != nil {
			return fmt.Errorf("installing the ProcessPrng shim: %w", err)
		}
	}
	return nil
}

// Prefix is the Wine prefix the tests use: kept in the user's cache, so that
// only the first run pays for making it.
func Prefix() (string, error) {
	if p := os.Getenv("MAPICONF_WINEPREFIX"); p != "" {
		return p, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", errors.New("no cache directory for the Wine prefix: set MAPICONF_WINEPREFIX")
	}
	return filepath.Join(dir, "mapiconf", "wineprefix"), nil
}

// WindowsPath is an absolute Linux path as a Windows program under Wine
// sees it: on drive Z:, which is /.
func WindowsPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		abs = p
	}
	return `Z:` + strings.ReplaceAll(abs, "/", `\`)
}
