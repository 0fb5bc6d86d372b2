package mapi

import "fmt"

// MAPIUID is a MAPI unique identifier, the 16 bytes a provider registers with
// IMAPISupport::SetProviderUID.
type MAPIUID [16]byte

func (u MAPIUID) String() string { return fmt.Sprintf("{%X}", u[:]) }

// EntryID identifies an object of a store, as MAPI's ENTRYID does. A nil or
// empty EntryID opens the store's root folder.
type EntryID string

// IID is a COM interface identifier, a GUID in its 16 bytes, as
// IMSProvider::Logon's lpInterface.
type IID [16]byte

// PropTag is a MAPI property tag.
type PropTag uint32

// Property tags the suite asks for.
const (
	PRDisplayName PropTag = 0x3001001F // PR_DISPLAY_NAME_W
	PREntryID     PropTag = 0x0FFF0102 // PR_ENTRYID
)

// PropValue is one property: its tag and its value.
type PropValue struct {
	Tag   PropTag
	Value any
}

// StatusRow is the part of a status-table row that a provider passes to
// IMAPISupport::ModifyStatusRow. Shutdown rules only ask whether a row exists,
// so it carries a display name and a status code, nothing more.
type StatusRow struct {
	DisplayName string
	StatusCode  uint32
}
