package mapi

import (
	"fmt"
	"strings"
)

// The flag words of MAPI reuse bits: LOGOFF_NORMAL and LOGOFF_NO_WAIT are both
// 0x1, MAPI_LOGOFF_SHARED too. Each word is its own Go type so that a flag of
// one call cannot be passed to another by accident, and each prints MAPI's
// names so that a failure message reads like the documentation.

// LogoffFlags are the flags of IMsgStore::StoreLogoff and of
// IMAPISupport::StoreLogoffTransports, both on the way in (LOGOFF_ABORT, ...)
// and on the way out (LOGOFF_COMPLETE, ...).
type LogoffFlags uint32

// Input flags: a caller passes exactly one.
const (
	LogoffNoWait  LogoffFlags = 0x00000001 // LOGOFF_NO_WAIT
	LogoffOrderly LogoffFlags = 0x00000002 // LOGOFF_ORDERLY
	LogoffPurge   LogoffFlags = 0x00000004 // LOGOFF_PURGE
	LogoffAbort   LogoffFlags = 0x00000008 // LOGOFF_ABORT
	LogoffQuiet   LogoffFlags = 0x00000010 // LOGOFF_QUIET
)

// Output flags.
const (
	LogoffComplete      LogoffFlags = 0x00010000 // LOGOFF_COMPLETE
	LogoffInbound       LogoffFlags = 0x00020000 // LOGOFF_INBOUND
	LogoffOutbound      LogoffFlags = 0x00040000 // LOGOFF_OUTBOUND
	LogoffOutboundQueue LogoffFlags = 0x00080000 // LOGOFF_OUTBOUND_QUEUE
)

// LogoffInputFlags lists the valid input flags, in MAPI's order.
var LogoffInputFlags = []LogoffFlags{LogoffNoWait, LogoffOrderly, LogoffPurge, LogoffAbort, LogoffQuiet}

// LogoffOutputMask holds every valid output flag.
const LogoffOutputMask = LogoffComplete | LogoffInbound | LogoffOutbound | LogoffOutboundQueue

// LogoffOccurred reports whether an IMAPISupport::StoreLogoffTransports
// call with flags that answered out and err logged the store off: every
// call does but one with LOGOFF_QUIET or LOGOFF_ABORT answered S_OK with
// transport activity and without LOGOFF_COMPLETE, after which "the logoff
// does not occur" (imapisupport-storelogofftransports.md).
func LogoffOccurred(flags, out LogoffFlags, err error) bool {
	if err != nil || (flags != LogoffQuiet && flags != LogoffAbort) {
		return true
	}
	const activity = LogoffInbound | LogoffOutbound | LogoffOutboundQueue
	return out&LogoffComplete != 0 || out&activity == 0
}

// IsSingleInput reports whether f is exactly one valid input flag, the only
// input that StoreLogoff documents.
func (f LogoffFlags) IsSingleInput() bool {
	for _, v := range LogoffInputFlags {
		if f == v {
			return true
		}
	}
	return false
}

func (f LogoffFlags) String() string {
	return flagString(uint32(f), []flagName{
		{0x1, "LOGOFF_NO_WAIT"}, {0x2, "LOGOFF_ORDERLY"}, {0x4, "LOGOFF_PURGE"},
		{0x8, "LOGOFF_ABORT"}, {0x10, "LOGOFF_QUIET"},
		{0x10000, "LOGOFF_COMPLETE"}, {0x20000, "LOGOFF_INBOUND"},
		{0x40000, "LOGOFF_OUTBOUND"}, {0x80000, "LOGOFF_OUTBOUND_QUEUE"},
	})
}

// TransportLogoffFlags are the flags of IXPLogon::TransportLogoff. No store
// call takes them; they exist so that LOGOFF_NORMAL can never be mistaken for
// LOGOFF_NO_WAIT.
type TransportLogoffFlags uint32

const (
	TransportLogoffNormal TransportLogoffFlags = 0x00000001 // LOGOFF_NORMAL
	TransportLogoffHurry  TransportLogoffFlags = 0x80000000 // LOGOFF_HURRY
)

func (f TransportLogoffFlags) String() string {
	return flagString(uint32(f), []flagName{{0x1, "LOGOFF_NORMAL"}, {0x80000000, "LOGOFF_HURRY"}})
}

// SessionLogoffFlags are the flags of IMAPISession::Logoff.
type SessionLogoffFlags uint32

const (
	SessionLogoffShared SessionLogoffFlags = 0x00000001 // MAPI_LOGOFF_SHARED
	SessionLogoffUI     SessionLogoffFlags = 0x00000002 // MAPI_LOGOFF_UI
)

func (f SessionLogoffFlags) String() string {
	return flagString(uint32(f), []flagName{{0x1, "MAPI_LOGOFF_SHARED"}, {0x2, "MAPI_LOGOFF_UI"}})
}

// StatusRowFlags are the flags of IMAPISupport::ModifyStatusRow.
type StatusRowFlags uint32

const StatusRowUpdate StatusRowFlags = 0x10000000 // STATUSROW_UPDATE

func (f StatusRowFlags) String() string {
	return flagString(uint32(f), []flagName{{0x10000000, "STATUSROW_UPDATE"}})
}

// LogonFlags are the flags of IMSProvider::Logon and SpoolerLogon.
type LogonFlags uint32

const (
	MDBNoDialog        LogonFlags = 0x00000001 // MDB_NO_DIALOG
	MDBWrite           LogonFlags = 0x00000004 // MDB_WRITE
	MAPIDeferredErrors LogonFlags = 0x00000008 // MAPI_DEFERRED_ERRORS
	MDBTemporary       LogonFlags = 0x00000020 // MDB_TEMPORARY
	MDBNoMail          LogonFlags = 0x00000080 // MDB_NO_MAIL
	MAPIUnicode        LogonFlags = 0x80000000 // MAPI_UNICODE
)

func (f LogonFlags) String() string {
	return flagString(uint32(f), []flagName{{0x1, "MDB_NO_DIALOG"}, {0x4, "MDB_WRITE"}, {0x8, "MAPI_DEFERRED_ERRORS"},
		{0x20, "MDB_TEMPORARY"}, {0x80, "MDB_NO_MAIL"}, {0x80000000, "MAPI_UNICODE"}})
}

// ReservedFlags is a flags argument that MAPI reserves: callers pass zero, as
// IMSLogon::Logoff, IMSProvider::Shutdown and SetProviderUID document.
type ReservedFlags uint32

func (f ReservedFlags) String() string { return flagString(uint32(f), nil) }

type flagName struct {
	bit  uint32
	name string
}

// flagString prints a flag word as MAPI's names joined by "|", with unknown
// bits in hex, and "0" for no flag.
func flagString(v uint32, names []flagName) string {
	if v == 0 {
		return "0"
	}
	var parts []string
	for _, n := range names {
		if v&n.bit != 0 {
			parts = append(parts, n.name)
			v &^= n.bit
		}
	}
	if v != 0 {
		parts = append(parts, fmt.Sprintf("0x%X", v))
	}
	return strings.Join(parts, "|")
}
