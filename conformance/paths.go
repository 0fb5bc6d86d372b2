package conformance

import (
	"github.com/mapiconf/mapiconf/conformance/internal/drive"
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/onsi/gomega/types"

	"slices"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
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

// A path is one way a store is shut down, driven from logon to the end.
// Specs that judge a rule on every path loop over them.
type path struct {
	name string
	// steps are the calls the clients and the session make after logon;
	// the outline test drives them too, against the reference provider.
	steps func(m *mapisim.MAPI, s *mapisim.Store)
	// The expected outline failures print: by name, or for the orderly
	// paths by caller and flag.
	outline, caller string
	flag            mapi.LogoffFlags
	// life is the path in the lifecycle language, for the specs that are
	// named lifecycles; the spooler's path has none (no step of the
	// language is the spooler's StoreLogoff).
	life *lifecycle.Lifecycle
}

// named is the spec of path p as a named lifecycle (named.go), or nil
// when the path has none.
func (p path) named(section, text string, rules []string, needs ...need) *spec {
	if p.life == nil {
		return nil
	}
	sp := namedLifecycle(section, text, rules, *p.life, needs...)
	run := sp.body
	sp.body = func(h *H) {
		if p.outline == "" {
			h.outline(p.name, "", 0)
		} else {
			h.outline(p.outline, p.caller, p.flag)
		}
		run(h)
	}
	return sp
}

// steps makes a lifecycle of steps.
func steps(ss ...lifecycle.Step) *lifecycle.Lifecycle { return &lifecycle.Lifecycle{Steps: ss} }

// drive logs on to a fresh provider and takes it down the path.
func (p path) drive(h *H, opts mapisim.Options) {
	if p.outline == "" {
		h.outline(p.name, "", 0)
	} else {
		h.outline(p.outline, p.caller, p.flag)
	}
	m, s := h.start(opts)
	h.drive(func() { p.steps(m, s) })
}

var (
	orderly = path{name: "orderly path: a client calls StoreLogoff(LOGOFF_ORDERLY), then Release",
		outline: "storelogoff-release", caller: "client", flag: mapi.LogoffOrderly,
		steps: func(m *mapisim.MAPI, s *mapisim.Store) {
			s.Client().StoreLogoff(mapi.LogoffOrderly)
			s.Client().Release()
		},
		life: steps(lifecycle.Step{Kind: lifecycle.StoreLogoff, Flags: mapi.LogoffOrderly}, lifecycle.Step{Kind: lifecycle.Release})}
	spooler = path{name: "orderly path: the spooler calls StoreLogoff(LOGOFF_ORDERLY), then the client calls Release",
		outline: "storelogoff-release", caller: "spooler", flag: mapi.LogoffOrderly,
		steps: func(m *mapisim.MAPI, s *mapisim.Store) {
			s.Spooler().StoreLogoff(mapi.LogoffOrderly)
			s.Client().Release()
		}}
	releaseOnly = path{name: releaseOnlyName, steps: func(m *mapisim.MAPI, s *mapisim.Store) {
		s.Client().Release()
	}, life: steps(lifecycle.Step{Kind: lifecycle.Release})}
	session = path{name: sessionName, steps: func(m *mapisim.MAPI, s *mapisim.Store) {
		m.SessionLogoff(0)
	}, life: steps(lifecycle.Step{Kind: lifecycle.SessionLogoff})}
	extraRefs = path{name: extraRefsName, steps: func(m *mapisim.MAPI, s *mapisim.Store) {
		c := s.Client()
		c.AddRef()
		c.AddRef()
		c.StoreLogoff(mapi.LogoffOrderly)
		c.Release()
		c.Release()
		c.Release()
	}, life: steps(lifecycle.Step{Kind: lifecycle.AddRef}, lifecycle.Step{Kind: lifecycle.AddRef}, lifecycle.Step{Kind: lifecycle.StoreLogoff, Flags: mapi.LogoffOrderly},
		lifecycle.Step{Kind: lifecycle.Release}, lifecycle.Step{Kind: lifecycle.Release}, lifecycle.Step{Kind: lifecycle.Release})}
	repeated = path{name: repeatedName, steps: func(m *mapisim.MAPI, s *mapisim.Store) {
		c := s.Client()
		c.StoreLogoff(mapi.LogoffOrderly)
		c.StoreLogoff(mapi.LogoffPurge)
		c.Release()
	}, life: steps(lifecycle.Step{Kind: lifecycle.StoreLogoff, Flags: mapi.LogoffOrderly}, lifecycle.Step{Kind: lifecycle.StoreLogoff, Flags: mapi.LogoffPurge}, lifecycle.Step{Kind: lifecycle.Release})}

	// everyPath is every path STLT-01 names.
	everyPath = []path{orderly, spooler, releaseOnly, session, repeated, extraRefs}
	// endingPaths are the three ways in of section A.
	endingPaths = []path{orderly, releaseOnly, session}
)

func (h *H) storeLogoffThenRelease(opts mapisim.Options, caller string, flags mapi.LogoffFlags) *mapisim.Store {
	h.outline("storelogoff-release", caller, flags)
	_, s := h.start(opts)
	c := s.Client()
	if caller == "spooler" {
		c = s.Spooler()
	}
	h.drive(func() {
		c.StoreLogoff(flags)
		s.Client().Release()
	})
	return s
}

// concurrentRelease holds n references and drops them all at once from n
// goroutines.
func (h *H) concurrentRelease(s *mapisim.Store, n int) {
	h.drive(func() {
		for range n - 1 {
			s.Client().AddRef()
		}
		drive.AtOnce(slices.Repeat([]func(){s.Client().Release}, n)...)
	})
}

// Selectors the specs share.
var (
	stlt           = trace.StoreLogoffTransports
	anySupportCall = trace.Any("IMAPISupport")
	logonCall      = trace.TheFirst(trace.Logon)
)

// logoffInsideSupportRelease is how a spec sees that the store ended as documented:
// MAPI's teardown (IMSLogon::Logoff) ran inside the support's Release.
func logoffInsideSupportRelease() types.GomegaMatcher {
	return HaveCallInside(trace.Logoff, trace.SupportRelease)
}

func returnedOK(e trace.Event) bool { return e.Err == nil }

func returnedInvalidObject(e trace.Event) bool { return e.Err == mapi.ErrInvalidObject }
