// Package mapi is the vocabulary of mapiconf: the part of Extended MAPI that a
// message store provider's shutdown touches, as Go types.
//
// It holds result codes, flags, identifiers and the interfaces that cross the
// boundary between MAPI and a message store provider. It has no behaviour: the
// simulated MAPI side lives in package conformance/mapisim, the bundled
// provider in package reference.
//
// Names follow MAPI where MAPI has them, in Go's spelling: LOGOFF_ABORT is
// LogoffAbort, MAPI_E_NO_SUPPORT is ErrNoSupport, IMsgStore is IMsgStore.
// Signatures are simplified where COM's calling convention has no Go meaning:
// an in/out ULONG* becomes a flags argument and a flags result, an HRESULT
// becomes an error that is nil for S_OK, and arguments that no shutdown rule
// looks at (window handles, interface IDs, MAPIERROR structures) are left out.
//
// Values returned by AddRef and Release are informational only, as on
// Microsoft's IUnknown pages: nothing may judge validity by them.
package mapi
