package judge

import (
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// OneValidFlag is STLT-08: the StoreLogoffTransports call carries exactly
// one valid input flag. LOGOFF_COMPLETE is none: a client reusing its
// in/out flags variable passes it to StoreLogoff, "That is invalid input
// (SL-03), and STLT must still get exactly one valid flag (STLT-08)"
// (RULES.md revision 2).
func OneValidFlag(e *trace.Event) bool {
	f, ok := arg(e, 0).(mapi.LogoffFlags)
	return ok && f.IsSingleInput()
}

// LoggedOff reports whether a StoreLogoffTransports call logged the store
// off: every call does but one whose logoff did not occur (LOGOFF_QUIET or
// LOGOFF_ABORT answered S_OK with transport activity and without
// LOGOFF_COMPLETE; RULES.md revision 3).
func LoggedOff(e *trace.Event) bool {
	in, _ := arg(e, 0).(mapi.LogoffFlags)
	return mapi.LogoffOccurred(in, outFlags(e), e.Err)
}

func outFlags(e *trace.Event) mapi.LogoffFlags {
	if len(e.Out) == 0 {
		return 0
	}
	f, _ := e.Out[0].(mapi.LogoffFlags)
	return f
}

// OutputMask is SL-02: the output flags StoreLogoff may return, those of
// RULES.md, or with Strict only those imsgstore-storelogoff.md lists.
func OutputMask(strict bool) mapi.LogoffFlags {
	if strict {
		return mapi.LogoffInbound | mapi.LogoffOutbound | mapi.LogoffOutboundQueue
	}
	return mapi.LogoffOutputMask
}

// InvalidInput is SL-03: what StoreLogoff may answer to an invalid flag
// word. S_OK, MAPI_E_INVALID_PARAMETER or MAPI_E_UNKNOWN_FLAGS; with
// Strict only the two errors. A store invalidated by its own logoff (its
// StoreLogoffTransports answered LOGOFF_COMPLETE) or ended "may refuse
// every call but Release" (RULES.md revision 3) with any failing HRESULT,
// and with Strict with MAPI_E_INVALID_OBJECT (RL-04): so there SL-03
// allows that refusal too.
func InvalidInput(strict, invalidated bool) (want string, ok func(error) bool) {
	switch {
	case invalidated && !strict:
		return "returned S_OK, MAPI_E_INVALID_PARAMETER or MAPI_E_UNKNOWN_FLAGS, or any error from the store its logoff invalidated", func(error) bool { return true }
	case strict && invalidated:
		return "returned MAPI_E_INVALID_PARAMETER or MAPI_E_UNKNOWN_FLAGS, or MAPI_E_INVALID_OBJECT from the store its logoff invalidated (strict)", func(err error) bool {
			return err == mapi.ErrInvalidParameter || err == mapi.ErrUnknownFlags || err == mapi.ErrInvalidObject
		}
	case strict:
		return "returned MAPI_E_INVALID_PARAMETER or MAPI_E_UNKNOWN_FLAGS (strict)", func(err error) bool {
			return err == mapi.ErrInvalidParameter || err == mapi.ErrUnknownFlags
		}
	}
	return "returned S_OK, MAPI_E_INVALID_PARAMETER or MAPI_E_UNKNOWN_FLAGS", func(err error) bool {
		return err == nil || err == mapi.ErrInvalidParameter || err == mapi.ErrUnknownFlags
	}
}

// Refused is what E-03 and RL-04 ask of a dead object's answer: any
// failing HRESULT (RULES.md revision 3), or with Strict
// MAPI_E_INVALID_OBJECT.
func Refused(strict bool) (want string, ok func(error) bool) {
	if strict {
		return "returned MAPI_E_INVALID_OBJECT", func(err error) bool { return err == mapi.ErrInvalidObject }
	}
	return "returned an error (MAPI_E_INVALID_OBJECT preferred)", func(err error) bool { return err != nil }
}
