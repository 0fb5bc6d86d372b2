// Package rule is the rule catalogue: every rule of RULES.md (and the one
// the suite adds) with its section, strength, sentence, the page it comes
// from and that page's own sentence. Everything that judges or reports
// names rules by the IDs here.
package rule

import (
	"slices"
	"strings"
)

// Strength is how firmly the documentation states a rule: "must", "should",
// "does" (a plain instruction), "may", or "suite" for a rule about the suite
// itself. Specs carry it as a Ginkgo label.
type Strength string

const (
	Must   Strength = "must"
	Should Strength = "should"
	Does   Strength = "does"
	May    Strength = "may"
	Suite  Strength = "suite"
)

// Rule is one rule of the requirements document, ../shared/spec/RULES.md.
type Rule struct {
	ID       string     // stable ID, e.g. "STLT-04"
	Section  string     // the section letter, "A" to "I"
	Strength []Strength // usually one; STLT-02 is "should" in one profile, "does" in the other
	Text     string     // the rule's sentence
	Source   string     // the Microsoft page it comes from, under docs/outlook/mapi/
}

// Sections names each section of RULES.md, for labels and reports.
var Sections = map[string]string{
	"A": "The three ways in",
	"B": "StoreLogoffTransports",
	"C": "StoreLogoff itself",
	"D": "The provider's Release",
	"E": "MAPI's teardown",
	"F": "Logon bookkeeping",
	"G": "Session and provider shutdown",
	"H": "Robustness",
	"I": "MAPI's other callers and the store's answer",
}

const (
	seedPage        = "shutting-down-a-message-store-provider.md"
	storeLogoffPage = "imsgstore-storelogoff.md"
	sessionPages    = "shutting-down-a-service-provider.md, imapisession-logoff.md, imslogon-logoff.md, imsprovider-shutdown.md"
	iunknownPages   = "implementing-the-iunknown-interface.md"
)

// All lists every rule of RULES.md in its order.
var All = []Rule{
	{"SD-01", "A", s(Does), "Shutdown can start with IMsgStore::StoreLogoff (by a client or by the MAPI spooler) followed by Release of the store: the orderly path.", seedPage},
	{"SD-02", "A", s(Does), "Shutdown can start with IMAPISession::Logoff.", seedPage},
	{"SD-03", "A", s(Must), "Shutdown can start with Release of the store alone, with no StoreLogoff: the Release-only path. The provider must handle it.", seedPage},

	{"STLT-01", "B", s(Must), "STLT is called exactly once per shutdown, on every path (orderly, Release-only, session logoff, repeated StoreLogoff, extra AddRefs).", seedPage},
	{"STLT-02", "B", s(Should, Does), "Profile immediate: on the orderly path, STLT is the first call StoreLogoff makes across the boundary, before it returns. Profile deferred: StoreLogoff makes no STLT call; STLT happens at the last Release.", seedPage + ", " + storeLogoffPage},
	{"STLT-03", "B", s(Does), "On the orderly path STLT receives the caller's StoreLogoff flag unchanged (ORDERLY in, ORDERLY to STLT).", "imapisupport-storelogofftransports.md"},
	{"STLT-04", "B", s(Does), "On the Release-only path the provider notices that STLT was never called and calls it with LOGOFF_ABORT.", seedPage},
	{"STLT-05", "B", s(Does), "STLT happens before the provider releases the support (so before any of MAPI's teardown steps E-01..E-04).", seedPage},
	{"STLT-06", "B", s(Does), "Repeated StoreLogoff calls: in profile deferred the last flag wins (one STLT, with the last flag); in profile immediate the second call makes no second STLT.", storeLogoffPage},
	{"STLT-07", "B", s(Should), "The provider tolerates what STLT returns: S_OK with output flags LOGOFF_COMPLETE, or LOGOFF_INBOUND/LOGOFF_OUTBOUND/LOGOFF_OUTBOUND_QUEUE, or MAPI_E_NO_SUPPORT; shutdown still completes.", "imapisupport-storelogofftransports.md"},

	{"STLT-08", "B", s(Does), "Every STLT call carries exactly one valid input flag (LOGOFF_NO_WAIT, LOGOFF_ORDERLY, LOGOFF_PURGE, LOGOFF_ABORT or LOGOFF_QUIET), also when StoreLogoff accepted an invalid flag word.", "imapisupport-storelogofftransports.md"},

	{"SL-01", "C", s(Does), "Each single valid input flag (LOGOFF_NO_WAIT, LOGOFF_ORDERLY, LOGOFF_PURGE, LOGOFF_ABORT, LOGOFF_QUIET) returns S_OK.", storeLogoffPage},
	{"SL-02", "C", s(Does), "Output flags contain only LOGOFF_COMPLETE, LOGOFF_INBOUND, LOGOFF_OUTBOUND, LOGOFF_OUTBOUND_QUEUE.", storeLogoffPage},
	{"SL-03", "C", s(May), "Invalid input (zero, two flags, unknown bits) is answered with S_OK, MAPI_E_INVALID_PARAMETER or MAPI_E_UNKNOWN_FLAGS, never a crash; strict mode accepts only the two errors.", storeLogoffPage},
	{"SL-04", "C", s(Does), "StoreLogoff while other references to the store are held ends nothing: no teardown until the last Release.", storeLogoffPage},

	{"RL-01", "D", s(Does), "The store's last Release is implemented by releasing the support: the support's reference count returns to what it was before logon, and is never released more times than the provider added.", seedPage},
	{"RL-02", "D", s(Does), "A Release that does not drop the last reference does no teardown: no STLT (profile deferred), no support release.", storeLogoffPage},
	{"RL-03", "D", s(Must), "After its last Release the provider makes no further call on the support.", seedPage},
	{"RL-04", "D", s(May), "After shutdown the store answers any method other than Release with MAPI_E_INVALID_OBJECT (or does not crash).", "imapisupport-storelogofftransports.md"},

	{"E-01", "E", s(Does), "Every MAPIUID the provider registered with SetProviderUID is removed.", seedPage},
	{"E-02", "E", s(Does), "The provider's status-table row, if it made one with ModifyStatusRow, is removed.", seedPage},
	{"E-03", "E", s(Does), "IMSLogon::Logoff is called; it releases every object, subobject and status object the provider handed out that is still open at that time (on the session path: while clients still hold them); afterwards they refuse calls and their Release does not crash.", seedPage + ", imslogon-logoff.md"},
	{"E-04", "E", s(Does), "The logon object is released, last.", seedPage},
	{"E-05", "E", s(Does), "The order is E-01, E-02, E-03, E-04, and all of it comes after STLT.", seedPage},

	{"LG-01", "F", s(Must), "On a new logon the provider keeps and AddRefs the support (at least once; see revision 2).", "imsprovider-logon.md"},
	{"LG-02", "F", s(Must), "SetProviderUID is called at logon, with flags 0.", "imapisupport-setprovideruid.md"},
	{"LG-03", "F", s(Should), "A status row, if any, is added before Logon returns; no ModifyStatusRow after IMSLogon::Logoff.", "imsprovider-logon.md, imapisupport-modifystatusrow.md"},
	{"LG-04", "F", s(Must), "IMSLogon::Logoff takes a reserved flags argument that must be zero, returns S_OK, and is safe when the store is already gone.", "imslogon-logoff.md"},
	{"LG-05", "F", s(Should), "The store and the logon object are created together and freed together.", "imsprovider-logon.md"},

	{"SS-01", "G", s(Does), "IMAPISession::Logoff with a store still open (referenced by a client, objects open): the provider sees IMSLogon::Logoff, then its logon object's release, then IMSProvider::Shutdown, then the provider object's release; the clients' later Release calls on the dead store and objects do not crash.", sessionPages},
	{"SS-02", "G", s(Must), "STLT is still called exactly once on this path (with LOGOFF_ABORT when no StoreLogoff came first).", seedPage},
	{"SS-03", "G", s(Does), "IMSProvider::Shutdown comes only after every logon object is released; its reserved flags are zero; nothing reaches the provider after its final release.", "imsprovider-shutdown.md"},
	{"SS-04", "G", s(Does), "StoreLogoff on one store leaves the session and other stores working; Shutdown is not called for it.", "shutting-down-a-service-provider.md, imsprovider-shutdown.md"},

	{"RB-01", "H", s(Must), "Concurrent last Release calls from several goroutines still yield exactly one STLT and one support release.", seedPage},
	{"RB-02", "H", s(Suite), "Values returned by AddRef/Release are never used to judge validity (the IUnknown page says they need not be accurate). The suite never asserts on them.", iunknownPages},

	{"SP-01", "I", s(Does), "The MAPI spooler logs on to the store with IMSProvider::SpoolerLogon, using the data Logon returned in lppbSpoolSecurity, and gets its own store and logon object. STLT makes the spooler release its store (\"the MAPI spooler releases the store\"): that Release arrives while the provider is inside its STLT call. The provider neither deadlocks there nor ends the client's store early.", "imsprovider-spoolerlogon.md, imapisupport-storelogofftransports.md"},
	{"SP-02", "I", s(Should), "The spooler's store and its logon object are created together and freed together; the spooler's logon is shut down by MAPI like any other (its IMSLogon::Logoff, its logon object's release).", "imsprovider-spoolerlogon.md"},
	{"SL-05", "I", s(Should), "\"The behavior of the store provider following the return from StoreLogoffTransports should be based on the value of lpulFlags\": profile immediate, StoreLogoff reports the activity STLT reported (LOGOFF_INBOUND, LOGOFF_OUTBOUND, LOGOFF_OUTBOUND_QUEUE) in its own output flags; with LOGOFF_QUIET/LOGOFF_ABORT and activity reported, the store goes on working as before.", "imapisupport-storelogofftransports.md, imsgstore-storelogoff.md"},
	{"LG-06", "I", s(Does), "A Logon to a store already open in the session returns S_OK and the store, and creates no logon object, no status row, no support AddRef, no spooler data; releasing that store reference ends nothing while the first logon lives.", "imsprovider-logon.md"},
	{"SS-05", "I", s(Does), "IMSProvider::Shutdown returns S_OK, and MAPI calls it only after releasing every logon object.", "imsprovider-shutdown.md"},
}

func s(ss ...Strength) []Strength { return ss }

// added are the rules the suite adds to RULES.md, from Microsoft's pages;
// amendments says why.
var added = map[string]bool{"STLT-08": true}

// planned are the rules of RULES.md that no spec checks yet (none today;
// section I was, until its specs came). Reports show them as "not checked
// yet", never as a pass.
var planned = map[string]bool{}

// Planned reports whether the rule is in RULES.md but no spec checks it yet.
func (r Rule) Planned() bool { return planned[r.ID] }

// Added reports whether the suite added the rule to RULES.md's, following
// a Microsoft page that RULES.md does not transcribe.
func (r Rule) Added() bool { return added[r.ID] }

// ByID returns the rule with the given ID.
func ByID(id string) (Rule, bool) {
	for _, r := range All {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// InOrder returns the rule IDs among ids in the order of RULES.md, each
// once; IDs of no rule are left out. Verdicts compare as lists in this
// order.
func InOrder(ids []string) []string {
	var out []string
	for _, r := range All {
		if slices.Contains(ids, r.ID) {
			out = append(out, r.ID)
		}
	}
	return out
}

// Is reports whether the rule has strength st.
func (r Rule) Is(st Strength) bool {
	for _, x := range r.Strength {
		if x == st {
			return true
		}
	}
	return false
}

// StrengthText is the strength as RULES.md writes it, e.g. "should / does".
func (r Rule) StrengthText() string {
	parts := make([]string, len(r.Strength))
	for i, x := range r.Strength {
		parts[i] = string(x)
	}
	return strings.Join(parts, " / ")
}

// String prints the rule as a failure names it: ID, strength, sentence,
// and the documentation's own sentence with its page.
func (r Rule) String() string {
	// RULES.md's abbreviation, spelled out once for a reader who has
	// never seen it.
	text := strings.Replace(r.Text, "STLT", "STLT (IMAPISupport::StoreLogoffTransports)", 1)
	strength := r.StrengthText()
	if r.Added() {
		strength += ", added to RULES.md by mapiconf"
	}
	s := r.ID + " (" + strength + "): " + text + "\n  Source: " + r.Source
	if q := r.Quote(); q != "" {
		s += "\n  The documentation: \"" + q + "\""
	}
	if a := amendments[r.ID]; a != "" {
		s += "\n  Note: " + a
	}
	return s
}
