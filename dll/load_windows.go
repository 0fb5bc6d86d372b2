//go:build windows

package dll

import (
	"debug/pe"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// A LoadError is a DLL that did not load, with the cause in words: each way
// a DLL fails to load has its own.
type LoadError struct {
	Path  string
	Cause string
	Err   error // LoadLibrary's, if it answered
	// Hung: LoadLibrary never returned. Its thread holds the loader's
	// lock, which much of Windows needs (finding a function of a DLL,
	// starting a thread): the process can do little more than end.
	Hung bool
}

func (e *LoadError) Error() string {
	s := fmt.Sprintf("dll: %s does not load: %s", e.Path, e.Cause)
	if e.Err != nil {
		s += fmt.Sprintf(" (LoadLibrary: %v)", e.Err)
	}
	return s
}

func (e *LoadError) Unwrap() error { return e.Err }

// LoadLibrary's errors (winerror.h).
const (
	errModNotFound  syscall.Errno = 126 // ERROR_MOD_NOT_FOUND
	errProcNotFound syscall.Errno = 127 // ERROR_PROC_NOT_FOUND
	errBadExeFormat syscall.Errno = 193 // ERROR_BAD_EXE_FORMAT
	errDLLInit      syscall.Errno = 1114
)

// load loads the DLL at path (its DllMain runs), within timeout: a DllMain
// that never returns holds the loader's lock for ever, and is reported as
// such rather than waited for.
func load(path string, timeout time.Duration, rec *callRecord) (syscall.Handle, error) {
	rec.spec(loadingMarker)
	type answer struct {
		h   syscall.Handle
		err error
	}
	done := make(chan answer, 1)
	go func() {
		h, err := syscall.LoadLibrary(path)
		done <- answer{h, err}
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case a := <-done:
		rec.spec("")
		if a.err != nil {
			return 0, &LoadError{Path: path, Cause: loadCause(path, a.err), Err: a.err}
		}
		return a.h, nil
	case <-t.C:
		return 0, &LoadError{Path: path, Cause: LoadHangs(timeout), Hung: true}
	}
}

// loadCause says why LoadLibrary refused path.
func loadCause(path string, err error) string {
	if _, serr := os.Stat(path); serr != nil {
		return "no such file"
	}
	var errno syscall.Errno
	errors.As(err, &errno)
	switch errno {
	case errDLLInit:
		return "its DllMain returned FALSE when the DLL was attached to the process (DLL_PROCESS_ATTACH)"
	case errBadExeFormat:
		return formatCause(path)
	case errModNotFound:
		if missing := missingImports(path); len(missing) > 0 {
			return fmt.Sprintf("a DLL it imports is missing: %s (looked for beside it and on the system's search path)", strings.Join(missing, ", "))
		}
		return "a DLL it imports, or one of theirs, is missing"
	case errProcNotFound:
		return "a function it imports is missing from the DLL that should export it (a DLL of another version?)"
	}
	return "LoadLibrary refused it"
}

// formatCause says why a file is no DLL of this process's kind: a process
// loads DLLs of its own bitness only (mapiconf test -dll runs the suite in
// a process of the DLL's).
func formatCause(path string) string {
	img, err := Inspect(path)
	if err != nil {
		return "it is not a PE file (a Windows DLL): " + err.Error()
	}
	if img.Arch != runtime.GOARCH {
		return fmt.Sprintf("it is %s; this process is windows/%s, and loads DLLs of its own bitness only", img.Bitness(), runtime.GOARCH)
	}
	if !img.DLL {
		return "it is a Windows program, not a DLL"
	}
	return "Windows finds it no valid DLL for this machine"
}

// missingImports names the DLLs path imports that can be found neither
// beside it nor where LoadLibrary looks (loading each as data, which runs
// none of its code).
func missingImports(path string) []string {
	f, err := pe.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	syms, err := f.ImportedSymbols() // "function:library" (ImportedLibraries answers nothing for PE)
	if err != nil {
		return nil
	}
	var libs []string
	for _, s := range syms {
		if _, lib, ok := strings.Cut(s, ":"); ok && !slices.Contains(libs, lib) {
			libs = append(libs, lib)
		}
	}
	const asDatafile = 0x2 // LOAD_LIBRARY_AS_DATAFILE
	k := syscall.NewLazyDLL("kernel32.dll")
	loadEx, free := k.NewProc("LoadLibraryExW"), k.NewProc("FreeLibrary")
	var missing []string
	for _, lib := range libs {
		if _, err := os.Stat(filepath.Join(filepath.Dir(path), lib)); err == nil {
			continue
		}
		name, err := syscall.UTF16PtrFromString(lib)
		if err != nil {
			continue
		}
		if h, _, _ := loadEx.Call(uintptr(unsafe.Pointer(name)), 0, asDatafile); h != 0 {
			free.Call(h)
			continue
		}
		missing = append(missing, lib)
	}
	return missing
}
