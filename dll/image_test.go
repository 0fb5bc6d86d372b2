package dll

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// MAPI finds a provider by the name MSProviderInit; one declared __stdcall
// on x86 exports a decorated name instead, and that mistake is named with
// its fix.
func TestCheckEntryPoint(t *testing.T) {
	for _, c := range []struct {
		exports []string
		want    string
	}{
		{[]string{"DllMain", "MSProviderInit"}, ""},
		{[]string{"MSProviderInit@36"}, "exports MSProviderInit@36 but no MSProviderInit"},   // mingw-w64
		{[]string{"_MSProviderInit@36"}, "exports _MSProviderInit@36 but no MSProviderInit"}, // MSVC
		{[]string{"MSProviderInit", "MSProviderInit@36"}, ""},
		{[]string{"guardedCall"}, "exports no MSProviderInit"},
		{nil, "exports no MSProviderInit"},
	} {
		err := Image{Exports: c.exports}.CheckEntryPoint("p.dll")
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%v: %v, want no error", c.exports, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%v: %v, want an error saying %q", c.exports, err, c.want)
		case c.want != "" && strings.Contains(c.want, "@") && !strings.Contains(err.Error(), "STDMAPIINITCALLTYPE"):
			t.Errorf("%v: %v does not name the fix", c.exports, err)
		}
	}
}

// supportMethods is IMAPISupport's vtable as mingw-w64's mapispi.h
// declares it: every name in its slot, with its number of parameters, on
// which an x86 callback's stack depends.
func TestSupportMethods(t *testing.T) {
	var header []byte
	for _, p := range []string{"/usr/share/mingw-w64/include/mapispi.h", "/usr/x86_64-w64-mingw32/include/mapispi.h", "/usr/i686-w64-mingw32/include/mapispi.h"} {
		if b, err := os.ReadFile(p); err == nil {
			header = b
			break
		}
	}
	if header == nil {
		t.Skip("no mingw-w64 mapispi.h here (gcc-mingw-w64 installs it)")
	}
	type method struct {
		name string
		args int
	}
	want := []method{{"QueryInterface", 2}, {"AddRef", 0}, {"Release", 0}}
	decl := regexp.MustCompile(`MAPIMETHOD\((\w+)\) \(THIS_?([^)]*)\)`)
	for _, n := range []string{"1", "2", "3"} {
		m := regexp.MustCompile(`#define MAPI_IMAPISUPPORT_METHODS` + n + `\(IPURE\) (.*)`).FindSubmatch(header)
		if m == nil {
			t.Fatalf("mapispi.h has no MAPI_IMAPISUPPORT_METHODS%s", n)
		}
		for _, d := range decl.FindAllStringSubmatch(string(m[1]), -1) {
			args := 0
			if p := strings.TrimSpace(d[2]); p != "" {
				args = strings.Count(p, ",") + 1
			}
			want = append(want, method{d[1], args})
		}
	}
	if len(want) != len(supportMethods) {
		t.Fatalf("mapispi.h's IMAPISupport has %d slots, supportMethods %d", len(want), len(supportMethods))
	}
	for i, m := range supportMethods {
		if m.name != want[i].name || m.args != want[i].args {
			t.Errorf("slot %d: %s with %d parameters, mapispi.h says %s with %d", i, m.name, m.args, want[i].name, want[i].args)
		}
	}
}
