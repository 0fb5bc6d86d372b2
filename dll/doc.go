// Package dll tests a message store provider as it ships: a Windows DLL that
// exports MSProviderInit, loaded into a process of its own bitness (an x64
// DLL by a windows/amd64 program, an x86 one by a windows/386 program, as
// 64-bit and 32-bit Outlook load theirs). On x86 the calls follow MAPI's
// conventions there: COM methods, the support's slots and the allocators
// are __stdcall, MSProviderInit __cdecl.
//
// Open loads the DLL and checks MSProviderInit once; Library.Config returns
// the conformance.Config that conformance.Run, Check and Explore take, so the
// whole suite runs on the DLL unchanged:
//
//	lib, err := dll.Open(`C:\providers\mystore.dll`, dll.Options{Guard: `C:\mapiconf\mapiconf-guard.dll`})
//	...
//	conformance.Run(t, lib.Config(conformance.Deferred, conformance.Capabilities{...}))
//
// Each method of the Go model (package mapi) is one vtable slot of MAPI's
// binary interface, called with MAPI's real parameters; toward the DLL the
// adapter builds a real IMAPISupport COM object whose 44 slots are in the
// order of mapispi.h. The calls the suite models (IUnknown,
// StoreLogoffTransports, SetProviderUID, ModifyStatusRow) go to the
// simulated MAPI; every other slot answers MAPI_E_NO_SUPPORT and is recorded
// in the trace. No cgo: vtable slots are called with syscall.SyscallN and
// the support's slots are Go functions made with syscall.NewCallback.
//
// The package builds on Windows only, but for Inspect, which reads a DLL's
// bitness and exports from its PE file anywhere. On Linux the tests run it
// under Wine: see internal/wine and docs/dll.md.
package dll
