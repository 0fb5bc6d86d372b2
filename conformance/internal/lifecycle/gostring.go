package lifecycle

import (
	"fmt"
	"strings"

	"github.com/mapiconf/mapiconf/mapi"
)

// GoString is lc as Go source, to paste into the spec table as a named
// lifecycle: a shrunk lifecycle of the exploration becomes a spec.
func (lc Lifecycle) GoString() string {
	var fields []string
	if lc.Answer != 0 {
		fields = append(fields, fmt.Sprintf("Answer: %d", lc.Answer))
	}
	for _, f := range []struct {
		name string
		on   bool
	}{{"Bogus", lc.Bogus}, {"TwoStores", lc.TwoStores}, {"ObjectsFirst", lc.ObjectsFirst}} {
		if f.on {
			fields = append(fields, f.name+": true")
		}
	}
	var steps []string
	for _, o := range lc.Steps {
		steps = append(steps, o.GoString())
	}
	fields = append(fields, "Steps: []lifecycle.Step{"+strings.Join(steps, ", ")+"}")
	return "lifecycle.Lifecycle{" + strings.Join(fields, ", ") + "}"
}

// GoString is the step as Go source.
func (o Step) GoString() string {
	parts := []string{"Kind: lifecycle." + kindNames[o.Kind]}
	if o.Kind == StoreLogoff || o.Kind == SpoolerStoreLogoff || o.Kind == StoreLogoffAtOnce {
		parts = append(parts, "Flags: "+flagsGo(o.Flags))
	}
	if o.N != 0 {
		parts = append(parts, fmt.Sprintf("N: %d", o.N))
	}
	if o.Store != 0 {
		parts = append(parts, fmt.Sprintf("Store: %d", o.Store))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

var kindNames = map[Kind]string{
	AddRef: "AddRef", Release: "Release", ConcurrentRelease: "ConcurrentRelease", StoreLogoff: "StoreLogoff",
	Open: "Open", GetProps: "GetProps", CloseObject: "CloseObject", SessionLogoff: "SessionLogoff",
	LogonAgain: "LogonAgain", ReleaseAgain: "ReleaseAgain", SpoolerStoreLogoff: "SpoolerStoreLogoff",
	StoreLogoffAtOnce: "StoreLogoffAtOnce", StoreLogoffReused: "StoreLogoffReused", OpenSubobject: "OpenSubobject",
	OpenStatus: "OpenStatus", ProviderShutdown: "ProviderShutdown",
}

// flagsGo spells a flag word with mapi's constants where it can.
func flagsGo(f mapi.LogoffFlags) string {
	names := []struct {
		f    mapi.LogoffFlags
		name string
	}{
		{mapi.LogoffNoWait, "mapi.LogoffNoWait"}, {mapi.LogoffOrderly, "mapi.LogoffOrderly"}, {mapi.LogoffPurge, "mapi.LogoffPurge"},
		{mapi.LogoffAbort, "mapi.LogoffAbort"}, {mapi.LogoffQuiet, "mapi.LogoffQuiet"}, {mapi.LogoffComplete, "mapi.LogoffComplete"},
	}
	var parts []string
	rest := f
	for _, n := range names {
		if f&n.f != 0 {
			parts = append(parts, n.name)
			rest &^= n.f
		}
	}
	if rest != 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%#x", uint32(rest)))
	}
	return strings.Join(parts, "|")
}
