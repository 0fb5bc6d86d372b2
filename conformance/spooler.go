package conformance

import (
	"fmt"

	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/mapi"
)

// Section I: MAPI's other callers and the store's answer (RULES.md
// revision 3). The spooler's own logon is named "spooler store", "spooler
// logon" and "spooler support" in the trace; the rules of sections A to H
// pass it by.

// needImmediate: SL-05 judges what StoreLogoff reports of the answer of
// its own StoreLogoffTransports call, which only the immediate profile
// makes.
func needImmediate(c Config) string {
	if c.Profile == Deferred {
		return "in the deferred profile StoreLogoff makes no StoreLogoffTransports call, so it has no answer to report"
	}
	return ""
}

func spoolerSpecs() []*spec {
	var out []*spec
	for _, p := range endingPaths {
		out = append(out,
			p.named("I", p.name+": the spooler logs on with the data Logon returned, and releases its store inside StoreLogoffTransports without ending the client's", []string{"SP-01"}, needSpooler),
			p.named("I", p.name+": the spooler's logon object goes with its store, and MAPI logs it off like any other", []string{"SP-02"}, needSpooler))
	}
	// "The logoff does not occur" (Answers[7]: transport activity
	// LOGOFF_INBOUND to LOGOFF_QUIET and LOGOFF_ABORT): StoreLogoff reports
	// it, and the store still hands out its folders.
	for _, in := range []mapi.LogoffFlags{mapi.LogoffQuiet, mapi.LogoffAbort} {
		out = append(out, namedFor("I", fmt.Sprintf("StoreLogoff(%v) while the transports are busy (StoreLogoffTransports answers LOGOFF_INBOUND): immediate profile, StoreLogoff reports the activity and the store goes on working", in), []string{"SL-05"},
			func(c Capabilities) lifecycle.Lifecycle {
				lc := steps(logoff(in), clientRelease)
				if c.Objects {
					lc = steps(logoff(in), openRoot, closeObject(0), clientRelease)
				}
				lc.Answer = 7
				return lc
			}, needImmediate).outlined(orderlyWith(in).pathOutline()))
	}
	out = append(out, releaseOnly.with("I", "a second Logon to the store already open returns the store alone, and releasing it ends nothing", []string{"LG-06"},
		steps(lifecycle.Step{Kind: lifecycle.LogonAgain}, lifecycle.Step{Kind: lifecycle.ReleaseAgain}), needReopen))
	out = append(out,
		session.named("I", session.name+": IMSProvider::Shutdown returns S_OK, after MAPI released every logon object", []string{"SS-05"}),
		session.with("I", "a store still open when the provider is shut down: IMSProvider::Shutdown returns S_OK, after MAPI released every logon object", []string{"SS-05"},
			steps(lifecycle.Step{Kind: lifecycle.ProviderShutdown})))
	return out
}
