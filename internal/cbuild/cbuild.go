// Package cbuild runs a C compiler once per distinct compile: the output
// of a compile is kept in mapiconf's cache and copied out when the same
// compile comes again, as Go's build cache does for Go. mapiconf compiles
// the same few C files (the guard, the ProcessPrng shim for Wine, the C
// reference provider and its variants) for every `mapiconf test -dll` and
// every test that loads a DLL; each compile of a file that includes
// windows.h takes about a second of CPU.
//
// A compile is the same when the compiler (its path, size and time), its
// arguments and the contents of the source files and of every file they
// include with quotes are. Like Go's build cache for cgo, the key leaves
// out the compiler's own headers (<windows.h>): a new compiler version
// comes with new headers, and changes the compiler's time.
package cbuild

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Compile runs cc with args, which write the file out from the C files
// srcs (both among args), unless a compile with the same key ran before:
// then it copies that compile's output to out. A failed compile is not
// kept: its error says what cc printed.
func Compile(cc string, args []string, out string, srcs ...string) error {
	dir := cacheDir()
	key, err := compileKey(cc, args, out, srcs)
	if dir == "" || err != nil {
		return run(cc, args)
	}
	cached := filepath.Join(dir, key+filepath.Ext(out))
	if copyFile(out, cached) == nil {
		now := time.Now()
		os.Chtimes(cached, now, now) // in use: trim keeps it
		return nil
	}
	if err := run(cc, args); err != nil {
		return err
	}
	store(dir, cached, out)
	return nil
}

func run(cc string, args []string) error {
	var stderr bytes.Buffer
	cmd := exec.Command(cc, args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", cc, strings.Join(args, " "), err, stderr.String())
	}
	return nil
}

// cacheDir is the directory of kept compiles, made if need be: in the
// user's cache directory, beside the Wine prefix, or "" for none
// (MAPICONF_CBUILD=off, or no cache directory).
func cacheDir() string {
	if os.Getenv("MAPICONF_CBUILD") == "off" {
		return ""
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	dir := filepath.Join(base, "mapiconf", "cbuild")
	if os.MkdirAll(dir, 0o755) != nil {
		return ""
	}
	return dir
}

// compileKey hashes what decides a compile's output. The paths of the
// output and of the sources are left out of the arguments (their contents
// are in): the same compile in another directory is the same compile.
func compileKey(cc string, args []string, out string, srcs []string) (string, error) {
	path, err := exec.LookPath(cc)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(path) // through the links (alternatives) to the compiler itself
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "cc %s %d %d\n", path, fi.Size(), fi.ModTime().UnixNano())
	for _, a := range args {
		if a == out {
			a = "$OUT"
		}
		for i, src := range srcs {
			if a == src {
				a = fmt.Sprintf("$SRC%d", i)
			}
		}
		fmt.Fprintf(h, "arg %q\n", a)
	}
	seen := map[string]bool{}
	for _, src := range srcs {
		if err := hashSource(h, src, seen); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// quoted matches an #include of a file of the project's own.
var quoted = regexp.MustCompile(`(?m)^\s*#\s*include\s*"([^"]+)"`)

// hashSource hashes the file and, recursively, the files it includes with
// quotes, as the compiler finds them: beside the including file.
func hashSource(h io.Writer, path string, seen map[string]bool) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if seen[abs] {
		return nil
	}
	seen[abs] = true
	b, err := os.ReadFile(abs)
	if err != nil {
		return err
	}
	fmt.Fprintf(h, "file %s %d\n", filepath.Base(abs), len(b))
	h.Write(b)
	for _, m := range quoted.FindAllSubmatch(b, -1) {
		inc := filepath.Join(filepath.Dir(abs), string(m[1]))
		if _, err := os.Stat(inc); err != nil {
			continue // not beside it: on the -I path, which the arguments name
		}
		if err := hashSource(h, inc, seen); err != nil {
			return err
		}
	}
	return nil
}

// store keeps out as cached: written aside and renamed into place, so that
// a concurrent Compile copies a whole file or none. Compiles unused for
// two weeks go.
func store(dir, cached, out string) {
	tmp, err := os.CreateTemp(dir, "tmp-*")
	if err != nil {
		return
	}
	defer os.Remove(tmp.Name())
	src, err := os.Open(out)
	if err != nil {
		tmp.Close()
		return
	}
	_, err = io.Copy(tmp, src)
	src.Close()
	if tmp.Close() != nil || err != nil {
		return
	}
	if os.Rename(tmp.Name(), cached) != nil {
		return
	}
	trim(dir)
}

func trim(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > 14*24*time.Hour {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// copyFile copies src to dst, replacing it.
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
