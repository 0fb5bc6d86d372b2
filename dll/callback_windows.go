//go:build windows

package dll

import (
	"fmt"
	"syscall"
)

// newCallback makes a C function of n word-sized parameters that calls f
// with them, in the first n words of its array (the array is passed by
// value, so that a call allocates nothing). On x86 the count matters:
// syscall.NewCallback makes a __stdcall function, which removes as many
// arguments from the stack as its Go function declares, so a callback for
// a COM method must declare exactly the method's (the object included). On
// x64 it is the same callback either way.
func newCallback(n int, f func(args callbackArgs) uintptr) uintptr {
	var cb any
	switch n {
	case 1:
		cb = func(a0 uintptr) uintptr { return f(callbackArgs{a0}) }
	case 2:
		cb = func(a0, a1 uintptr) uintptr { return f(callbackArgs{a0, a1}) }
	case 3:
		cb = func(a0, a1, a2 uintptr) uintptr { return f(callbackArgs{a0, a1, a2}) }
	case 4:
		cb = func(a0, a1, a2, a3 uintptr) uintptr { return f(callbackArgs{a0, a1, a2, a3}) }
	case 5:
		cb = func(a0, a1, a2, a3, a4 uintptr) uintptr { return f(callbackArgs{a0, a1, a2, a3, a4}) }
	case 6:
		cb = func(a0, a1, a2, a3, a4, a5 uintptr) uintptr { return f(callbackArgs{a0, a1, a2, a3, a4, a5}) }
	case 7:
		cb = func(a0, a1, a2, a3, a4, a5, a6 uintptr) uintptr { return f(callbackArgs{a0, a1, a2, a3, a4, a5, a6}) }
	case 8:
		cb = func(a0, a1, a2, a3, a4, a5, a6, a7 uintptr) uintptr {
			return f(callbackArgs{a0, a1, a2, a3, a4, a5, a6, a7})
		}
	case 9:
		cb = func(a0, a1, a2, a3, a4, a5, a6, a7, a8 uintptr) uintptr {
			return f(callbackArgs{a0, a1, a2, a3, a4, a5, a6, a7, a8})
		}
	case 10:
		cb = func(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9 uintptr) uintptr {
			return f(callbackArgs{a0, a1, a2, a3, a4, a5, a6, a7, a8, a9})
		}
	case 11:
		cb = func(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10 uintptr) uintptr {
			return f(callbackArgs{a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10})
		}
	case 12:
		cb = func(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11 uintptr) uintptr {
			return f(callbackArgs{a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11})
		}
	default:
		panic(fmt.Sprintf("dll: no callback of %d parameters", n))
	}
	return syscall.NewCallback(cb)
}

// callbackArgs holds a callback's arguments: as many as the widest
// callback newCallback makes.
type callbackArgs [12]uintptr
