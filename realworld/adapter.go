package realworld

import (
	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/mapi"
)

// SampleStoreConfig is the conformance adapter of the sample store: the
// deferred profile (IMS_StoreLogoff saves the flag, IMS_Neuter passes it on),
// objects and a subobject (the root folder opens the message), several
// stores per provider (the provider keeps a list of open stores), no status
// row and no status object (MSL_OpenStatusEntry answers MAPI_E_NO_SUPPORT).
// Not strict: the sample answers LOGOFF_COMPLETE from StoreLogoff, which
// RULES.md allows and Config.Strict does not.
func SampleStoreConfig() conformance.Config {
	return conformance.Config{
		Name:        "smpms (Microsoft's sample store)",
		NewProvider: func() (mapi.IMSProvider, error) { return NewSampleStore(), nil },
		Profile:     conformance.Deferred,
		Capabilities: conformance.Capabilities{
			Objects:        true,
			Subobject:      SampleMessage,
			MultipleStores: true,
			Spooler:        true, // MSP_SpoolerLogon, with HrGetSpoolSecurity's data
		},
	}
}

// KopanoConfig is the conformance adapter of Kopano's provider in profile p.
// Kopano follows neither profile (nothing calls StoreLogoffTransports), so
// it is judged in both. It adds a status row (for the default store), hands
// out objects and a subobject, logs on to several stores, and has no status
// object (ECMSLogon::OpenStatusEntry answers MAPI_E_NO_SUPPORT).
func KopanoConfig(p conformance.Profile) conformance.Config {
	return conformance.Config{
		Name:        "Kopano",
		NewProvider: func() (mapi.IMSProvider, error) { return NewKopano(), nil },
		Profile:     p,
		Capabilities: conformance.Capabilities{
			StatusRow:      true,
			Objects:        true,
			Subobject:      KopanoMessage,
			MultipleStores: true,
		},
	}
}
