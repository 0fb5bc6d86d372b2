package reference

import "github.com/mapiconf/mapiconf/mapi"

// pinned is the support as a provider sees it that guards each of its own
// calls with an AddRef before and a Release after: COM's usual guard
// around a call that may re-enter and drop the last reference meanwhile
// (Options.PinsSupport). The references balance, so the guard ends
// nothing (RULES.md revision 4). StoreLogoffTransports is not guarded: the
// seed page has StoreLogoff begin with it.
type pinned struct{ mapi.IMAPISupport }

func (p pinned) SetProviderUID(uid mapi.MAPIUID, flags mapi.ReservedFlags) error {
	p.AddRef()
	defer p.Release()
	return p.IMAPISupport.SetProviderUID(uid, flags)
}

func (p pinned) ModifyStatusRow(row mapi.StatusRow, flags mapi.StatusRowFlags) error {
	p.AddRef()
	defer p.Release()
	return p.IMAPISupport.ModifyStatusRow(row, flags)
}
