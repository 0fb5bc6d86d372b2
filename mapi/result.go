package mapi

import "fmt"

// HResult is a MAPI result code. A method that succeeds returns a nil error,
// never HResult(0), so that Go's err != nil keeps its meaning; a method that
// fails returns one of the HResult constants below (or another HRESULT).
type HResult uint32

// Result codes named by the shutdown rules. Values are those of Microsoft's
// public MAPI headers (MAPICODE.H).
const (
	ErrCallFailed       HResult = 0x80004005 // MAPI_E_CALL_FAILED
	ErrInvalidParameter HResult = 0x80070057 // MAPI_E_INVALID_PARAMETER
	ErrNoSupport        HResult = 0x80040102 // MAPI_E_NO_SUPPORT
	ErrUnknownFlags     HResult = 0x80040106 // MAPI_E_UNKNOWN_FLAGS
	ErrInvalidObject    HResult = 0x80040108 // MAPI_E_INVALID_OBJECT
	ErrBusy             HResult = 0x8004010B // MAPI_E_BUSY
	ErrNotFound         HResult = 0x8004010F // MAPI_E_NOT_FOUND
	ErrLogonFailed      HResult = 0x80040111 // MAPI_E_LOGON_FAILED
)

var resultNames = map[HResult]string{
	0:                   "S_OK",
	ErrCallFailed:       "MAPI_E_CALL_FAILED",
	ErrInvalidParameter: "MAPI_E_INVALID_PARAMETER",
	ErrNoSupport:        "MAPI_E_NO_SUPPORT",
	ErrUnknownFlags:     "MAPI_E_UNKNOWN_FLAGS",
	ErrInvalidObject:    "MAPI_E_INVALID_OBJECT",
	ErrBusy:             "MAPI_E_BUSY",
	ErrNotFound:         "MAPI_E_NOT_FOUND",
	ErrLogonFailed:      "MAPI_E_LOGON_FAILED",
}

// String returns MAPI's name for the code, or its value in hex.
func (h HResult) String() string {
	if n, ok := resultNames[h]; ok {
		return n
	}
	return fmt.Sprintf("HRESULT(0x%08X)", uint32(h))
}

// Error returns MAPI's name and the value, e.g. "MAPI_E_NO_SUPPORT (0x80040102)".
func (h HResult) Error() string {
	if n, ok := resultNames[h]; ok {
		return fmt.Sprintf("%s (0x%08X)", n, uint32(h))
	}
	return h.String()
}

// Failed reports whether h is a failure code (the top bit of an HRESULT).
func (h HResult) Failed() bool { return h&0x80000000 != 0 }

// ResultOf names the result a call returned: "S_OK" for nil, MAPI's name for
// an HResult, and the error's text for anything else.
func ResultOf(err error) string {
	if err == nil {
		return "S_OK"
	}
	if h, ok := err.(HResult); ok {
		return h.String()
	}
	return err.Error()
}
