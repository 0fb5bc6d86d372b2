package conformance

// Section A: the three ways in. Each is a named lifecycle; the model
// judges that the store ends on it (SD-01, SD-03: the client's last
// Release ends it; SD-02: the provider lets go of the support inside
// IMSLogon::Logoff).
func waysIn() []*spec {
	var out []*spec
	for _, p := range []struct {
		rule string
		path path
	}{{"SD-01", orderly}, {"SD-01", spooler}, {"SD-02", session}, {"SD-03", releaseOnly}} {
		text := p.path.name + ": ends the store, MAPI's teardown running inside the support's Release"
		if p.path.name == session.name {
			text = p.path.name + ": ends the store, the provider letting go of the support inside IMSLogon::Logoff"
		}
		out = append(out, p.path.named("A", text, []string{p.rule}))
	}
	return out
}
