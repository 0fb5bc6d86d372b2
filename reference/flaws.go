package reference

import (
	"time"

	"github.com/mapiconf/mapiconf/conformance"
)

// A Flaw is one documented defect that turns the reference provider into a
// known-bad provider. The kill matrix runs the suite against each and
// requires exactly the rules it declares to fail: proof that every spec can
// fail, and fails only for its own rule.
type Flaw int

const (
	noFlaw Flaw = iota

	// NoSTLT: StoreLogoff returns S_OK and does nothing, and nothing ever
	// calls StoreLogoffTransports, as some real servers do.
	NoSTLT
	// STLTTwice: the last Release calls StoreLogoffTransports once more,
	// whatever came before.
	STLTTwice
	// STLTEachStoreLogoff: (immediate) every StoreLogoff calls
	// StoreLogoffTransports, not just the first.
	STLTEachStoreLogoff
	// WrongFlag: StoreLogoffTransports gets LOGOFF_ABORT instead of the
	// caller's StoreLogoff flag.
	WrongFlag
	// OrderlyOnReleaseOnly: the Release-only path passes LOGOFF_ORDERLY
	// instead of LOGOFF_ABORT.
	OrderlyOnReleaseOnly
	// STLTAfterSupportRelease: the last Release releases the support first
	// and calls StoreLogoffTransports after.
	STLTAfterSupportRelease
	// GivesUpOnNoSupport: when StoreLogoffTransports fails, StoreLogoff
	// returns the error and the last Release keeps the support.
	GivesUpOnNoSupport
	// SupportReleasedTwice: the last Release releases the support twice.
	SupportReleasedTwice
	// SupportNeverReleased: the last Release keeps the support.
	SupportNeverReleased
	// TeardownBeforeLastRelease: an off-by-one: the Release that leaves one
	// reference ends the store.
	TeardownBeforeLastRelease
	// StoreLogoffEndsStore: StoreLogoff releases the support at once, other
	// references or not.
	StoreLogoffEndsStore
	// SupportCallAfterRelease: the last Release updates the status row after
	// it released the support.
	SupportCallAfterRelease
	// SupportCallAfterShutdown: the provider's final Release touches a
	// support (AddRef and Release) it no longer holds.
	SupportCallAfterShutdown
	// ObjectsOutliveLogoff: IMSLogon::Logoff leaves open objects working.
	ObjectsOutliveLogoff
	// ObjectsCrashAfterLogoff: an object's Release after IMSLogon::Logoff
	// dereferences freed state and panics.
	ObjectsCrashAfterLogoff
	// NoSupportAddRef: Logon keeps the support without AddRef'ing it, and
	// the last Release releases it all the same: MAPI's own reference.
	NoSupportAddRef
	// NoProviderUID: Logon never calls SetProviderUID.
	NoProviderUID
	// StatusRowAfterLogoff: IMSLogon::Logoff updates the status row.
	StatusRowAfterLogoff
	// LogoffFails: IMSLogon::Logoff does its work but returns
	// MAPI_E_CALL_FAILED.
	LogoffFails
	// RejectsQuiet: StoreLogoff(LOGOFF_QUIET) logs off but returns
	// MAPI_E_INVALID_PARAMETER.
	RejectsQuiet
	// UnknownOutputFlags: StoreLogoff adds an undocumented output bit.
	UnknownOutputFlags
	// AcceptsInvalidFlags: StoreLogoff accepts any flag word with S_OK.
	AcceptsInvalidFlags
	// PassesInvalidFlags: StoreLogoff accepts any flag word with S_OK and
	// hands it to StoreLogoffTransports as it came.
	PassesInvalidFlags
	// AnswersAfterShutdown: the ended store answers StoreLogoff and
	// OpenEntry with S_OK instead of MAPI_E_INVALID_OBJECT.
	AnswersAfterShutdown
	// EndsEveryStore: one store's last Release ends every store of the
	// provider.
	EndsEveryStore
	// RacyRefCount: the store's Release reads and writes its count in two
	// steps, and waits between them for another Release to come in, so
	// concurrent last Releases lose updates every time.
	RacyRefCount
	// TrustsCounts: Logon AddRefs the support again when AddRef reports
	// fewer than two references, trusting a count that IUnknown says is
	// for diagnostics only, and never releases that second reference.
	TrustsCounts
	// DelayedStatusUpdate: IMSLogon::Logoff schedules a status-row update
	// for 10ms later, on a timer of its own: the support is gone by then.
	DelayedStatusUpdate
	// SpoolerEndsClientStore: the spooler's store's Release, which MAPI
	// makes inside StoreLogoffTransports, ends the client's store too.
	SpoolerEndsClientStore
	// SpoolerLogonApart: the spooler's store's end keeps its support, so
	// the spooler's logon object outlives the store it was made with.
	SpoolerLogonApart
	// ReopenLogsOn: a Logon to a store already open logs on again: a
	// logon object, a support AddRef, spooler data.
	ReopenLogsOn
	// ShutdownFails: IMSProvider::Shutdown returns MAPI_E_CALL_FAILED.
	ShutdownFails
	// DropsActivity: (immediate) StoreLogoff returns no output flags,
	// whatever transport activity StoreLogoffTransports reported.
	DropsActivity
	// UIDFlags: Logon calls SetProviderUID with a nonzero reserved flag.
	UIDFlags
	// PassesCompleteOn: StoreLogoff takes a word of output flags, such as
	// the LOGOFF_COMPLETE a client reusing its in/out variable sends, as
	// given, and hands it to StoreLogoffTransports.
	PassesCompleteOn
	// SubobjectsGoWithFolder: when a folder's holder releases it, the
	// provider forgets the subobjects opened in it, which stay open, and
	// IMSLogon::Logoff never releases them.
	SubobjectsGoWithFolder
	// OneStatusSlot: the logon keeps one status object; a second
	// OpenStatusEntry forgets the first, which IMSLogon::Logoff then never
	// releases.
	OneStatusSlot
	// STLTTwiceOnPurge: StoreLogoffTransports is called twice for
	// LOGOFF_PURGE, and once for every other flag.
	STLTTwiceOnPurge
	// RelogonWhilePending: a Logon to a store already open logs on again
	// (a logon object, a support AddRef, spooler data) while a StoreLogoff
	// is pending, in the deferred profile.
	RelogonWhilePending
	// LateRowOnPurge: IMSLogon::Logoff of a store that a
	// StoreLogoff(LOGOFF_PURGE) logged off while objects were open
	// schedules a status-row update 10ms later, on a timer of its own.
	LateRowOnPurge
	// RowASecondLate: IMSLogon::Logoff schedules a status-row update
	// 1.1 s later, longer than a default run lasts.
	RowASecondLate
)

// Bad is a known-bad provider: the reference provider with one flaw, and
// the rules the suite must find broken, per profile.
type Bad struct {
	Name     string
	Flaw     Flaw
	Doc      string
	Options  Options                          // the reference options it runs with, besides the profile
	Declares map[conformance.Profile][]string // the exact failing rule IDs, for each profile it applies to
	// Behaves, if set, is the profile the provider really follows while
	// its adapter declares the other one: a profile mismatch.
	Behaves map[conformance.Profile]bool
	// Unexplorable, if set, says why the exploration cannot find the flaw.
	Unexplorable string
	// LateWatch, if set, is the conformance.Config.LateWatch the provider
	// needs to be caught on every run: its late calls come later than a
	// run lasts.
	LateWatch time.Duration
	// EnumerationOnly: no named spec drives the one flag, answer, path or
	// combination the flaw shows in; only the enumeration finds it.
	EnumerationOnly bool
	// Only limits the flaw to some logons: the second store's, the
	// spooler's. Unset, every logon has it.
	Only Scope
	// Awaits, if set, names the false verdict of today's suite that keeps
	// the provider out of the kill matrix: the rule it declares survives,
	// or a rule it does not declare fails. TestAwaitingBad holds it to
	// that, so the day the suite judges it right the field must go.
	Awaits string
}

// Config is the adapter of the known-bad provider in the declared profile:
// all capabilities on, strict, so that every rule it breaks can be seen.
func (b Bad) Config(declared conformance.Profile) conformance.Config {
	opts := b.Options
	opts.Deferred = declared == conformance.Deferred
	if behaves, ok := b.Behaves[declared]; ok {
		opts.Deferred = behaves
	}
	opts.flaw, opts.only = b.Flaw, b.Only
	cfg := Config(opts)
	cfg.Name = b.Name
	cfg.Profile = declared
	cfg.LateWatch = b.LateWatch
	return cfg
}

func both(ids ...string) map[conformance.Profile][]string {
	return map[conformance.Profile][]string{conformance.Immediate: ids, conformance.Deferred: ids}
}

// teardownLost is what a store whose teardown never runs breaks: every rule
// that needs the provider to release the support at the last Release. Not
// LG-04: with no IMSLogon::Logoff there is no flag or answer of Logoff's to
// judge (imslogon-logoff.md), which the exploration's judge always said and
// the single judge now says for the specs too.
var teardownLost = []string{"SD-01", "SD-02", "SD-03", "RL-01", "E-01", "E-02", "E-03", "E-04", "E-05", "LG-05"}

// KnownBad lists the known-bad providers of the kill matrix.
func KnownBad() []Bad {
	return append(firstBad(), blindSpots()...)
}

func firstBad() []Bad {
	withRow := Options{StatusRow: true}
	return []Bad{
		{Name: "spooler-ends-client-store", Flaw: SpoolerEndsClientStore, Doc: "the spooler's Release of its store, inside StoreLogoffTransports, ends the client's store too (in the deferred profile the client's store is ending already)", Options: withRow,
			Declares: map[conformance.Profile][]string{conformance.Immediate: {"SP-01", "SL-04", "RL-01"}}},
		{Name: "spooler-logon-apart", Flaw: SpoolerLogonApart, Doc: "the spooler's store ends without releasing its support: the spooler's logon object outlives its store", Options: withRow,
			// RL-01 on the spooler's store too: "every store of a
			// provider ... the spooler's included" (RULES.md revision 4).
			Declares: both("SP-02", "RL-01")},
		{Name: "reopen-logs-on", Flaw: ReopenLogsOn, Doc: "a Logon to a store already open logs on again: a logon object, a support AddRef, spooler data", Options: withRow,
			Declares: both("LG-06")},
		{Name: "shutdown-fails", Flaw: ShutdownFails, Doc: "IMSProvider::Shutdown returns MAPI_E_CALL_FAILED", Options: withRow,
			Declares: both("SS-05")},
		{Name: "drops-activity", Flaw: DropsActivity, Doc: "StoreLogoff reports none of the transport activity StoreLogoffTransports reported", Options: withRow,
			Declares: map[conformance.Profile][]string{conformance.Immediate: {"SL-05"}}},
		{Name: "no-stlt", Flaw: NoSTLT, Doc: "StoreLogoff returns S_OK and does nothing; StoreLogoffTransports is never called", Options: withRow,
			Declares: map[conformance.Profile][]string{
				conformance.Immediate: {"STLT-01", "STLT-02", "STLT-04", "SS-02", "SP-01", "SP-02", "SL-05"},
				conformance.Deferred:  {"STLT-01", "STLT-02", "STLT-04", "SS-02", "SP-01", "SP-02"},
			}},
		{Name: "stlt-twice", Flaw: STLTTwice, Doc: "the last Release calls StoreLogoffTransports once more", Options: withRow,
			Declares: both("STLT-01", "SS-02")},
		{Name: "stlt-each-storelogoff", Flaw: STLTEachStoreLogoff, Doc: "every StoreLogoff calls StoreLogoffTransports", Options: withRow,
			Declares: map[conformance.Profile][]string{conformance.Immediate: {"STLT-01", "STLT-06"}}},
		{Name: "wrong-flag", Flaw: WrongFlag, Doc: "StoreLogoffTransports gets LOGOFF_ABORT instead of the caller's flag", Options: withRow,
			Declares: map[conformance.Profile][]string{
				// Immediate: the flag goes wrong in StoreLogoff, before
				// the session path (STLT-03's, not SS-02's).
				conformance.Immediate: {"STLT-03"},
				conformance.Deferred:  {"STLT-03", "STLT-06", "SS-02"},
			}},
		{Name: "orderly-on-release-only", Flaw: OrderlyOnReleaseOnly, Doc: "the Release-only path passes LOGOFF_ORDERLY, not LOGOFF_ABORT", Options: withRow,
			Declares: both("STLT-04", "SS-02")},
		{Name: "stlt-after-support-release", Flaw: STLTAfterSupportRelease, Doc: "the last Release releases the support, then calls StoreLogoffTransports", Options: withRow,
			Declares: map[conformance.Profile][]string{
				conformance.Immediate: {"STLT-05", "RL-03", "E-05"},
				conformance.Deferred:  {"STLT-05", "RL-03", "E-05"},
			}},
		{Name: "gives-up-on-no-support", Flaw: GivesUpOnNoSupport, Doc: "MAPI_E_NO_SUPPORT from StoreLogoffTransports is passed on, and the support kept", Options: withRow,
			// Under MAPI_E_NO_SUPPORT its store never ends: every rule
			// that asks for the end breaks too (STLT-07 is the cause).
			Declares: map[conformance.Profile][]string{
				conformance.Immediate: {"STLT-07", "RL-01", "SD-02", "SD-03", "SL-01", "E-01", "E-02", "E-03", "E-04", "E-05", "LG-05"},
				conformance.Deferred:  {"STLT-07", "RL-01", "SD-01", "SD-02", "SD-03", "E-01", "E-02", "E-03", "E-04", "E-05", "LG-05"},
			}},
		{Name: "support-released-twice", Flaw: SupportReleasedTwice, Doc: "the last Release releases the support twice", Options: withRow,
			Declares: both("RL-01", "RL-03")},
		{Name: "support-never-released", Flaw: SupportNeverReleased, Doc: "the last Release keeps the support, so MAPI's teardown never runs", Options: withRow,
			Declares: both(append(teardownLost, "SP-02")...)},
		{Name: "teardown-before-last-release", Flaw: TeardownBeforeLastRelease, Doc: "the Release that leaves one reference ends the store", Options: withRow,
			Declares: map[conformance.Profile][]string{
				conformance.Immediate: {"RL-01", "RL-02", "LG-06"},
				conformance.Deferred:  {"STLT-02", "RL-01", "RL-02", "LG-06"},
			}},
		{Name: "storelogoff-ends-store", Flaw: StoreLogoffEndsStore, Doc: "StoreLogoff releases the support at once, while other references are held too (the immediate profile may end the store there only when its caller holds the only one)", Options: withRow,
			Declares: map[conformance.Profile][]string{
				conformance.Immediate: {"SL-04", "RL-01", "SL-05"},
				// Not LG-05: the store's premature end frees its logon
				// object with it, together (imslogon-logoff.md).
				conformance.Deferred: {"STLT-02", "STLT-06", "SL-04", "RL-01"},
			}},
		{Name: "support-call-after-release", Flaw: SupportCallAfterRelease, Doc: "the last Release updates the status row after releasing the support, so the row outlives MAPI's removal", Options: withRow,
			Declares: both("RL-03", "E-02", "LG-03")},
		{Name: "support-call-after-shutdown", Flaw: SupportCallAfterShutdown, Doc: "the provider's final Release AddRefs and releases a support it no longer holds", Options: withRow,
			Declares: both("RL-03", "SS-03")},
		{Name: "objects-outlive-logoff", Flaw: ObjectsOutliveLogoff, Doc: "IMSLogon::Logoff leaves open objects working", Options: withRow,
			Declares: both("E-03")},
		{Name: "objects-crash-after-logoff", Flaw: ObjectsCrashAfterLogoff, Doc: "an object's Release after IMSLogon::Logoff panics", Options: withRow,
			Declares: both("E-03", "SS-01")},
		{Name: "no-support-addref", Flaw: NoSupportAddRef, Doc: "Logon keeps the support without AddRef; the last Release releases MAPI's own reference", Options: withRow,
			Declares: both("LG-01", "RL-01")},
		{Name: "no-provider-uid", Flaw: NoProviderUID, Doc: "Logon never calls SetProviderUID", Options: withRow,
			Declares: both("LG-02")},
		{Name: "status-row-after-logoff", Flaw: StatusRowAfterLogoff, Doc: "IMSLogon::Logoff updates the status row, after MAPI removed it and the support is gone", Options: withRow,
			Declares: both("RL-03", "E-02", "LG-03")},
		{Name: "logoff-fails", Flaw: LogoffFails, Doc: "IMSLogon::Logoff returns MAPI_E_CALL_FAILED", Options: withRow,
			Declares: both("LG-04")},
		{Name: "rejects-quiet", Flaw: RejectsQuiet, Doc: "StoreLogoff(LOGOFF_QUIET) returns MAPI_E_INVALID_PARAMETER", Options: withRow,
			Declares: map[conformance.Profile][]string{
				conformance.Immediate: {"SL-01", "SL-05"},
				conformance.Deferred:  {"SL-01"},
			}},
		{Name: "unknown-output-flags", Flaw: UnknownOutputFlags, Doc: "StoreLogoff returns an undocumented output bit", Options: withRow,
			Declares: both("SL-02")},
		{Name: "accepts-invalid-flags", Flaw: AcceptsInvalidFlags, Doc: "StoreLogoff answers any flag word with S_OK (fails only in strict mode)", Options: withRow,
			Declares: both("SL-03")},
		{Name: "passes-invalid-flags", Flaw: PassesInvalidFlags, Doc: "StoreLogoff accepts any flag word with S_OK and passes it on to StoreLogoffTransports", Options: withRow,
			Declares: both("STLT-08", "SL-03")},
		{Name: "answers-after-shutdown", Flaw: AnswersAfterShutdown, Doc: "the ended store answers calls with S_OK (fails only in strict mode)", Options: withRow,
			Declares: both("RL-04")},
		{Name: "ends-every-store", Flaw: EndsEveryStore, Doc: "one store's last Release ends every store of the provider", Options: withRow,
			Declares: both("SS-04")},
		{Name: "racy-refcount", Flaw: RacyRefCount, Doc: "the store's Release is a non-atomic read-modify-write", Options: withRow,
			Declares: both("RB-01")},
		{Name: "row-a-second-late", Flaw: RowASecondLate, Doc: "IMSLogon::Logoff schedules a status-row update 1.1 s later, when the support is gone (caught with LateWatch 1.5 s)", Options: withRow,
			LateWatch:    1500 * time.Millisecond,
			Declares:     both("RL-03", "LG-03", "SS-03"),
			Unexplorable: "its late call comes 1.1 s after its lifecycle, later than an exploration of a thousand lifecycles lasts; Config.LateWatch is the run's wait, which the exploration alone does not make"},
		{Name: "delayed-status-update", Flaw: DelayedStatusUpdate, Doc: "IMSLogon::Logoff schedules a status-row update 10ms later, when the support is gone", Options: withRow,
			Declares: both("RL-03", "LG-03", "SS-03")},
		{Name: "trusts-counts", Flaw: TrustsCounts, Doc: "Logon AddRefs again, for good, when the support's AddRef reports fewer than two references", Options: withRow,
			Declares: both("RB-02")},
		{Name: "declares-immediate-behaves-deferred", Doc: "the adapter declares immediate; the provider defers StoreLogoffTransports", Options: withRow,
			Declares: map[conformance.Profile][]string{conformance.Immediate: {"STLT-02", "SL-05"}},
			Behaves:  map[conformance.Profile]bool{conformance.Immediate: true}},
		{Name: "declares-deferred-behaves-immediate", Doc: "the adapter declares deferred; the provider calls StoreLogoffTransports in StoreLogoff", Options: withRow,
			Declares: map[conformance.Profile][]string{conformance.Deferred: {"STLT-02", "STLT-06"}},
			Behaves:  map[conformance.Profile]bool{conformance.Deferred: false}},
	}
}

// has reports whether the provider was built with flaw f.
func (o Options) has(f Flaw) bool { return o.flaw == f }
