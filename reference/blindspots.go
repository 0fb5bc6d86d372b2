package reference

import "github.com/mapiconf/mapiconf/conformance"

// blindSpots are the known-bad providers of the verdicts issue (16): a
// defect that shows on one logon, one object, one flag or one combination
// only, where a suite that drives the first store, the client's objects or
// a fixed set of paths does not look.
func blindSpots() []Bad {
	withRow := Options{StatusRow: true}
	return []Bad{
		{Name: "passes-complete-on", Flaw: PassesCompleteOn, Doc: "StoreLogoff takes a reused LOGOFF_COMPLETE as given and passes it on to StoreLogoffTransports", Options: withRow,
			Declares: both("STLT-08", "SL-03")},

		// Every logon, every store (RULES.md revision 4).
		{Name: "uid-flags-second-store", Flaw: UIDFlags, Only: SecondStore, Doc: "the second store's Logon calls SetProviderUID with a nonzero reserved flag", Options: withRow,
			Declares: both("LG-02")},
		{Name: "no-support-addref-spooler", Flaw: NoSupportAddRef, Only: SpoolerOnly, Doc: "SpoolerLogon keeps the support without AddRef; the spooler's store's end releases MAPI's own reference", Options: withRow,
			Declares: both("LG-01", "RL-01")},
		{Name: "logoff-fails-spooler", Flaw: LogoffFails, Only: SpoolerOnly, Doc: "the spooler's logon object's IMSLogon::Logoff returns MAPI_E_CALL_FAILED", Options: withRow,
			Declares: both("LG-04")},
		{Name: "support-released-twice-spooler", Flaw: SupportReleasedTwice, Only: SpoolerOnly, Doc: "the spooler's store's end releases its support twice", Options: withRow,
			Declares: both("RL-01", "RL-03")},
		{Name: "orderly-on-release-only-second-store", Flaw: OrderlyOnReleaseOnly, Only: SecondStore, Doc: "the second store's Release-only path passes LOGOFF_ORDERLY, not LOGOFF_ABORT", Options: withRow,
			Declares: both("STLT-04", "SS-02")},
		{Name: "objects-outlive-logoff-second-store", Flaw: ObjectsOutliveLogoff, Only: SecondStore, Doc: "the second store's IMSLogon::Logoff leaves its open objects working", Options: withRow,
			Declares: both("E-03")},
		{Name: "status-row-after-logoff-second-store", Flaw: StatusRowAfterLogoff, Only: SecondStore, Doc: "the second store's IMSLogon::Logoff updates the status row after MAPI removed it", Options: withRow,
			Declares: both("RL-03", "E-02", "LG-03")},
		{Name: "stlt-after-support-release-second-store", Flaw: STLTAfterSupportRelease, Only: SecondStore, Doc: "the second store's end releases the support, then calls StoreLogoffTransports", Options: withRow,
			Declares: both("STLT-05", "RL-03", "E-05")},

		// Every object IMSLogon::Logoff must release (E-03).
		{Name: "subobjects-go-with-folder", Flaw: SubobjectsGoWithFolder, Doc: "a folder's release makes the provider forget the subobjects opened in it, which IMSLogon::Logoff then leaves open", Options: withRow,
			Declares: both("E-03")},
		{Name: "one-status-slot", Flaw: OneStatusSlot, Doc: "a second OpenStatusEntry makes the logon forget the first status object, which IMSLogon::Logoff then leaves open", Options: withRow,
			Declares: both("E-03")},

		// One flag, one path: what the enumeration finds.
		{Name: "stlt-twice-on-purge", Flaw: STLTTwiceOnPurge, EnumerationOnly: true, Doc: "StoreLogoffTransports is called twice for LOGOFF_PURGE", Options: withRow,
			// SS-02 judges the session path's own calls: in the deferred
			// profile both come inside IMSLogon::Logoff; in the immediate
			// one both come in StoreLogoff(LOGOFF_PURGE), before it
			// (STLT-01's).
			Declares: map[conformance.Profile][]string{
				conformance.Immediate: {"STLT-01"},
				conformance.Deferred:  {"STLT-01", "SS-02"},
			}},
		// A late call (RULES.md revision 4) in one combination only: the
		// enumeration's lifecycles are watched to the run's end too.
		{Name: "late-row-on-purge", Flaw: LateRowOnPurge, EnumerationOnly: true, Doc: "IMSLogon::Logoff after StoreLogoff(LOGOFF_PURGE) with an object open updates the status row 10ms later, when the support is gone", Options: withRow,
			Declares: both("RL-03", "LG-03", "SS-03")},
		{Name: "relogon-while-pending", Flaw: RelogonWhilePending, EnumerationOnly: true, Doc: "a Logon to the open store logs on again, with a logon object of its own, while a StoreLogoff is pending", Options: withRow,
			Declares: map[conformance.Profile][]string{conformance.Deferred: {"LG-06"}}},
	}
}
