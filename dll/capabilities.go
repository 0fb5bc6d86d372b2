package dll

import (
	"fmt"
	"strings"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/mapi"
)

// ParseCapabilities reads conformance.Capabilities from a comma-separated
// list of their field names, as MAPICONF_CAPABILITIES gives them to `make
// conformance-dll`: "StatusRow,Objects,Subobject=msg-1,StatusObject,
// MultipleStores,Spooler" declares everything the C reference provider does. Case
// does not matter; Subobject takes the entry ID's provider bytes (the adapter
// puts four zero flag bytes before them). The empty list declares nothing.
func ParseCapabilities(list string) (conformance.Capabilities, error) {
	var c conformance.Capabilities
	for _, item := range strings.Split(list, ",") {
		name, value, hasValue := strings.Cut(strings.TrimSpace(item), "=")
		switch strings.ToLower(name) {
		case "":
			continue
		case "statusrow":
			c.StatusRow = true
		case "objects":
			c.Objects = true
		case "subobject":
			if !hasValue || value == "" {
				return c, fmt.Errorf("capability Subobject needs an entry ID: Subobject=ID")
			}
			c.Subobject = mapi.EntryID(value)
		case "statusobject":
			c.StatusObject = true
		case "multiplestores":
			c.MultipleStores = true
		case "spooler":
			c.Spooler = true
		case "onestoreperprovider":
			c.OneStorePerProvider = true
		default:
			return c, fmt.Errorf("unknown capability %q: want StatusRow, Objects, Subobject=ID, StatusObject, MultipleStores, Spooler or OneStorePerProvider", name)
		}
		if hasValue && strings.ToLower(name) != "subobject" {
			return c, fmt.Errorf("capability %s takes no value", name)
		}
	}
	if c.Subobject != "" && !c.Objects {
		return c, fmt.Errorf("capability Subobject needs Objects")
	}
	return c, nil
}
