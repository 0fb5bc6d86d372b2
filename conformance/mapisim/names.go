package mapisim

import (
	"strconv"

	"github.com/mapiconf/mapiconf/mapi"
)

// An exploration logs on hundreds of thousands of times, and nearly always
// to the first store or the second: the names the trace gives their objects,
// and the same names boxed as an event's values hold them, are made once,
// not at every Logon. Boxing a string into an event's value allocates.

// logonNames are the names of the n'th store's objects and of the
// spooler's logon of it, as strings and as events show them.
type logonNames struct {
	store, logon, support       string
	spStore, spLogon, spSupport string // the spooler's logon of the store
	entryID                     mapi.EntryID

	shown struct {
		store, logon, support, spStore, spLogon, spSupport, entryID any
	}
}

var firstNames = [...]*logonNames{makeNames(1), makeNames(2)}

// namesOf returns the names of the n'th store, from 1.
func namesOf(n int) *logonNames {
	if n <= len(firstNames) {
		return firstNames[n-1]
	}
	return makeNames(n)
}

// makeNames names the n'th store's objects: "store", "logon", "support"
// for the first, "store 2", "logon 2", "support 2" for the second; the
// spooler's are "spooler store", "spooler store 2", ...
func makeNames(n int) *logonNames {
	suffix := ""
	if n > 1 {
		suffix = " " + strconv.Itoa(n)
	}
	nm := &logonNames{store: "store" + suffix, logon: "logon" + suffix, support: "support" + suffix,
		spStore: "spooler store" + suffix, spLogon: "spooler logon" + suffix, spSupport: "spooler support" + suffix,
		entryID: mapi.EntryID("store-" + strconv.Itoa(n))}
	s := &nm.shown
	s.store, s.logon, s.support = nm.store, nm.logon, nm.support
	s.spStore, s.spLogon, s.spSupport = nm.spStore, nm.spLogon, nm.spSupport
	s.entryID = nm.entryID
	return nm
}

// defaultProfile is the profile name Options.ProfileName defaults to, and
// how every Logon's event shows it.
const defaultProfile = "mapiconf"

var defaultProfileShown any = defaultProfile

// nilShown is how an event shows a nil object.
var nilShown any = "nil"

// objShown is how an event shows the object v that a call returned: its
// name (shown, boxed already), or "nil".
func objShown(v any, shown any) any {
	if isNil(v) {
		return nilShown
	}
	return shown
}

// spoolShown is how the events show spooler data of each length up to a
// short entry ID's, boxed once; longer data is shown as it comes.
var spoolShown = func() (out [64]any) {
	for i := range out {
		out[i] = spoolData(make([]byte, i))
	}
	return out
}()

// spoolDataShown is spoolData as an event's value.
func spoolDataShown(b []byte) any {
	if len(b) < len(spoolShown) {
		return spoolShown[len(b)]
	}
	return spoolData(b)
}
