package conformance

import (
	"fmt"
	"strings"

	"github.com/mapiconf/mapiconf/mapi"
)

// An outline is the call sequence the documentation expects on a path, in
// the declared profile, written as the trace prints calls. A failure prints
// it above the actual sequence, so that a provider author can compare the
// two line by line. Return values are left out where no rule fixes them.

const (
	in1 = "    "
	in2 = "        "
)

func teardownOutline(indent string) []string {
	return []string{
		indent + "provider → IMAPISupport::Release()",
		indent + in1 + "MAPI: MAPI::RemoveProviderUIDs(…every MAPIUID the provider registered…)",
		indent + in1 + "MAPI: MAPI::RemoveStatusRow(…)    (if the provider made a row)",
		indent + in1 + "MAPI → IMSLogon::Logoff(0) = S_OK",
		indent + in1 + "MAPI → IMSLogon::Release()",
	}
}

func stltLine(indent string, f mapi.LogoffFlags) string {
	return fmt.Sprintf("%sprovider → IMAPISupport::StoreLogoffTransports(%v)", indent, f)
}

// lastRelease is the store's last Release; stlt is the flag it must pass
// to StoreLogoffTransports, or 0 when StoreLogoff already did.
func lastRelease(caller string, stlt mapi.LogoffFlags) []string {
	lines := []string{caller + " → IMsgStore::Release()"}
	if stlt != 0 {
		lines = append(lines, stltLine(in1, stlt))
	}
	return append(lines, teardownOutline(in1)...)
}

// sessionLines is IMAPISession::Logoff with the store still held: MAPI
// tears the logon down at once and the provider forces its shutdown inside
// IMSLogon::Logoff; the client's own Release comes after the provider's.
// stlt is the flag Logoff must pass, or 0 when StoreLogoff already did.
func sessionLines(stlt mapi.LogoffFlags) []string {
	lines := []string{
		"client → IMAPISession::Logoff(0, 0)",
		"MAPI: MAPI::RemoveProviderUIDs(…every MAPIUID the provider registered…)",
		"MAPI: MAPI::RemoveStatusRow(…)    (if the provider made a row)",
		"MAPI → IMSLogon::Logoff(0) = S_OK",
	}
	if stlt != 0 {
		lines = append(lines, stltLine(in1, stlt))
	}
	return append(lines,
		in1+"provider → IMAPISupport::Release()",
		"MAPI → IMSLogon::Release()",
		"MAPI → IMSProvider::Shutdown(0) = S_OK",
		"MAPI → IMSProvider::Release()",
		"client → IMsgStore::Release()    (no call on the support)",
	)
}

func storeLogoffLines(p Profile, caller string, f mapi.LogoffFlags, first bool) []string {
	lines := []string{fmt.Sprintf("%s → IMsgStore::StoreLogoff(%v) = S_OK", caller, f)}
	if p == Immediate && first {
		lines = append(lines, stltLine(in1, f))
	}
	return lines
}

func logonLines() []string {
	return []string{
		"MAPI → IMSProvider::Logon(…)",
		in1 + "provider → IMAPISupport::AddRef()",
		in1 + "provider → IMAPISupport::SetProviderUID(…, 0)",
		in1 + "provider → IMAPISupport::ModifyStatusRow(…)    (if the provider makes a row)",
	}
}

// outlineOf returns the expected sequence of a path in profile p, or nil.
func outlineOf(name string, p Profile, caller string, f mapi.LogoffFlags) []string {
	lines := logonLines()
	deferredFlag := func(f mapi.LogoffFlags) mapi.LogoffFlags {
		if p == Deferred {
			return f
		}
		return 0
	}
	switch name {
	case "storelogoff-release":
		lines = append(lines, storeLogoffLines(p, caller, f, true)...)
		lines = append(lines, lastRelease("client", deferredFlag(f))...)
	case releaseOnlyName:
		lines = append(lines, lastRelease("client", mapi.LogoffAbort)...)
	case sessionName:
		lines = append(lines, sessionLines(mapi.LogoffAbort)...)
	case extraRefsName:
		lines = append(lines, "client → IMsgStore::AddRef()", "client → IMsgStore::AddRef()")
		lines = append(lines, storeLogoffLines(p, "client", mapi.LogoffOrderly, true)...)
		lines = append(lines, "client → IMsgStore::Release()    (nothing inside)", "client → IMsgStore::Release()    (nothing inside)")
		lines = append(lines, lastRelease("client", deferredFlag(mapi.LogoffOrderly))...)
	case repeatedName:
		lines = append(lines, storeLogoffLines(p, "client", mapi.LogoffOrderly, true)...)
		lines = append(lines, storeLogoffLines(p, "client", mapi.LogoffPurge, false)...)
		lines = append(lines, lastRelease("client", deferredFlag(mapi.LogoffPurge))...)
	default:
		return nil
	}
	return lines
}

func formatOutline(p Profile, lines []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Expected call sequence (%s profile), in outline:\n", p)
	for _, l := range lines {
		b.WriteString("         " + l + "\n")
	}
	return b.String()
}
