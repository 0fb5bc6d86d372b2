// Package realworld holds the shutdown behaviour of two real, public MAPI
// message store providers, rebuilt in Go from their sources, and the
// suite's verdict on each.
//
//   - SampleStore is Microsoft's MAPI SDK sample message store, smpms
//     (mspinit.c, msplogon.c, mspms.c, mspobj.c, mspfld.c, msp.h).
//   - Kopano is the client-side store provider of Kopano Core
//     (provider/client/ECMSProvider.cpp, ECMsgStore.cpp, ECNotifyClient.cpp,
//     common/ECUnknown.cpp).
//
// Only what shutdown touches is rebuilt: who holds references on what, when
// StoreLogoffTransports is called and with which flag, when the support is
// released, what IMSLogon::Logoff does, and what the objects a store handed
// out do afterwards. Each type and method names the C or C++ function whose
// behaviour it mirrors; the code and its words are this project's own.
//
// The providers are test cases of the suite, not reference designs: where a
// source deviates from Microsoft's pages, the model deviates the same way,
// and Deviations lists what the suite must find, each with the page sentence
// it breaks. docs/realworld.md shows the two side by side.
package realworld

//go:generate go test -run TestRealWorldDocs -update .
