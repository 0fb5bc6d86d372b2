package realworld

import "github.com/mapiconf/mapiconf/conformance"

// A Provider is a real provider as this package rebuilds it: its adapter,
// what its sources do where shutdown is concerned, and the rules it really
// breaks.
type Provider struct {
	Name     string                // short name, as in reports
	Title    string                // what it is
	Sources  string                // where its sources are, and which files
	Profiles []conformance.Profile // the profiles it is judged in
	Config   func(conformance.Profile) conformance.Config
	// Design says what the sources do, one entry per topic of Topics.
	Design map[string]string
	// Deviations are where the sources break Microsoft's pages: the
	// suite must fail exactly these rules, in every profile of Profiles.
	Deviations []Deviation
	// Lifecycles is how long its verdict explores: long for a provider that
	// must pass most rules, enough to find every broken rule for one that
	// breaks many (each finding is shrunk, which costs).
	Lifecycles int
}

// A Deviation is one thing a real provider does that a page forbids.
type Deviation struct {
	Rules []string // the rules the suite files it under
	// Profile, if set, is the only profile in which the rules apply.
	Profile conformance.Profile
	Does    string // what the source does, and where
	Page    string // the page, under docs/outlook/mapi/ of MicrosoftDocs/office-developer-client-docs
	Says    string // the page's sentence, verbatim but for Markdown
}

// Rules returns the IDs of every rule p's deviations break in profile
// prof.
func (p Provider) Rules(prof conformance.Profile) []string {
	var ids []string
	for _, d := range p.Deviations {
		if d.Profile == "" || d.Profile == prof {
			ids = append(ids, d.Rules...)
		}
	}
	return conformance.InRuleOrder(ids)
}

// Topics are the rows of the side-by-side comparison of docs/realworld.md,
// in order.
var Topics = []string{
	"IMSProvider::Logon",
	"IMsgStore::StoreLogoff",
	"The store's Release",
	"Objects the store handed out",
	"StoreLogoffTransports",
	"IMSLogon::Logoff",
	"After IMAPISession::Logoff",
	"Status row and status object",
}

// Providers returns the real providers, Microsoft's sample store first.
func Providers() []Provider {
	return []Provider{sampleStoreInfo(), kopanoInfo()}
}

const (
	stltPage    = "imapisupport-storelogofftransports.md"
	seedPage    = "shutting-down-a-message-store-provider.md"
	servicePage = "shutting-down-a-service-provider.md"
	logoffPage  = "imslogon-logoff.md"
)

func sampleStoreInfo() Provider {
	return Provider{
		Name:     "smpms",
		Title:    "Microsoft's sample message store (MAPI SDK sample smpms)",
		Sources:  "MAPI SDK sample smpms, Copyright 1992-1995 Microsoft: mspinit.c, msplogon.c, mspms.c, mspobj.c, mspfld.c, msp.h",
		Profiles: []conformance.Profile{conformance.Deferred},
		Config:   func(conformance.Profile) conformance.Config { return SampleStoreConfig() },
		// About 0.8s; 1.8s under the race detector.
		Lifecycles: 10000,
		Design: map[string]string{
			Topics[0]: "`MSP_Logon` makes the logon object and the store together (`HrCheckAndOpenStore`), registers the store's MAPIUID, and AddRefs the support once, last. No status row.",
			Topics[1]: "`IMS_StoreLogoff` saves the flag word as it came (`ulFlagsSLT`, which `HrNewIMS` sets to LOGOFF_ABORT) and answers LOGOFF_COMPLETE. It checks no flag and ends nothing.",
			Topics[2]: "`OBJ_Release`: at zero the store is destroyed only if no object it handed out is still open; otherwise it waits for them.",
			Topics[3]: "Folders and messages are queued under the store (`OBJ_Enqueue`); the last Release of the last one walks up and destroys the store (`OBJ_Destroy`).",
			Topics[4]: "Called once, by `IMS_Neuter` when the store is destroyed, with the saved flag; the answer is ignored (its comment: MAPI_E_NO_SUPPORT from the configuration-time support is no error). Then the support is released, last.",
			Topics[5]: "`MSL_Logoff` destroys the store at once if it is still there (`OBJ_Destroy`): StoreLogoffTransports, every open object neutered (`IMS_NeuterChildren`), the support released. If the store is already gone it does nothing.",
			Topics[6]: "The clients' store and objects are neutered: the sample's methods check their object first (`OBJ_IsInvalid`, `OBJ_ValidateParameters`), so calls are refused with MAPI_E_INVALID_PARAMETER and Release is ignored.",
			Topics[7]: "No status row; `MSL_OpenStatusEntry` answers MAPI_E_NO_SUPPORT.",
		},
		Deviations: []Deviation{{
			Rules: []string{"STLT-08"},
			Does:  "`IMS_StoreLogoff` keeps any flag word (0, LOGOFF_ORDERLY|LOGOFF_ABORT, unknown bits) and `IMS_Neuter` hands it to StoreLogoffTransports as it came. (MAPI32's own parameter validation, `Validate_IMsgStore_StoreLogoff`, is not public; the sample's code checks nothing.)",
			Page:  stltPage,
			Says:  "On input, all flags for this parameter are mutually exclusive; only one of the following flags can be set per call",
		}},
	}
}

func kopanoInfo() Provider {
	return Provider{
		Name:     "Kopano",
		Title:    "Kopano Core's client store provider",
		Sources:  "github.com/Kopano-dev/kopano-core: provider/client/ECMSProvider.cpp, ECMsgStore.cpp, ECNotifyClient.cpp, ProviderUtil.cpp, epclient.cpp, common/ECUnknown.cpp",
		Profiles: []conformance.Profile{conformance.Immediate, conformance.Deferred},
		Config:   KopanoConfig,
		// Every one of its rules is found within the first few dozen.
		Lifecycles: 1000,
		Design: map[string]string{
			Topics[0]: "`ECMSProviderSwitch::Logon`: the store keeps the support (`ECMsgStore`'s `lpSupport`) and so does the notification client it makes (`ECNotifyClient`'s `m_lpSupport`): two AddRefs. Then SetProviderUID and, for the default store, a status row. A store already open is opened again, in full. No spooler data; no SpoolerLogon (mapi4linux's default answers MAPI_E_NO_SUPPORT).",
			Topics[1]: "`ECMsgStore::StoreLogoff` is `return hrSuccess;`: nothing saved, nothing called, and the in/out flags word left as the caller passed it.",
			Topics[2]: "`ECUnknown::Release`: at zero the store dies only if it has no children; its destructor releases the notification client (one support reference) and then its own support reference.",
			Topics[3]: "Folders and messages are the store's children (`AddChild`); the last one's death takes the store with it (`ECUnknown::RemoveChild`, `Suicide`), as in the sample.",
			Topics[4]: "Never called.",
			Topics[5]: "`ECMSLogon::Logoff` is `return hrSuccess;`: no object released, the support kept.",
			Topics[6]: "The store and its objects go on working; the clients' later Release of the store releases the support twice, after MAPI released the provider.",
			Topics[7]: "A status row for the default store (`HrInitializeStatusRow`); `ECMSLogon::OpenStatusEntry` answers MAPI_E_NO_SUPPORT.",
		},
		Deviations: []Deviation{{
			Rules: []string{"STLT-01", "SS-02"},
			Does:  "Nothing calls StoreLogoffTransports, on any path.",
			Page:  seedPage,
			Says:  "StoreLogoffTransports must be called once during the shutdown process.",
		}, {
			Rules: []string{"STLT-02"},
			Does:  "`ECMsgStore::StoreLogoff` neither calls StoreLogoffTransports (immediate profile) nor saves the flag for the last Release (deferred profile).",
			Page:  "imsgstore-storelogoff.md",
			Says:  "Save the flags that are passed to StoreLogoff and pass them when you call the IMAPISupport::StoreLogoffTransports method.",
		}, {
			Rules: []string{"STLT-04"},
			Does:  "The store's last Release (`~ECMsgStore`) never calls StoreLogoffTransports.",
			Page:  seedPage,
			Says:  "If you detect in your Release method that StoreLogoffTransports has not yet been called, invoke it with the LOGOFF_ABORT flag.",
		}, {
			Rules: []string{"SL-02"},
			Does:  "`ECMsgStore::StoreLogoff` leaves the in/out flags word untouched, so the caller reads back its input flag (LOGOFF_ORDERLY, ...) as output.",
			Page:  "imsgstore-storelogoff.md",
			Says:  "The following flags are valid on output: LOGOFF_INBOUND [...] LOGOFF_OUTBOUND [...] LOGOFF_OUTBOUND_QUEUE",
		}, {
			Rules:   []string{"SL-05"},
			Profile: conformance.Immediate,
			Does:    "`ECMsgStore::StoreLogoff(LOGOFF_QUIET)` asks nobody and reports no transport activity: the caller reads back LOGOFF_QUIET.",
			Page:    "imsgstore-storelogoff.md",
			Says:    "LOGOFF_QUIET: If any transport provider activity is taking place, the logoff should not occur. The following flags are valid on output: LOGOFF_INBOUND: Inbound messages are currently arriving.",
		}, {
			Rules: []string{"SD-02", "SS-03"},
			Does:  "`ECMSLogon::Logoff` keeps both support references; the store lets go of them only when its clients release it, after MAPI called Shutdown and released the provider.",
			Page:  servicePage,
			Says:  "The main tasks that a logoff method performs are as follows: [...] Calling the support object's IUnknown::Release method to decrement its reference count.",
		}, {
			Rules: []string{"LG-06"},
			Does:  "`ECMSProviderSwitch::Logon` keeps no list of open stores: a Logon to a store already open makes a second store, a logon object, two more support references and another status row.",
			Page:  "imsprovider-logon.md",
			Says:  "Logon calls that open message stores that are already open for the current MAPI session skip much of the processing previously described. These calls do not create status rows, return message store logon objects, call AddRef for the MAPI support object, or return data for MAPI spooler logon.",
		}, {
			Rules: []string{"E-03"},
			Does:  "`ECMSLogon::Logoff` releases none of the objects the store handed out: on the session path they go on answering calls after it.",
			Page:  servicePage,
			Says:  "The main tasks that a logoff method performs are as follows: Releasing all open objects, including subobjects and status objects.",
		}},
	}
}
