package main

import (
	"fmt"
	"strings"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/reference"
)

// providerConfig returns the adapter of the provider -provider names, in
// the profile the provider declares. The providers built in are mapiconf's
// reference provider, which passes, and the kill matrix's known-bad ones,
// each of which breaks the rules it documents: a way to see the gate fail.
//
// This is the one place that knows where providers come from: a provider
// DLL (package dll, issue 10) becomes one more case here, a Config whose
// NewProvider loads the DLL, and nothing else in the command changes.
func providerConfig(name string, profile conformance.Profile) (conformance.Config, error) {
	if name == "reference" {
		return reference.Config(reference.Options{StatusRow: true, Deferred: profile == conformance.Deferred}), nil
	}
	for _, b := range reference.KnownBad() {
		if b.Name == name {
			if _, ok := b.Declares[profile]; !ok {
				return conformance.Config{}, fmt.Errorf("-provider %s: this known-bad provider is defined for the %s profile only", name, otherProfile(profile))
			}
			return b.Config(profile), nil
		}
	}
	return conformance.Config{}, fmt.Errorf("-provider %q: no such provider (want one of %s)", name, providerNames())
}

func otherProfile(p conformance.Profile) conformance.Profile {
	if p == conformance.Immediate {
		return conformance.Deferred
	}
	return conformance.Immediate
}

// providerNames lists the providers built in.
func providerNames() string {
	names := []string{"reference"}
	for _, b := range reference.KnownBad() {
		names = append(names, b.Name)
	}
	return strings.Join(names, ", ")
}
