package dll

import (
	"debug/pe"
	"encoding/binary"
	"fmt"
	"regexp"
	"slices"
)

// An Image is what the PE file of a provider DLL says before it is loaded:
// its bitness, and the names it exports.
type Image struct {
	Arch    string // "amd64" (x64) or "386" (x86), as GOARCH names them; "" for another machine
	Machine uint16 // the PE header's machine type
	DLL     bool   // a DLL, not a program
	Exports []string
}

// Inspect reads the PE headers and the export table of the file at path.
func Inspect(path string) (Image, error) {
	f, err := pe.Open(path)
	if err != nil {
		return Image{}, err
	}
	defer f.Close()
	img := Image{Machine: f.Machine, DLL: f.Characteristics&pe.IMAGE_FILE_DLL != 0}
	switch f.Machine {
	case pe.IMAGE_FILE_MACHINE_AMD64:
		img.Arch = "amd64"
	case pe.IMAGE_FILE_MACHINE_I386:
		img.Arch = "386"
	}
	img.Exports, err = exports(f)
	return img, err
}

// exports reads the names of the export directory (the PE/COFF
// specification, "The .edata Section"): a table of RVAs of NUL-terminated
// names.
func exports(f *pe.File) ([]string, error) {
	var dir pe.DataDirectory
	switch h := f.OptionalHeader.(type) {
	case *pe.OptionalHeader32:
		if h.NumberOfRvaAndSizes > 0 {
			dir = h.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_EXPORT]
		}
	case *pe.OptionalHeader64:
		if h.NumberOfRvaAndSizes > 0 {
			dir = h.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_EXPORT]
		}
	}
	if dir.VirtualAddress == 0 {
		return nil, nil
	}
	read := func(rva uint32, n int) ([]byte, error) {
		for _, s := range f.Sections {
			if rva >= s.VirtualAddress && rva < s.VirtualAddress+s.VirtualSize {
				b := make([]byte, n)
				_, err := s.ReadAt(b, int64(rva-s.VirtualAddress))
				return b, err
			}
		}
		return nil, fmt.Errorf("address 0x%X is in no section", rva)
	}
	hdr, err := read(dir.VirtualAddress, 40) // IMAGE_EXPORT_DIRECTORY
	if err != nil {
		return nil, fmt.Errorf("the export directory: %v", err)
	}
	n := binary.LittleEndian.Uint32(hdr[24:]) // NumberOfNames
	names := binary.LittleEndian.Uint32(hdr[32:])
	if n > 1<<16 {
		return nil, fmt.Errorf("the export directory claims %d names", n)
	}
	var out []string
	for i := range n {
		p, err := read(names+4*i, 4)
		if err != nil {
			return nil, fmt.Errorf("export name %d: %v", i, err)
		}
		b, err := read(binary.LittleEndian.Uint32(p), 256)
		if err != nil && len(b) == 0 {
			return nil, fmt.Errorf("export name %d: %v", i, err)
		}
		if j := slices.Index(b, 0); j >= 0 {
			b = b[:j]
		}
		out = append(out, string(b))
	}
	return out, nil
}

// entryPoint is the name MAPI looks up, and decorated matches the names a
// compiler gives MSProviderInit declared __stdcall on x86: MSProviderInit@36
// (mingw-w64) or _MSProviderInit@36 (MSVC).
const entryPoint = "MSProviderInit"

var decorated = regexp.MustCompile(`^_?MSProviderInit@\d+$`)

// CheckEntryPoint is the error for an image that exports no
// MSProviderInit, naming the mistake when it exports a decorated one.
func (img Image) CheckEntryPoint(path string) error {
	if slices.Contains(img.Exports, entryPoint) {
		return nil
	}
	for _, name := range img.Exports {
		if decorated.MatchString(name) {
			return fmt.Errorf("%s exports %s but no MSProviderInit: the name a compiler gives a __stdcall function on x86. "+
				"MAPI looks up MSProviderInit and calls it __cdecl (STDMAPIINITCALLTYPE, mapidefs.h), so 32-bit Outlook does not load this provider. "+
				"Declare it as mapispi.h's MSPROVIDERINIT, HRESULT STDMAPIINITCALLTYPE MSProviderInit(...), with no WINAPI, STDMETHODCALLTYPE or __stdcall "+
				"(a .def file's MSProviderInit=%s only hides the mismatch: the stack is then corrupted at every call)", path, name, name)
		}
	}
	return noEntryPoint(path)
}

func noEntryPoint(path string) error {
	return fmt.Errorf("%s exports no MSProviderInit, the entry point of a message store provider (msproviderinit.md)", path)
}

// Bitness names the image's bitness as a provider author says it: "an x64
// (64-bit) DLL".
func (img Image) Bitness() string {
	switch img.Arch {
	case "amd64":
		return "an x64 (64-bit) DLL"
	case "386":
		return "an x86 (32-bit) DLL"
	}
	if img.Machine == pe.IMAGE_FILE_MACHINE_ARM64 {
		return "an ARM64 DLL"
	}
	return fmt.Sprintf("a DLL for machine 0x%X", img.Machine)
}
