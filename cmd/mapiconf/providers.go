package main

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/dll"
	"github.com/mapiconf/mapiconf/reference"
)

// module is mapiconf's module path.
const module = "github.com/mapiconf/mapiconf"

// sourceEnv names mapiconf's source directory for the Windows build, when
// the command cannot find it itself (mapiconfSource).
const sourceEnv = "MAPICONF_SOURCE"

// providerConfig returns the adapter of the provider under test, with the
// run's settings, and what to do once the run is over. The provider is
// either a DLL (-dll, package dll; on Windows only: elsewhere the command
// runs itself under Wine first, testUnderWine) or one built in: mapiconf's
// reference provider, which passes, or one of the kill matrix's known-bad
// ones, each of which breaks the rules it documents, a way to see the gate
// fail. This is the one place that knows where providers come from.
func (f *testFlags) providerConfig(stderr io.Writer) (cfg conformance.Config, cleanup func(), err error) {
	profile := conformance.Profile(f.profile)
	cleanup = func() {}
	if f.dll != "" {
		caps, _ := dll.ParseCapabilities(f.capabilities) // checkProvider checked it
		cfg, cleanup, err = dllConfig(f, profile, caps, stderr)
	} else {
		cfg, err = builtInConfig(f.provider, profile)
	}
	if err != nil {
		return cfg, cleanup, err
	}
	cfg.Strict, cfg.Explore, cfg.Seed, cfg.Depth, cfg.CallTimeout = f.strict, f.explore, f.seed, f.depth, f.callTimeout
	cfg.LateWatch = f.lateWatch
	return cfg, cleanup, nil
}

// checkProvider checks the flags that choose the provider, before anything
// runs.
func (f *testFlags) checkProvider() error {
	if f.dll == "" {
		if f.capabilities != "" || f.guard != "" {
			return errors.New("-capabilities and -guard are for a provider DLL: give -dll too")
		}
		return nil
	}
	if f.provider != "reference" {
		return fmt.Errorf("-dll %s and -provider %s: test one provider at a time", f.dll, f.provider)
	}
	if _, err := dll.ParseCapabilities(f.capabilities); err != nil {
		return fmt.Errorf("-capabilities %q: %v", f.capabilities, err)
	}
	return nil
}

// target is the flag that names the provider under test, as a command
// line that repeats the run must give it.
func (f *testFlags) target() string {
	if f.dll != "" {
		return "-dll " + shellQuote(f.dll)
	}
	return "-provider " + f.provider
}

// plainWord is a word a shell reads as it is.
var plainWord = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// shellQuote quotes s for a POSIX shell, if it needs it.
func shellQuote(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// replay is the command that runs the exploration's lifecycle from seed
// again: with the flags that shape the exploration (the capabilities decide
// which steps it draws, -strict and -call-timeout what it judges), or the
// replay would not be the run that failed.
func (f *testFlags) replay(seed string) string {
	cmd := "mapiconf test " + f.target() + " -profile " + f.profile
	if f.capabilities != "" {
		cmd += " -capabilities " + shellQuote(f.capabilities)
	}
	if f.strict {
		cmd += " -strict"
	}
	if f.callTimeout != 0 {
		cmd += " -call-timeout " + f.callTimeout.String()
	}
	return cmd + " -label-filter explore -seed " + seed + " -explore 1"
}

// builtInConfig is the provider built in that -provider names, in the
// profile the provider declares.
func builtInConfig(name string, profile conformance.Profile) (conformance.Config, error) {
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
	return conformance.Config{}, fmt.Errorf("-provider %q: no such provider (want one of %s, or a DLL with -dll)", name, providerNames())
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
