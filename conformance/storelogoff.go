package conformance

import (
	"fmt"

	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/mapi"
)

// Section C: StoreLogoff itself.
func storeLogoff() []*spec {
	var out []*spec
	for _, f := range mapi.LogoffInputFlags {
		out = append(out, orderlyWith(f).named("C", fmt.Sprintf("StoreLogoff(%v) returns S_OK with only output flags", f), []string{"SL-01", "SL-02"}))
	}
	// Answers[4]: LOGOFF_INBOUND|LOGOFF_OUTBOUND_QUEUE, two flags at once.
	out = append(out, orderly.with("C", "StoreLogoff(LOGOFF_ORDERLY), StoreLogoffTransports answering LOGOFF_INBOUND|LOGOFF_OUTBOUND_QUEUE: only output flags come back",
		[]string{"SL-02"}, orderly.answering(4)))

	// Refused or ignored, never a crash; a refused StoreLogoff leaves the
	// Release-only path: the store still ends with one STLT, and an abort.
	for _, f := range []mapi.LogoffFlags{0, mapi.LogoffOrderly | mapi.LogoffAbort, mapi.LogoffNoWait | mapi.LogoffQuiet, 0x100, 0x20 | mapi.LogoffOrderly} {
		out = append(out, orderlyWith(f).named("C", fmt.Sprintf("StoreLogoff(%v), an invalid flag word, then Release: refused or ignored, never a crash; StoreLogoffTransports once, with a valid flag (LOGOFF_ABORT if refused)", f),
			[]string{"SL-03", "STLT-08", "STLT-01", "STLT-04"}))
	}

	// Real clients' habits. MFCMAPI's mailbox processor reuses one in/out
	// flags variable, so a second StoreLogoff gets the first one's output
	// as input: LOGOFF_COMPLETE, or 0 (RULES.md revision 2).
	out = append(out,
		orderlyWith(mapi.LogoffComplete).named("C", "a client reusing its in/out flags variable: StoreLogoff(LOGOFF_COMPLETE), then Release: refused or ignored; StoreLogoffTransports once, with a valid flag",
			[]string{"SL-03", "STLT-08", "STLT-01"}),
		orderly.with("C", "a client reusing its in/out flags variable: StoreLogoff(LOGOFF_ORDERLY), then StoreLogoff with the output flags it returned, then Release: StoreLogoffTransports once, with a valid flag",
			[]string{"SL-03", "STLT-08", "STLT-01"}, steps(logoff(mapi.LogoffOrderly), lifecycle.Step{Kind: lifecycle.StoreLogoffReused}, clientRelease)),
		// Ending is MAPI's teardown, not a call (RULES.md revision 4): a
		// support Release that leaves the provider a reference (COM's
		// guard around an outgoing call) ends nothing.
		orderly.with("C", "StoreLogoff while the client holds a second reference ends nothing", []string{"SL-04"},
			steps(addRef, logoff(mapi.LogoffOrderly), clientRelease, clientRelease)))
	return out
}
