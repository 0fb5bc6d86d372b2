package dll_test

import (
	"testing"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/dll"
)

func TestParseCapabilities(t *testing.T) {
	got, err := dll.ParseCapabilities("statusrow, Objects,Subobject=msg-1,StatusObject,MULTIPLESTORES,spooler,OneStorePerProvider")
	want := conformance.Capabilities{StatusRow: true, Objects: true, Subobject: "msg-1", StatusObject: true, MultipleStores: true, Spooler: true, OneStorePerProvider: true}
	if err != nil || got != want {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
	if got, err := dll.ParseCapabilities(""); err != nil || got != (conformance.Capabilities{}) {
		t.Errorf("empty list: %+v, %v", got, err)
	}
	for _, bad := range []string{"Subobject=x", "Objects,Subobject", "Folders", "Objects=1"} {
		if _, err := dll.ParseCapabilities(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
