package dll

import "unsafe"

// supportMethods are IMAPISupport's 44 methods in the order of mingw-w64's
// mapispi.h (MAPI_IUNKNOWN_METHODS, then MAPI_IMAPISUPPORT_METHODS1, 2 and
// 3): the index is the vtable slot, args the parameters after the object.
// Every parameter is one word (a ULONG, an HRESULT or a pointer), so on x86
// a method removes 4*(1+args) bytes from the stack. TestSupportMethods
// checks both against mapispi.h.
var supportMethods = [44]struct {
	name string
	args int
}{
	{"QueryInterface", 2}, {"AddRef", 0}, {"Release", 0},
	// MAPI_IMAPISUPPORT_METHODS1
	{"GetLastError", 3}, {"GetMemAllocRoutines", 3}, {"Subscribe", 5}, {"Unsubscribe", 1}, {"Notify", 4},
	{"ModifyStatusRow", 3}, {"OpenProfileSection", 3}, {"RegisterPreprocessor", 6}, {"NewUID", 1}, {"MakeInvalid", 4},
	// MAPI_IMAPISUPPORT_METHODS2
	{"SpoolerYield", 1}, {"SpoolerNotify", 2}, {"CreateOneOff", 6}, {"SetProviderUID", 2}, {"CompareEntryIDs", 6},
	{"OpenTemplateID", 7}, {"OpenEntry", 6}, {"GetOneOffTable", 2}, {"Address", 3}, {"Details", 9}, {"NewEntry", 8},
	{"DoConfigPropsheet", 6}, {"CopyMessages", 8}, {"CopyFolder", 10},
	// MAPI_IMAPISUPPORT_METHODS3
	{"DoCopyTo", 11}, {"DoCopyProps", 9}, {"DoProgressDialog", 3}, {"ReadReceipt", 3}, {"PrepareSubmit", 2},
	{"ExpandRecips", 2}, {"UpdatePAB", 2}, {"DoSentMail", 2}, {"OpenAddressBook", 3}, {"Preprocess", 3}, {"CompleteMsg", 3},
	{"StoreLogoffTransports", 1}, {"StatusRecips", 2}, {"WrapStoreEntryID", 4}, {"ModifyProfile", 1},
	{"IStorageFromStream", 4}, {"GetSvcConfigSupportObj", 2},
}

// sizeofSPropValue is sizeof(SPropValue) (mapidefs.h) for the bitness this
// is built for: a ULONG tag, a ULONG pad, then the value union, whose
// largest members are 8 bytes (a LONGLONG, a double) and two words (SBinary,
// the multi-valued arrays): 24 bytes on x64, 16 on x86. reference/c checks
// the same numbers at compile time.
const sizeofSPropValue = 8 + max(8, 2*unsafe.Sizeof(uintptr(0)))
