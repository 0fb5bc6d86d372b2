//go:build unix

package wine

import (
	"os"
	"path/filepath"
	"syscall"
)

// buildLock takes the file lock that cross-builds for windows/arch hold
// while they run, waiting for it (none when there is no user cache
// directory). The lock goes with the process, whatever ends it.
func buildLock(arch string) (unlock func()) {
	base, err := os.UserCacheDir()
	if err != nil {
		return func() {}
	}
	dir := filepath.Join(base, "mapiconf")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return func() {}
	}
	f, err := os.OpenFile(filepath.Join(dir, "gobuild-windows-"+arch+".lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return func() {}
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return func() {}
	}
	return func() { f.Close() }
}
