package judge

import (
	"github.com/mapiconf/mapiconf/conformance/trace"
)

// What the model judges once, not step by step: the logons, when they are
// done; the whole trace, when the lifecycle has ended.

// Logons judges the logons of a lifecycle's start (LG-01, LG-02), with the
// judges the named specs use.
func (md *Model) Logons() {
	evs := md.events(0)
	checkLogon(evs, md.fail)
	if md.set.StatusRow && !trace.Contains(evs, trace.ModifyStatusRow) {
		md.fail(0, "LG-03", "IMSProvider::Logon added no status row, which the provider declares (Capabilities.StatusRow)")
	}
}

// checkLogon judges the logons, every one (the second store's and the
// spooler's too): LG-01 and LG-02, with the judges the specs use.
func checkLogon(evs []trace.Event, fail Fail) {
	if ok, got, _ := KeepsSupport(evs); !ok {
		fail(0, "LG-01", "%s (want at least 1, and never more Releases than AddRefs)", got)
	}
	if ok, got, _ := ProviderUIDs(evs); !ok {
		fail(0, "LG-02", "%s", got)
	}
}

// Held is what the client still holds of the first store at the end of
// its steps: the stores second Logons returned, its references on the
// store, and its objects (by OpenEntry): the driver releases them, each
// Release judged like a step. (The second store it leaves to
// IMAPISession::Logoff, judged as that store's end.)
func (md *Model) Held() (reopened, refs int, objects []int) {
	st := &md.stores[0]
	for i, s := range st.objState {
		if s != objReleased {
			objects = append(objects, i)
		}
	}
	return st.reopened, st.refs, objects
}

// LoggedOff reports whether object n of store s was open when its store's
// IMSLogon::Logoff ran, and the client still holds it: it must refuse
// calls (E-03).
func (md *Model) LoggedOff(s, n int) bool {
	return s < len(md.stores) && n < len(md.stores[s].objState) && md.stores[s].objState[n] == objLoggedOff
}

// Session reports whether IMAPISession::Logoff came among the steps.
func (md *Model) Session() bool { return md.session }

// Finish judges the whole trace once the lifecycle has ended (checkEnd,
// checkSpooler).
func (md *Model) Finish() {
	evs := md.events(0)
	v := md.checkEnd(evs)
	md.SuiteBug, _ = md.checkSpooler(v)
}

// checkEnd judges the whole lifecycle once it has ended, with the checks
// the named specs run on theirs (EndChecks): every store's logoff and flag,
// every support released as often as AddRef'd and never called once gone,
// the MAPIUIDs removed, no status row once a logon is done, every Logoff
// and Shutdown answered S_OK, nothing after the provider's final Release.
func (md *Model) checkEnd(evs []trace.Event) *view {
	v := &md.ends
	v.reset(evs)
	for _, c := range EndChecks {
		if ok, got, marks := c.judge(v); !ok {
			md.fail(-1, c.Rule, "%s", got, Marks(marks))
		}
	}
	return v
}
