// Package judge holds the suite's judges: for each rule, the one piece of
// code that decides it from what happened (the trace, and the steps the
// client and MAPI took). The named specs, the enumeration and the random
// exploration all call these; none decides a rule on its own.
//
// This file and its neighbours are questions about a trace: which Release
// ended a store (ending.go), which flag words a call may carry and what an
// answer means (flags.go), what a logon must do (logon.go), and whether two
// runs made the same calls up to the values the provider makes up
// (rename.go, RB-02).
package judge
