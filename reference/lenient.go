package reference

import "github.com/mapiconf/mapiconf/mapi"

// IgnoresInvalidFlags returns the reference provider with one design
// changed: StoreLogoff answers S_OK to a flag word that is not one valid
// input flag and forgets it, so the flag StoreLogoffTransports gets at the
// end stays LOGOFF_ABORT, or the last valid flag. That is Microsoft's sample
// store's default flag (HrNewIMS saves LOGOFF_ABORT) without its deviation
// (it passes any flag word on). SL-03 allows the S_OK outside strict mode.
func IgnoresInvalidFlags(opts Options) mapi.IMSProvider {
	return &lenientProvider{New(opts)}
}

type lenientProvider struct{ *Provider }

func (p *lenientProvider) Logon(sup mapi.IMAPISupport, uiParam uintptr, profile string, entryID mapi.EntryID, flags mapi.LogonFlags, iface *mapi.IID) ([]byte, mapi.IMSLogon, mapi.IMsgStore, error) {
	spool, l, st, err := p.Provider.Logon(sup, uiParam, profile, entryID, flags, iface)
	if err != nil {
		return nil, nil, nil, err
	}
	return spool, l, lenientStore{st}, nil
}

type lenientStore struct{ mapi.IMsgStore }

func (s lenientStore) StoreLogoff(flags mapi.LogoffFlags) (mapi.LogoffFlags, error) {
	if checkLogoffFlags(flags) != nil {
		return 0, nil
	}
	return s.IMsgStore.StoreLogoff(flags)
}
