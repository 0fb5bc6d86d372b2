package conformance

import (
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/mapi"
)

// Section D: the provider's Release.
func release() []*spec {
	var out []*spec
	for _, p := range endingPaths {
		out = append(out, p.named("D", p.name+": the call that ends the store releases the support, exactly as often as the provider AddRef'd it", []string{"RL-01"}))
	}
	// No teardown before the last Release: the store does not end there
	// (the provider's last support reference, MAPI's teardown; RULES.md
	// revision 4), and no StoreLogoffTransports.
	for _, withLogoff := range []bool{false, true} {
		text := "three references released one by one: the first two Releases tear nothing down"
		lc := steps(addRef, addRef, clientRelease, clientRelease, clientRelease)
		if withLogoff {
			text = "StoreLogoff(LOGOFF_ORDERLY), then " + text
			lc = steps(addRef, addRef, logoff(mapi.LogoffOrderly), clientRelease, clientRelease, clientRelease)
		}
		out = append(out, releaseOnly.with("D", text, []string{"RL-02"}, lc))
	}
	for _, p := range endingPaths {
		out = append(out, p.named("D", p.name+": no call on the support after the provider released it", []string{"RL-03"}))
	}
	// The client still holds the ended store: a store released to no
	// reference may not be called at all (IUnknown::Release), so the probe
	// needs a store that ended under its holder.
	out = append(out, session.with("D", "a store ended by IMAPISession::Logoff while the client still holds it: StoreLogoff and OpenEntry are refused (MAPI_E_INVALID_OBJECT)",
		[]string{"RL-04"}, steps(sessionLogoff, logoff(mapi.LogoffOrderly), lifecycle.Step{Kind: lifecycle.Open})))
	return out
}
