package reference

import (
	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/mapi"
)

// Config is the conformance adapter of the reference provider: a fresh
// provider with opts for every spec, every capability declared.
func Config(opts Options) conformance.Config {
	if opts.proc == nil {
		opts.proc = new(process)
	}
	name, profile := "reference", conformance.Immediate
	if opts.Deferred {
		profile = conformance.Deferred
	}
	return conformance.Config{
		Name:        name,
		NewProvider: func() (mapi.IMSProvider, error) { return New(opts), nil }, // the client's and the spooler's provider objects share opts.proc
		Profile:     profile,
		Capabilities: conformance.Capabilities{
			StatusRow:      opts.StatusRow,
			Objects:        true,
			Subobject:      MessageEntry,
			StatusObject:   true,
			MultipleStores: true,
			Spooler:        true,
		},
		Strict: true,
	}
}
