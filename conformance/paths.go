package conformance

import (
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/mapi"
)

// Path names, for outlines (the path values refer to outline, which refers
// to the names: constants break the cycle).
const (
	releaseOnlyName = "Release-only path: a client calls Release alone"
	sessionName     = "session path: IMAPISession::Logoff with the store still open"
	extraRefsName   = "extra references: the client AddRefs twice, calls StoreLogoff(LOGOFF_ORDERLY), then Releases three times"
	repeatedName    = "repeated StoreLogoff: LOGOFF_ORDERLY, then LOGOFF_PURGE, then Release"
)

// A path is one way a store is shut down, from logon to the end, in the
// lifecycle language. Specs that judge a rule on every path loop over them.
type path struct {
	name string
	// The expected outline failures print: by name, or for the orderly
	// paths by caller and flag.
	outline, caller string
	flag            mapi.LogoffFlags
	life            lifecycle.Lifecycle
}

// named is the spec of path p as a named lifecycle (named.go).
func (p path) named(section, text string, rules []string, needs ...need) *spec {
	return p.with(section, text, rules, p.life, needs...)
}

// with is the spec of path p's outline with another lifecycle: p's under
// another answer, or with more steps.
func (p path) with(section, text string, rules []string, lc lifecycle.Lifecycle, needs ...need) *spec {
	return namedLifecycle(section, text, rules, lc, needs...).outlined(p.pathOutline())
}

// answering is p's lifecycle with StoreLogoffTransports answering
// lifecycle.Answers[a].
func (p path) answering(a uint8) lifecycle.Lifecycle {
	lc := p.life
	lc.Answer = a
	return lc
}

// steps makes a lifecycle of steps.
func steps(ss ...lifecycle.Step) lifecycle.Lifecycle { return lifecycle.Lifecycle{Steps: ss} }

// Steps of the language, spelled short for the spec tables.
var (
	addRef        = lifecycle.Step{Kind: lifecycle.AddRef}
	clientRelease = lifecycle.Step{Kind: lifecycle.Release}
	sessionLogoff = lifecycle.Step{Kind: lifecycle.SessionLogoff}
	openRoot      = lifecycle.Step{Kind: lifecycle.Open}
	openStatus    = lifecycle.Step{Kind: lifecycle.OpenStatus}
)

func logoff(f mapi.LogoffFlags) lifecycle.Step {
	return lifecycle.Step{Kind: lifecycle.StoreLogoff, Flags: f}
}

func getProps(n int) lifecycle.Step    { return lifecycle.Step{Kind: lifecycle.GetProps, N: n} }
func closeObject(n int) lifecycle.Step { return lifecycle.Step{Kind: lifecycle.CloseObject, N: n} }
func openSub(n int) lifecycle.Step     { return lifecycle.Step{Kind: lifecycle.OpenSubobject, N: n} }

// onSecond is step o made on the second store.
func onSecond(o lifecycle.Step) lifecycle.Step { o.Store = 1; return o }

var (
	orderly = path{name: "orderly path: a client calls StoreLogoff(LOGOFF_ORDERLY), then Release",
		outline: "storelogoff-release", caller: "client", flag: mapi.LogoffOrderly,
		life: steps(logoff(mapi.LogoffOrderly), clientRelease)}
	spooler = path{name: "orderly path: the spooler calls StoreLogoff(LOGOFF_ORDERLY), then the client calls Release",
		outline: "storelogoff-release", caller: "spooler", flag: mapi.LogoffOrderly,
		life: steps(lifecycle.Step{Kind: lifecycle.SpoolerStoreLogoff, Flags: mapi.LogoffOrderly}, clientRelease)}
	releaseOnly = path{name: releaseOnlyName, life: steps(clientRelease)}
	session     = path{name: sessionName, life: steps(sessionLogoff)}
	extraRefs   = path{name: extraRefsName, life: steps(addRef, addRef, logoff(mapi.LogoffOrderly), clientRelease, clientRelease, clientRelease)}
	repeated    = path{name: repeatedName, life: steps(logoff(mapi.LogoffOrderly), logoff(mapi.LogoffPurge), clientRelease)}

	// everyPath is every path STLT-01 names.
	everyPath = []path{orderly, spooler, releaseOnly, session, repeated, extraRefs}
	// endingPaths are the three ways in of section A.
	endingPaths = []path{orderly, releaseOnly, session}
)

// orderlyWith is the orderly path with StoreLogoff(f).
func orderlyWith(f mapi.LogoffFlags) path {
	p := orderly
	p.flag, p.life = f, steps(logoff(f), clientRelease)
	return p
}
