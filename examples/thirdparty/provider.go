// Package thirdparty stands in for a provider author's repository: the
// provider lives here, and the conformance tests are one small file.
//
// To keep the example short its provider is mapiconf's reference provider;
// a real repository returns its own mapi.IMSProvider from New.
package thirdparty

import (
	"github.com/mapiconf/mapiconf/mapi"
	"github.com/mapiconf/mapiconf/reference"
)

// New returns a fresh provider, as MSProviderInit would.
func New() mapi.IMSProvider {
	return reference.New(reference.Options{Deferred: true, StatusRow: true})
}
