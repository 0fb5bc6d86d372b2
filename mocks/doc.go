// Package mocks holds gomock mocks of every interface of package mapi.
//
// The mocks are generated; never edit mapi.go by hand. After changing an
// interface in package mapi, run `go generate ./mocks` (or `make generate`);
// CI fails when the committed mocks are stale.
//
// Provider authors can unit-test their own StoreLogoff against a mock support
// object, e.g.:
//
//	ctrl := gomock.NewController(t)
//	sup := mocks.NewMockIMAPISupport(ctrl)
//	sup.EXPECT().StoreLogoffTransports(mapi.LogoffOrderly).Return(mapi.LogoffComplete, nil)
package mocks

//go:generate go tool mockgen -write_package_comment=false -destination=mapi.go -package=mocks github.com/mapiconf/mapiconf/mapi IUnknown,IMAPISupport,IMAPIProp,IMAPIContainer,IMsgStore,IMSLogon,IMSProvider
