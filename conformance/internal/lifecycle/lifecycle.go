// Package lifecycle is the language the suite drives a provider in: a
// lifecycle is how MAPI answers StoreLogoffTransports, the setting (a second
// store, bogus reference counts) and the client's steps. The named specs,
// the bounded enumeration and the random exploration all speak it, so a
// shrunk lifecycle from the exploration can be pasted as a spec.
//
// The package holds the language only: which steps there are, which a
// client can make next (Client, the enumeration's hook), random generation
// and shrinking. Running a lifecycle is package drive's, judging it package
// judge's.
package lifecycle

import (
	"fmt"
	"strings"

	"github.com/mapiconf/mapiconf/mapi"
)

// A Lifecycle is one run of a provider: how MAPI answers, the setting and
// the client's steps. After the steps the client releases what it still
// holds and MAPI shuts the provider down, so that every lifecycle ends.
type Lifecycle struct {
	Seed         uint64 // the random lifecycle's seed; 0 for others
	Answer       uint8  // index in Answers
	Bogus        bool   // the support's AddRef and Release return 0
	TwoStores    bool   // a second store is open from the start; steps with Store 1 are made on it
	ObjectsFirst bool   // at the end the client releases its objects before its store references
	Steps        []Step
}

// Kind is what a step does.
type Kind uint8

const (
	AddRef            Kind = iota // the client AddRefs the store
	Release                       // the client Releases the store
	ConcurrentRelease             // N client Releases at once, from N goroutines
	StoreLogoff                   // the client calls StoreLogoff(Flags)
	Open                          // the client opens the root folder (OpenEntry)
	GetProps                      // GetProps on the object of OpenEntry N (from 0)
	CloseObject                   // the Release of the object of OpenEntry N
	SessionLogoff                 // IMAPISession::Logoff, MAPI's part: the client keeps what it holds
	LogonAgain                    // a second Logon to the open store (LG-06)
	ReleaseAgain                  // the Release of the store the last LogonAgain returned
	// The kinds below come after, so that the values above never shift.
	SpoolerStoreLogoff // the MAPI spooler calls StoreLogoff(Flags) on the store
	StoreLogoffAtOnce  // the client and the spooler call StoreLogoff(Flags) at the same moment
	StoreLogoffReused  // the client calls StoreLogoff with the output flags its last StoreLogoff returned
	OpenSubobject      // the client opens Capabilities.Subobject from the folder of object N
	OpenStatus         // MAPI opens a status object of the store's logon (IMSLogon::OpenStatusEntry)
	ProviderShutdown   // MAPI shuts the provider down (IMSProvider::Shutdown) while the client holds what it holds
)

// Step is one step of a lifecycle.
type Step struct {
	Kind  Kind
	Flags mapi.LogoffFlags // StoreLogoff
	N     int              // ConcurrentRelease: how many references; object steps: which object opened on its store (Open, OpenSubobject, OpenStatus), from 0
	Store int              // the store it is made on: 0 the first, 1 the second (Lifecycle.TwoStores)
}

func (o Step) String() string {
	if o.Store > 0 && o.Kind != SessionLogoff && o.Kind != ProviderShutdown {
		return o.onFirst() + " (second store)"
	}
	return o.onFirst()
}

// onFirst says the step as made on the first store.
func (o Step) onFirst() string {
	switch o.Kind {
	case AddRef:
		return "client AddRef"
	case Release:
		return "client Release"
	case ConcurrentRelease:
		return fmt.Sprintf("%d client Releases at once, from %d goroutines", o.N, o.N)
	case StoreLogoff:
		if o.Flags == mapi.LogoffComplete {
			return "client StoreLogoff(LOGOFF_COMPLETE), reusing its in/out flags variable"
		}
		return fmt.Sprintf("client StoreLogoff(%v)", o.Flags)
	case Open:
		return "client OpenEntry(root folder)"
	case GetProps:
		return fmt.Sprintf("GetProps on object %d", o.N+1)
	case CloseObject:
		return fmt.Sprintf("Release of object %d", o.N+1)
	case OpenSubobject:
		return fmt.Sprintf("client OpenEntry(subobject) on object %d, a folder", o.N+1)
	case OpenStatus:
		return "MAPI opens a status object (IMSLogon::OpenStatusEntry)"
	case SpoolerStoreLogoff:
		return fmt.Sprintf("spooler StoreLogoff(%v)", o.Flags)
	case StoreLogoffAtOnce:
		return fmt.Sprintf("client and spooler StoreLogoff(%v) at the same moment", o.Flags)
	case StoreLogoffReused:
		return "client StoreLogoff with the output flags its last StoreLogoff returned (one in/out variable)"
	case ProviderShutdown:
		return "MAPI shuts the provider down (IMSProvider::Shutdown), the client holding what it holds"
	case SessionLogoff:
		return "IMAPISession::Logoff"
	case LogonAgain:
		return "IMSProvider::Logon again, to the store already open"
	case ReleaseAgain:
		return "client Release of the store the second Logon returned"
	}
	return "?"
}

// OnObject reports whether the step calls an object the client opened.
func (o Step) OnObject() bool {
	return o.Kind == GetProps || o.Kind == CloseObject || o.Kind == OpenSubobject
}

// Opens reports whether the step opens an object: the object's number on
// its store (Step.N of the steps on it) counts these steps.
func (o Step) Opens() bool { return o.Kind == Open || o.Kind == OpenSubobject || o.Kind == OpenStatus }

// IsStoreLogoff reports whether the step calls StoreLogoff, whoever calls.
func (o Step) IsStoreLogoff() bool {
	return o.Kind == StoreLogoff || o.Kind == SpoolerStoreLogoff || o.Kind == StoreLogoffAtOnce || o.Kind == StoreLogoffReused
}

// Answer is how the simulated MAPI answers StoreLogoffTransports.
type Answer struct {
	Flags    mapi.LogoffFlags // S_OK with these output flags
	Err      error            // or this error
	Activity mapi.LogoffFlags // or, as the page describes, this transport activity (mapisim.Options.Activity)
}

// Answers are what the simulated MAPI may answer StoreLogoffTransports:
// S_OK with each output flag whatever the call, MAPI_E_NO_SUPPORT and
// another error, or as the page describes with transport activity (the
// activity to LOGOFF_QUIET and LOGOFF_ABORT, and the logoff does not
// occur). The first is the ordinary answer that shrinking falls back to.
var Answers = []Answer{
	{Flags: mapi.LogoffComplete},
	{Flags: mapi.LogoffInbound},
	{Flags: mapi.LogoffOutbound},
	{Flags: mapi.LogoffOutboundQueue},
	{Flags: mapi.LogoffInbound | mapi.LogoffOutboundQueue},
	{Err: mapi.ErrNoSupport},
	{Err: mapi.ErrCallFailed},
	{Activity: mapi.LogoffInbound},
	{Activity: mapi.LogoffOutbound | mapi.LogoffOutboundQueue},
}

// AnswerName says answer i in words.
func AnswerName(i uint8) string {
	a := Answers[i]
	if a.Activity != 0 {
		return fmt.Sprintf("as the page describes, with transport activity %v: that activity to LOGOFF_QUIET and LOGOFF_ABORT (the logoff does not occur), LOGOFF_COMPLETE to the other flags", a.Activity)
	}
	if a.Err != nil {
		return mapi.ResultOf(a.Err)
	}
	return "S_OK, " + a.Flags.String()
}

func (lc Lifecycle) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "    StoreLogoffTransports answers %s", AnswerName(lc.Answer))
	if lc.Bogus {
		b.WriteString("; the support's AddRef and Release return 0")
	}
	if lc.TwoStores {
		b.WriteString("; a second store is open")
	}
	b.WriteString("\n     0. IMSProvider::Logon\n")
	for i, o := range lc.Steps {
		fmt.Fprintf(&b, "    %2d. %v\n", i+1, o)
	}
	held := "its store references, then its objects"
	if lc.ObjectsFirst {
		held = "its objects, then its store references"
	}
	fmt.Fprintf(&b, "     ∎. the client releases what it holds (%s); IMAPISession::Logoff if none came\n", held)
	return b.String()
}

// InvalidFlags are StoreLogoff flag words that are no single valid input:
// none, two flags, unknown bits.
var InvalidFlags = []mapi.LogoffFlags{0, mapi.LogoffOrderly | mapi.LogoffAbort, 0x100, 0x20}
