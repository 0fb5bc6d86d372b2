package conformance

import "github.com/mapiconf/mapiconf/mapi"

// Outline exposes the expected outlines to the external tests, which hold
// them to the reference provider.
func Outline(path string, p Profile, caller string, f mapi.LogoffFlags) []string {
	return outlineOf(path, p, caller, f)
}

var PathNames = []string{releaseOnlyName, sessionName, extraRefsName, repeatedName}
