package wine

import (
	"strings"
	"testing"
)

// With no mingw-w64 on PATH, Find says which compiler is missing for the
// bitness asked for, and the commands that install it: for x86 with
// Debian's i386 architecture added first.
func TestFindSaysWhatToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, c := range []struct{ arch, missing, install string }{
		{AMD64, "x86_64-w64-mingw32-gcc", "apt-get install wine64 gcc-mingw-w64-x86-64"},
		{I386, "i686-w64-mingw32-gcc", "dpkg --add-architecture i386 && apt-get update && apt-get install wine64 wine32:i386 gcc-mingw-w64-i686"},
	} {
		_, err := Find(c.arch)
		if err == nil || !strings.Contains(err.Error(), c.missing) || !strings.Contains(err.Error(), "`"+c.install+"`") {
			t.Errorf("Find(%s) with an empty PATH: %v, want an error naming %s and saying `%s`", c.arch, err, c.missing, c.install)
		}
	}
	if _, err := Find("arm64"); err == nil {
		t.Error("Find(arm64): no error")
	}
}
