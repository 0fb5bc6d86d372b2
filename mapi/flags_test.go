package mapi

import "testing"

func TestFlagStrings(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{LogoffAbort.String(), "LOGOFF_ABORT"},
		{(LogoffAbort | LogoffQuiet).String(), "LOGOFF_ABORT|LOGOFF_QUIET"},
		{(LogoffComplete | 0x100).String(), "LOGOFF_COMPLETE|0x100"},
		{LogoffFlags(0).String(), "0"},
		{TransportLogoffNormal.String(), "LOGOFF_NORMAL"},
		{(SessionLogoffShared | SessionLogoffUI).String(), "MAPI_LOGOFF_SHARED|MAPI_LOGOFF_UI"},
		{StatusRowUpdate.String(), "STATUSROW_UPDATE"},
		{ReservedFlags(4).String(), "0x4"},
		{ErrNoSupport.Error(), "MAPI_E_NO_SUPPORT (0x80040102)"},
		{HResult(0x80001234).Error(), "HRESULT(0x80001234)"},
		{ResultOf(nil), "S_OK"},
		{ResultOf(ErrInvalidObject), "MAPI_E_INVALID_OBJECT"},
		{MAPIUID{0xAB}.String(), "{AB000000000000000000000000000000}"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestIsSingleInput(t *testing.T) {
	for _, f := range LogoffInputFlags {
		if !f.IsSingleInput() {
			t.Errorf("%v.IsSingleInput() = false, want true", f)
		}
	}
	for _, f := range []LogoffFlags{0, LogoffAbort | LogoffQuiet, 0x20, LogoffComplete} {
		if f.IsSingleInput() {
			t.Errorf("%v.IsSingleInput() = true, want false", f)
		}
	}
	if ErrBusy.Failed() != true || HResult(0).Failed() {
		t.Error("Failed() does not look at the top bit")
	}
}
