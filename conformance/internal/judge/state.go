package judge

import (
	"fmt"

	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// What the model judges by and keeps: the setting, the violations it
// reports, and its state, store by store.

// Setting is what the model judges by: the declared profile, Strict.
type Setting struct {
	Deferred  bool // the provider declares the deferred profile
	Strict    bool // Config.Strict
	StatusRow bool // the provider declares a status row (Capabilities.StatusRow)
}

// Violation is a rule the provider broke in a lifecycle, or a fault that
// stopped it.
type Violation struct {
	Rule string // "" for a fault
	What string
	At   int // the step, from 1; 0 for logon, -1 for the end

	// Fault names a fault: the call that panicked or returned nil, "hang",
	// "suite" or "start" when the run could not begin. "" for a rule.
	Fault string
	// Was is the rule broken, when the exploration named another as its
	// cause.
	Was string
	// Marks are the calls in question, by Seq, with a word on each, for
	// the failure's call sequence.
	Marks Marks
}

// Marks label calls of a trace by Seq. Passed as the last argument of a
// Fail, they go with the violation, not into its text.
type Marks map[int]string

// Fail records a rule broken at step at.
type Fail func(at int, rule, format string, args ...any)

// objState is what the model expects of an object the client opened.
type objState uint8

const (
	objOpen      objState = iota // handed out by the live store: keeps it alive, may end it
	objLoggedOff                 // open when IMSLogon::Logoff ran: refuses calls (E-03)
	objUnjudged                  // handed out by the ended store (RL-04 judged the OpenEntry)
	objReleased                  // the client released it: never called again
)

// ending is whether a step may end the store (SEMANTICS.md §1).
type ending uint8

const (
	endForbidden ending = iota // the clients keep store references: RL-02, SL-04
	endAllowed                 // the store may end here, or later
	endRequired                // the clients hold nothing more: the store must end here
)

// Model is what the declared profile requires, step by step, of each
// store on its own.
type Model struct {
	t    *trace.Trace
	set  Setting
	fail Fail

	stores  []store // the first store, and the second with Lifecycle.TwoStores
	cur     *store  // the store of the step being judged
	session bool    // IMAPISession::Logoff came

	// SuiteBug is what the simulated MAPI did wrong, if it did
	// (checkSpooler): no rule of the provider's.
	SuiteBug string
	// Unable is the first declared capability that failed (unable): the
	// driver stops there, for the lifecycle cannot be made as written.
	Unable string

	view []trace.Event // the events a step looks at (events)
	ends view          // the whole trace, as the end checks read it (checkEnd)

	// activity is the transport activity StoreLogoffTransports reports to
	// LOGOFF_QUIET and LOGOFF_ABORT in this lifecycle (lifecycle.Answer):
	// the logoff does not occur (SL-05).
	activity mapi.LogoffFlags
}

// store is what the model follows of one store.
type store struct {
	// Its support's calls, and its logon object's Logoff.
	stlt1, supRel1, supAddRef1, logoff1 trace.Call

	refs     int      // references the client holds on the store
	reopened int      // the stores second Logons returned, which it holds too
	objs     []string // the objects' names, by OpenEntry step; "" where it failed
	objState []objState

	requested  bool             // a StoreLogoff returned S_OK
	pending    mapi.LogoffFlags // the flag of the last StoreLogoff that returned S_OK
	pendingAny bool             // that StoreLogoff's flag was no single valid one: what STLT gets is the provider's call
	flagsSaved int              // StoreLogoff calls whose valid flag was taken
	logoffs    int              // StoreLogoff calls on the live store

	stlts       int              // StoreLogoffTransports calls on its support so far
	final       int              // Seq of the first of them that logged the store off; 0: none yet
	invalidated bool             // one was answered S_OK with LOGOFF_COMPLETE
	busy        bool             // the last was an immediate StoreLogoff's, and its logoff did not occur (SL-05)
	firstFlag   mapi.LogoffFlags // the first call's flag
	extra       int              // calls after the one that logged the store off
	bySession   bool             // the store ended on the session path
	early       bool             // a StoreLogoff called it in the deferred profile (STLT-02, STLT-06)

	ended     bool // MAPI's teardown of the store ran
	endedAt   int  // the step where it ran
	loggedOff bool // IMSLogon::Logoff ran
}

// newStore is the model's store i (from 0), as the simulated MAPI names
// it: "store", "support", "logon"; then "store 2", "support 2", "logon 2".
func newStore(i int, objs []string, objState []objState) store {
	suffix := ""
	if i > 0 {
		suffix = fmt.Sprintf(" %d", i+1)
	}
	return store{refs: 1, objs: objs[:0], objState: objState[:0],
		stlt1:      trace.Call{Iface: "IMAPISupport", Method: "StoreLogoffTransports", Object: "support" + suffix},
		supRel1:    trace.Call{Iface: "IMAPISupport", Method: "Release", Object: "support" + suffix},
		supAddRef1: trace.Call{Iface: "IMAPISupport", Method: "AddRef", Object: "support" + suffix},
		logoff1:    trace.Call{Iface: "IMSLogon", Method: "Logoff", Object: "logon" + suffix},
	}
}
