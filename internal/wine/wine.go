// Package wine runs mapiconf's Windows programs on Linux: it finds Wine and
// mingw-w64, builds DLLs with mingw-w64, cross-builds Go programs for
// Windows, and starts them under Wine in a prefix of mapiconf's.
// `mapiconf test -dll` runs its Windows build this way, and the tests of
// package dll their Windows test binary (with package winetest).
//
// A Windows program runs with the bitness of the provider DLL it loads, as
// Outlook does: amd64 for an x64 DLL, 386 for an x86 one, both in one
// 64-bit prefix (Wine runs 32-bit programs as Windows does, with the
// 32-bit system DLLs in syswow64).
//
// What it does about Wine 8.0, measured on Debian 12:
//   - Go 1.22 and later need ProcessPrng from bcryptprimitives.dll, which
//     Wine 8.0 lacks: a shim built here goes into the prefix's system32
//     (64-bit) or syswow64 (32-bit). The 32-bit one is linked with
//     --kill-at: mingw would otherwise export the stdcall name
//     ProcessPrng@8, Go would not find ProcessPrng, and a 32-bit Go
//     program would die at start calling through a NULL pointer.
//   - Wine's server and services inherit the first program's stdout, so a
//     test whose output is piped waits for them: they are started first,
//     with every standard stream redirected (wineserver -p, then one
//     `wine cmd /c exit`).
//   - WINEDEBUG=-all and WINEDLLOVERRIDES="mscoree,mshtml=" keep Wine quiet
//     and stop it offering to install Mono and Gecko into a new prefix;
//     "winedbg.exe=d" keeps a crash from starting Wine's debugger, which
//     starts explorer.exe, which holds the crashed program's output open
//     until the prefix's last program ends.
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
	"strings"
	"sync"
	"time"

	"github.com/mapiconf/mapiconf/internal/cbuild"
)

// The bitnesses, as GOARCH spells them.
const (
	AMD64 = "amd64" // x64: 64-bit Outlook, a 64-bit provider DLL
	I386  = "386"   // x86: 32-bit Outlook, a 32-bit provider DLL
)

// installHints are what to install on Debian or Ubuntu, as root, per
// bitness: the 32-bit side of Wine comes from Debian's i386 architecture.
var installHints = map[string]string{
	AMD64: "apt-get install wine64 gcc-mingw-w64-x86-64",
	I386:  "dpkg --add-architecture i386 && apt-get update && apt-get install wine64 wine32:i386 gcc-mingw-w64-i686",
}

// Tools are the programs a Windows program of mapiconf's needs on Linux,
// for one bitness.
type Tools struct {
	Arch       string // AMD64 or I386: what GoBuild builds, what CC compiles for
	Wine       string // wine64 (Debian's wine64 package) or wine: it starts 32-bit programs too
	Wineserver string
	CC         string // x86_64-w64-mingw32-gcc, or i686-w64-mingw32-gcc for I386
}

// Find looks for Wine and mingw-w64 for programs and DLLs of bitness arch
// (AMD64 or I386). Its error names what is missing and the commands that
// install it.
func Find(arch string) (Tools, error) {
	t := Tools{Arch: arch}
	var missing []string
	t.Wine = look("wine64", "/usr/lib/wine/wine64", "wine")
	t.Wineserver = look("wineserver", "/usr/lib/wine/wineserver64", "/usr/lib/wine/wineserver")
	if t.Wine == "" || t.Wineserver == "" {
		missing = append(missing, "Wine (64-bit: wine64, wineserver)")
	}
	switch arch {
	case AMD64:
		t.CC = look("x86_64-w64-mingw32-gcc")
		if t.CC == "" {
			missing = append(missing, "mingw-w64 (x86_64-w64-mingw32-gcc)")
		}
	case I386:
		if t.Wine != "" && !has32BitSide(t.Wine) {
			missing = append(missing, "Wine's 32-bit side (wine32:i386)")
		}
		t.CC = look("i686-w64-mingw32-gcc")
		if t.CC == "" {
			missing = append(missing, "mingw-w64 for x86 (i686-w64-mingw32-gcc)")
		}
	default:
		return t, fmt.Errorf("wine: no bitness %q: %s (x64) or %s (x86)", arch, AMD64, I386)
	}
	if len(missing) > 0 {
		return t, fmt.Errorf("%s not found: on Debian or Ubuntu, install with `%s` (as root)", strings.Join(missing, " and "), installHints[arch])
	}
	return t, nil
}

// has32BitSide reports whether the Wine at wine can start 32-bit programs:
// its 32-bit loader, wine, is beside it (Debian's wine32:i386 puts it in
// /usr/lib/wine; WineHQ's packages in the same bin directory), or wine
// itself is the 32-bit or the dispatching loader.
func has32BitSide(wine string) bool {
	if filepath.Base(wine) == "wine" {
		return true
	}
	for _, p := range []string{filepath.Join(filepath.Dir(wine), "wine"), "/usr/lib/wine/wine"} {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return true
		}
	}
	return false
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

// BuildDLL builds the DLL out from the C file src; libraries (-l) in flags
// go after the source, where the linker looks for them. A DLL built before
// from the same source and flags comes from mapiconf's cache (package
// cbuild).
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
	if err := cbuild.Compile(t.CC, args, out, src); err != nil {
		return fmt.Errorf("building %s: %w", filepath.Base(out), err)
	}
	return nil
}

// GoBuild cross-builds a Windows program of the tools' bitness: go with
// args (build or test -c), run in dir, for windows/amd64 or windows/386,
// without cgo.
func (t Tools) GoBuild(dir string, args ...string) error {
	return t.GoBuildEnv(nil, dir, args...)
}

// GoBuildEnv is GoBuild with more environment variables.
//
// The builds for one bitness run one at a time on this machine, whichever
// process asks (go test runs packages side by side, and cmd/mapiconf's
// tests several mapiconf test -dll, each of which builds its Windows half):
// Go's build cache does not share work in progress between processes, so
// with an empty cache each would compile the same packages for Windows at
// the same time (about 75 s of CPU a bitness here), where the second,
// waiting, finds them all in the cache.
func (t Tools) GoBuildEnv(env []string, dir string, args ...string) error {
	defer buildLock(t.Arch)()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GOOS=windows", "GOARCH="+t.Arch, "CGO_ENABLED=0"), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("cross-building for windows/%s (go %s, in %s): %v\n%s", t.Arch, strings.Join(args, " "), dir, err, b)
	}
	return nil
}

// StartTimeout bounds Start's first Wine program: making a new prefix took
// up to 3 minutes on a loaded machine.
var StartTimeout = 10 * time.Minute

// Env is the environment Wine runs with: the prefix, and quiet.
func Env(prefix string) []string {
	return append(os.Environ(), "WINEPREFIX="+prefix, "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml=;winedbg.exe=d", "WINEARCH=win64")
}

// Command is the Windows program exe, with args, to be run under Wine in
// the prefix that Start started.
func (t Tools) Command(prefix, exe string, args ...string) *exec.Cmd {
	cmd := exec.Command(t.Wine, append([]string{exe}, args...)...)
	cmd.Env = Env(prefix)
	return cmd
}

var startMu sync.Mutex

//go:embed shim/bcryptprimitives.c
var shimSource []byte

// Start makes the prefix if it is new (about 5-15 s once), builds the
// ProcessPrng shim of the tools' bitness into its system32 (64-bit) or
// syswow64 (32-bit), and starts Wine's server and services
// detached from every standard stream, so that the programs run next do not
// wait for them.
func (t Tools) Start(prefix string) error {
	// One at a time in this process: two bitnesses starting a new prefix
	// at once would both make it.
	startMu.Lock()
	defer startMu.Unlock()
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
	// A 32-bit shim is linked with --kill-at, to export ProcessPrng, not
	// the stdcall-decorated ProcessPrng@8.
	sysdir, flags := "system32", []string{"-lbcrypt"}
	if t.Arch == I386 {
		sysdir, flags = "syswow64", append(flags, "-Wl,--kill-at")
	}
	shim, built := filepath.Join(prefix, "drive_c", "windows", sysdir, "bcryptprimitives.dll"), src+".dll"
	if err := t.BuildDLL(built, src, flags...); err != nil {
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

// Prefix is the Wine prefix mapiconf uses: kept in the user's cache, so that
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
