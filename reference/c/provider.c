/*
 * mapiconf's C reference message store provider.
 *
 * A message store provider as MAPI loads it: a DLL that exports
 * MSProviderInit and hands MAPI COM objects whose vtables are those of
 * mingw-w64's MAPI headers (mapidefs.h, mapispi.h, mapicode.h). It stores
 * nothing; it exists to show, one idea per function, how a store ends, and
 * it follows the "deferred" profile as Microsoft's sample message store
 * does:
 *
 *   - IMsgStore::StoreLogoff only saves its flag (the last call wins);
 *   - the objects the store handed out (folders, messages, the status
 *     object) keep the store alive, so the store's end is the last Release
 *     of the store or of one of them;
 *   - at the store's end the provider calls
 *     IMAPISupport::StoreLogoffTransports with the saved flag, or with
 *     LOGOFF_ABORT when no StoreLogoff came, and then releases the support:
 *     that Release is where MAPI tears the logon down;
 *   - IMSLogon::Logoff, when MAPI calls it while the store is still alive
 *     (the session is logging off), ends the store itself.
 *
 * Pages cited are under docs/outlook/mapi/ in Microsoft's
 * office-developer-client-docs repository.
 *
 * Known-bad variants for the suite's kill matrix are the same source built
 * with one of these defined (see dll/internal/wine and docs/dll.md):
 *
 *   FLAW_NO_STLT                    StoreLogoffTransports is never called
 *   FLAW_WRONG_FLAG                 StoreLogoff saves LOGOFF_ABORT, not its flag
 *   FLAW_STLT_AFTER_SUPPORT_RELEASE the support goes first, STLT after
 *   FLAW_CRASH_IN_STORELOGOFF       StoreLogoff writes through a NULL pointer
 *   FLAW_HANG_IN_LOGOFF             IMSLogon::Logoff never returns
 *   FLAW_SUPPORT_RELEASED_TWICE     the support is released twice
 *
 * and a known-good variant, a design the pages allow that the suite must
 * pass:
 *
 *   DESIGN_FRESH_UIDS               a fresh MAPIUID at every logon
 */

#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <initguid.h>
#define USES_IID_IMAPIProp
#define USES_IID_IMAPIContainer
#define USES_IID_IMAPIFolder
#define USES_IID_IMsgStore
#define USES_IID_IMessage
#define USES_IID_IMAPIStatus
#include <mapiguid.h>
#include <mapidefs.h>
#include <mapicode.h>
#include <mapispi.h>
#include <mapitags.h>
#include <stddef.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * What mapiconf's DLL adapter (dll/) assumes of these headers, checked for
 * the target this is built for: x64 or x86, as 64-bit and 32-bit Outlook
 * load providers of their own bitness only.
 * ---------------------------------------------------------------------- */

/* SLOT is a method's vtable slot: its index among the vtable's pointers. */
#define SLOT(vtbl, method) (offsetof(vtbl, method) / sizeof(void *))

/* The slots the adapter calls (dll/objects_windows.go) and answers
 * (dll/support.go): IUnknown's three, then each interface's own. */
_Static_assert(SLOT(IMSProviderVtbl, Release) == 2, "IUnknown::Release is slot 2");
_Static_assert(SLOT(IMSProviderVtbl, Shutdown) == 3, "IMSProvider::Shutdown is slot 3");
_Static_assert(SLOT(IMSProviderVtbl, Logon) == 4, "IMSProvider::Logon is slot 4");
_Static_assert(SLOT(IMSProviderVtbl, SpoolerLogon) == 5, "IMSProvider::SpoolerLogon is slot 5");
_Static_assert(SLOT(IMSProviderVtbl, CompareStoreIDs) == 6, "IMSProvider::CompareStoreIDs is slot 6");
_Static_assert(SLOT(IMSLogonVtbl, Logoff) == 4, "IMSLogon::Logoff is slot 4");
_Static_assert(SLOT(IMSLogonVtbl, OpenStatusEntry) == 9, "IMSLogon::OpenStatusEntry is slot 9");
_Static_assert(SLOT(IMsgStoreVtbl, OpenEntry) == 17, "IMsgStore::OpenEntry is slot 17");
_Static_assert(SLOT(IMsgStoreVtbl, StoreLogoff) == 21, "IMsgStore::StoreLogoff is slot 21");
_Static_assert(SLOT(IMAPIFolderVtbl, GetProps) == 5, "IMAPIProp::GetProps is slot 5");
_Static_assert(SLOT(IMAPIFolderVtbl, OpenEntry) == 16, "IMAPIContainer::OpenEntry is slot 16");
_Static_assert(SLOT(IMAPISupportVtbl, ModifyStatusRow) == 8, "IMAPISupport::ModifyStatusRow is slot 8");
_Static_assert(SLOT(IMAPISupportVtbl, SetProviderUID) == 16, "IMAPISupport::SetProviderUID is slot 16");
_Static_assert(SLOT(IMAPISupportVtbl, StoreLogoffTransports) == 38, "IMAPISupport::StoreLogoffTransports is slot 38");
_Static_assert(sizeof(IMAPISupportVtbl) == 44 * sizeof(void *), "IMAPISupport has 44 methods");

/* The sizes that differ between the bitnesses (dll/support.go,
 * dll/objects_windows.go): a ULONG_PTR is a pointer's size; an SPropValue
 * is a ULONG tag, a ULONG pad and an 8-byte-aligned value union of two
 * words at most (SBinary: a count and a pointer), so 24 bytes on x64 and
 * 16 on x86; and neither MAPIUID nor ENTRYID depends on it. */
#if defined(_WIN64)
_Static_assert(sizeof(ULONG_PTR) == 8 && sizeof(void *) == 8, "x64: a ULONG_PTR is 8 bytes");
_Static_assert(sizeof(SPropValue) == 24, "x64: an SPropValue is 24 bytes");
_Static_assert(sizeof(SBinary) == 16, "x64: an SBinary is a ULONG and a pointer, padded");
#else
_Static_assert(sizeof(ULONG_PTR) == 4 && sizeof(void *) == 4, "x86: a ULONG_PTR is 4 bytes");
_Static_assert(sizeof(SPropValue) == 16, "x86: an SPropValue is 16 bytes");
_Static_assert(sizeof(SBinary) == 8, "x86: an SBinary is a ULONG and a pointer");
#endif
_Static_assert(offsetof(SPropValue, ulPropTag) == 0 && offsetof(SPropValue, Value) == 8, "an SPropValue's value is at offset 8");
_Static_assert(sizeof(MAPIUID) == 16, "a MAPIUID is 16 bytes (mapidefs.h)");
_Static_assert(offsetof(ENTRYID, abFlags) == 0 && offsetof(ENTRYID, ab) == 4, "an ENTRYID is four flag bytes, then the provider's (entryid.md)");
_Static_assert(sizeof(ULONG) == 4 && sizeof(HRESULT) == 4, "a ULONG and an HRESULT are 4 bytes on both");

/* ------------------------------------------------------------------------
 * The objects
 * ---------------------------------------------------------------------- */

/* Provider is the object MSProviderInit returns. MAPI makes one per
 * profile entry, so nothing here is global but the vtables. */
typedef struct Provider {
	IMSProvider iface; /* first: a pointer to the Provider is the COM object */
	LONG refs;
	LPALLOCATEBUFFER allocateBuffer; /* MAPI's allocators (msproviderinit.md) */
	LPALLOCATEMORE allocateMore;
	LPFREEBUFFER freeBuffer;
	CRITICAL_SECTION lock; /* guards what follows */
	BOOL shutDown;
	struct Logon *logons; /* every logon it made, let go at its last Release */
} Provider;

/* Object is a folder, a message or the status object: something the store
 * handed out. While its holder keeps it, it keeps the store alive. */
typedef struct Object {
	union { /* the interface MAPI sees, by kind */
		IMAPIFolder folder;
		IMessage message;
		IMAPIStatus status;
	} iface;
	ULONG type; /* MAPI_FOLDER, MAPI_MESSAGE or MAPI_STATUS */
	const WCHAR *name;
	struct Logon *logon;
	LONG refs;      /* the holders' references; guarded by logon->lock */
	BOOL dead;      /* IMSLogon::Logoff ended it: it refuses calls */
	BOOL holdsStore; /* counted in logon->children */
	struct Object *next;
} Object;

/* Logon is one store logon: the store and the logon object, made together
 * and freed together (imsprovider-logon.md), and what they share. */
typedef struct Logon {
	IMsgStore store;  /* the store clients see */
	IMSLogon logon;   /* MAPI's side of the same logon */
	Provider *provider;    /* NULL once the provider is freed */
	LPALLOCATEBUFFER allocateBuffer; /* MAPI's allocators, for GetProps: they outlive the provider */
	LPALLOCATEMORE allocateMore;
	LPFREEBUFFER freeBuffer;
	/* life counts what keeps this memory: the provider's list, a store
	 * with clients, a logon object MAPI holds, each open object, and each
	 * store's end in progress. MAPI may release the provider before the
	 * clients release the store (the session's logoff), and may call an
	 * ended store (MAPI_E_INVALID_OBJECT, imsgstore-storelogoff.md), so
	 * no one of them can free it alone. */
	LONG life;
	CRITICAL_SECTION lock; /* guards everything below; never held across a call to MAPI */
	LPMAPISUP support;     /* NULL once released: no call on it may follow */
	LONG storeRefs;        /* clients' references on the store */
	LONG logonRefs;        /* MAPI's references on the logon object */
	LONG children;         /* live objects handed out: each keeps the store alive */
	BOOL logoffRequested;  /* StoreLogoff came ... */
	ULONG logoffFlags;     /* ... with this flag (the last call wins) */
	BOOL ended;            /* the store's end has begun: STLT and the support's release are done or under way */
	BOOL loggedOff;        /* IMSLogon::Logoff has run */
	Object *objects;       /* every object handed out and still open */
	ULONG cbEntryID;       /* the store's entry ID, as Logon got it, to know the store again */
	BYTE entryID[64];
	struct Logon *next;    /* in the provider's list */
} Logon;

#define CONTAINER_OF(p, type, field) ((type *)((char *)(p) - offsetof(type, field)))
#define LOGON_OF_STORE(p) CONTAINER_OF(p, Logon, store)
#define LOGON_OF_LOGON(p) CONTAINER_OF(p, Logon, logon)

static IMSProviderVtbl providerVtbl;
static IMsgStoreVtbl storeVtbl;
static IMSLogonVtbl logonVtbl;
static IMAPIFolderVtbl folderVtbl;
static IMessageVtbl messageVtbl;
static IMAPIStatusVtbl statusVtbl;

/* The entry IDs this store knows: its root folder is the empty entry ID,
 * and the root folder holds one message. An ENTRYID is four flag bytes
 * and the provider's own bytes (entryid.md). */
static const char messageID[] = "msg-1";

/* ------------------------------------------------------------------------
 * A logon's memory
 * ---------------------------------------------------------------------- */

static void keepLogon(Logon *lg)
{
	InterlockedIncrement(&lg->life);
}

/* dropLogon frees the logon when the last thing that kept it lets go. Its
 * objects are gone by then: each open one keeps it. */
static void dropLogon(Logon *lg)
{
	if (InterlockedDecrement(&lg->life) != 0)
		return;
	DeleteCriticalSection(&lg->lock);
	HeapFree(GetProcessHeap(), 0, lg);
}

/* ------------------------------------------------------------------------
 * The store's end: where StoreLogoffTransports and the support's release
 * happen, whichever path got there.
 * ---------------------------------------------------------------------- */

/* releaseSupport drops the reference Logon took on the support. MAPI runs
 * its teardown inside this call (it calls IMSLogon::Logoff and releases the
 * logon object), so no lock may be held here
 * (shutting-down-a-message-store-provider.md). */
static void releaseSupport(Logon *lg, LPMAPISUP sup)
{
	EnterCriticalSection(&lg->lock);
	lg->support = NULL;
	LeaveCriticalSection(&lg->lock);
	sup->lpVtbl->Release(sup);
#ifdef FLAW_SUPPORT_RELEASED_TWICE
	sup->lpVtbl->Release(sup); /* Flaw: one Release more than Logon's AddRef. */
#endif
}

/* endStore tells MAPI to log the store off the transports, then lets go of
 * the support: StoreLogoffTransports must come first, while the support is
 * still held (shutting-down-a-message-store-provider.md). Whatever STLT
 * answers, MAPI_E_NO_SUPPORT included, the store ends
 * (imapisupport-storelogofftransports.md). */
static void endStore(Logon *lg, LPMAPISUP sup, ULONG flags)
{
	keepLogon(lg); /* MAPI's teardown inside may release what else keeps it */
#ifdef FLAW_STLT_AFTER_SUPPORT_RELEASE
	releaseSupport(lg, sup); /* Flaw: the support goes first. */
#endif
#ifndef FLAW_NO_STLT
	ULONG inout = flags;
	sup->lpVtbl->StoreLogoffTransports(sup, &inout);
#else
	(void)flags; /* Flaw: the transports are never told. */
#endif
#ifndef FLAW_STLT_AFTER_SUPPORT_RELEASE
	releaseSupport(lg, sup);
#endif
	dropLogon(lg);
}

/* claimEnd decides, under the lock, whether this caller ends the store: the
 * first to find it unreferenced (or to force it) does, and only it, so that
 * concurrent last Releases make one STLT and one support release. It
 * returns the support and the flag to end with, or FALSE. */
static BOOL claimEnd(Logon *lg, BOOL force, LPMAPISUP *sup, ULONG *flags)
{
	BOOL mine = FALSE;
	EnterCriticalSection(&lg->lock);
	if (!lg->ended && lg->support != NULL && (force || (lg->storeRefs == 0 && lg->children == 0))) {
		lg->ended = TRUE;
		*sup = lg->support;
		/* The Release-only path: no StoreLogoff came, so the transports
		 * are told to abort (shutting-down-a-message-store-provider.md). */
		*flags = lg->logoffRequested ? lg->logoffFlags : LOGOFF_ABORT;
		mine = TRUE;
	}
	LeaveCriticalSection(&lg->lock);
	return mine;
}

/* maybeEndStore ends the store if nothing keeps it alive any more: called
 * by the last Release of the store and of every object it handed out. */
static void maybeEndStore(Logon *lg)
{
	LPMAPISUP sup;
	ULONG flags;
	if (claimEnd(lg, FALSE, &sup, &flags))
		endStore(lg, sup, flags);
}

/* ------------------------------------------------------------------------
 * IUnknown of the store, the logon object and the provider
 * (implementing-the-iunknown-interface.md)
 * ---------------------------------------------------------------------- */

/* handOut is what every QueryInterface here does once ppv is checked: the
 * object itself, AddRef'd, for an interface it is; else NULL and
 * MAPI_E_INTERFACE_NOT_SUPPORTED. */
static HRESULT handOut(IUnknown *This, BOOL isIt, LPVOID *ppv)
{
	*ppv = NULL;
	if (!isIt)
		return MAPI_E_INTERFACE_NOT_SUPPORTED;
	This->lpVtbl->AddRef(This);
	*ppv = This;
	return S_OK;
}

/* countUp and countDown change a reference count under the logon's lock.
 * countDown answers -1 for a Release past zero (a caller's bug), which
 * changes nothing: the object is not ended or freed twice. */
static ULONG countUp(Logon *lg, LONG *count)
{
	EnterCriticalSection(&lg->lock);
	ULONG n = ++*count;
	LeaveCriticalSection(&lg->lock);
	return n;
}

static LONG countDown(Logon *lg, LONG *count)
{
	EnterCriticalSection(&lg->lock);
	LONG n = *count == 0 ? -1 : --*count;
	LeaveCriticalSection(&lg->lock);
	return n;
}

static HRESULT STDMETHODCALLTYPE storeQueryInterface(IMsgStore *This, REFIID riid, LPVOID *ppv)
{
	if (ppv == NULL)
		return MAPI_E_INVALID_PARAMETER;
	return handOut((IUnknown *)This,
		IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IMAPIProp) || IsEqualIID(riid, &IID_IMsgStore), ppv);
}

static ULONG STDMETHODCALLTYPE storeAddRef(IMsgStore *This)
{
	Logon *lg = LOGON_OF_STORE(This);
	return countUp(lg, &lg->storeRefs);
}

/* storeRelease: the last client reference may end the store, unless an
 * object it handed out still keeps it (the sample store's design; the note
 * to implementers in imsgstore-storelogoff.md). */
static ULONG STDMETHODCALLTYPE storeRelease(IMsgStore *This)
{
	Logon *lg = LOGON_OF_STORE(This);
	LONG n = countDown(lg, &lg->storeRefs);
	if (n < 0) /* over-released: the store is already gone */
		return 0;
	if (n == 0) {
		maybeEndStore(lg);
		dropLogon(lg); /* the clients' hold */
	}
	return n;
}

static HRESULT STDMETHODCALLTYPE logonQueryInterface(IMSLogon *This, REFIID riid, LPVOID *ppv)
{
	if (ppv == NULL)
		return MAPI_E_INVALID_PARAMETER;
	return handOut((IUnknown *)This, IsEqualIID(riid, &IID_IUnknown), ppv);
}

static ULONG STDMETHODCALLTYPE logonAddRef(IMSLogon *This)
{
	Logon *lg = LOGON_OF_LOGON(This);
	return countUp(lg, &lg->logonRefs);
}

/* logonRelease: MAPI's last reference lets go of the logon's memory; the
 * store and the objects may keep it longer. */
static ULONG STDMETHODCALLTYPE logonRelease(IMSLogon *This)
{
	Logon *lg = LOGON_OF_LOGON(This);
	LONG n = countDown(lg, &lg->logonRefs);
	if (n < 0) /* over-released */
		return 0;
	if (n == 0)
		dropLogon(lg);
	return n;
}

static HRESULT STDMETHODCALLTYPE providerQueryInterface(IMSProvider *This, REFIID riid, LPVOID *ppv)
{
	if (ppv == NULL)
		return MAPI_E_INVALID_PARAMETER;
	return handOut((IUnknown *)This, IsEqualIID(riid, &IID_IUnknown), ppv);
}

static ULONG STDMETHODCALLTYPE providerAddRef(IMSProvider *This)
{
	return InterlockedIncrement(&((Provider *)This)->refs);
}

/* providerRelease frees the provider at its last reference, MAPI's call
 * after IMSProvider::Shutdown, and lets go of every logon it made: clients
 * may still hold a store (the session logs off before they release). */
static ULONG STDMETHODCALLTYPE providerRelease(IMSProvider *This)
{
	Provider *p = (Provider *)This;
	LONG n = InterlockedDecrement(&p->refs);
	if (n > 0)
		return n;
	if (n < 0) { /* over-released */
		InterlockedExchange(&p->refs, 0);
		return 0;
	}
	Logon *lg = p->logons;
	while (lg != NULL) {
		Logon *next = lg->next;
		EnterCriticalSection(&lg->lock);
		lg->provider = NULL;
		LeaveCriticalSection(&lg->lock);
		dropLogon(lg);
		lg = next;
	}
	DeleteCriticalSection(&p->lock);
	HeapFree(GetProcessHeap(), 0, p);
	return 0;
}

/* ------------------------------------------------------------------------
 * IMsgStore::StoreLogoff (imsgstore-storelogoff.md)
 * ---------------------------------------------------------------------- */

/* checkLogoffFlags accepts exactly one of the input flags StoreLogoff's
 * page lists. */
static HRESULT checkLogoffFlags(ULONG flags)
{
	const ULONG input = LOGOFF_NO_WAIT | LOGOFF_ORDERLY | LOGOFF_PURGE | LOGOFF_ABORT | LOGOFF_QUIET;
	if (flags & ~input)
		return MAPI_E_UNKNOWN_FLAGS;
	if (flags == 0 || (flags & (flags - 1)) != 0)
		return MAPI_E_INVALID_PARAMETER;
	return S_OK;
}

/* storeStoreLogoff saves the caller's flag for the store's end and returns:
 * "the message store provider should save the flags ... and call
 * StoreLogoffTransports from its IUnknown::Release" (the notes to
 * implementers). It ends nothing: other references may be held. */
static HRESULT STDMETHODCALLTYPE storeStoreLogoff(IMsgStore *This, ULONG *lpulFlags)
{
#ifdef FLAW_CRASH_IN_STORELOGOFF
	*(volatile ULONG *)NULL = 0; /* Flaw: an access violation. */
#endif
	Logon *lg = LOGON_OF_STORE(This);
	if (lpulFlags == NULL)
		return MAPI_E_INVALID_PARAMETER;
	ULONG flags = *lpulFlags;
	HRESULT hr = checkLogoffFlags(flags);
	if (FAILED(hr))
		return hr;
#ifdef FLAW_WRONG_FLAG
	flags = LOGOFF_ABORT; /* Flaw: not the caller's flag. */
#endif
	EnterCriticalSection(&lg->lock);
	if (lg->ended || lg->loggedOff) {
		LeaveCriticalSection(&lg->lock);
		return MAPI_E_INVALID_OBJECT;
	}
	lg->logoffRequested = TRUE;
	lg->logoffFlags = flags; /* the last call wins */
	LeaveCriticalSection(&lg->lock);
	*lpulFlags = 0; /* no transport was asked yet: nothing to report */
	return S_OK;
}

/* ------------------------------------------------------------------------
 * Opening objects: IMsgStore::OpenEntry, IMAPIContainer::OpenEntry,
 * IMSLogon::OpenStatusEntry
 * ---------------------------------------------------------------------- */

/* newObject makes an object of the store and tracks it, so that
 * IMSLogon::Logoff can end it. The object keeps the store alive. */
static HRESULT newObject(Logon *lg, ULONG type, ULONG *lpulObjType, LPUNKNOWN *lppUnk)
{
	if (lppUnk == NULL)
		return MAPI_E_INVALID_PARAMETER;
	Object *o = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof *o);
	if (o == NULL)
		return MAPI_E_NOT_ENOUGH_MEMORY;
	o->type = type;
	o->logon = lg;
	o->refs = 1;
	switch (type) {
	case MAPI_FOLDER:
		o->iface.folder.lpVtbl = &folderVtbl;
		o->name = L"root folder";
		break;
	case MAPI_MESSAGE:
		o->iface.message.lpVtbl = &messageVtbl;
		o->name = L"msg-1";
		break;
	default:
		o->iface.status.lpVtbl = &statusVtbl;
		o->name = L"mapiconf C reference store";
		break;
	}
	EnterCriticalSection(&lg->lock);
	if (lg->ended || lg->loggedOff) {
		LeaveCriticalSection(&lg->lock);
		HeapFree(GetProcessHeap(), 0, o);
		return MAPI_E_INVALID_OBJECT;
	}
	o->holdsStore = TRUE;
	lg->children++;
	o->next = lg->objects;
	lg->objects = o;
	LeaveCriticalSection(&lg->lock);
	keepLogon(lg);
	if (lpulObjType != NULL)
		*lpulObjType = type;
	*lppUnk = (LPUNKNOWN)&o->iface;
	return S_OK;
}

/* isMessageID reports whether an ENTRYID names the store's message. */
static BOOL isMessageID(ULONG cbEntryID, LPENTRYID lpEntryID)
{
	const ULONG n = sizeof messageID - 1;
	return lpEntryID != NULL && cbEntryID == 4 + n && memcmp(lpEntryID->ab, messageID, n) == 0;
}

/* storeOpenEntry opens the root folder (no entry ID) or the message
 * (imsgstore-openentry.md). */
static HRESULT STDMETHODCALLTYPE storeOpenEntry(IMsgStore *This, ULONG cbEntryID, LPENTRYID lpEntryID, LPCIID lpInterface,
	ULONG ulFlags, ULONG *lpulObjType, LPUNKNOWN *lppUnk)
{
	(void)lpInterface;
	(void)ulFlags;
	Logon *lg = LOGON_OF_STORE(This);
	if (cbEntryID == 0)
		return newObject(lg, MAPI_FOLDER, lpulObjType, lppUnk);
	if (isMessageID(cbEntryID, lpEntryID))
		return newObject(lg, MAPI_MESSAGE, lpulObjType, lppUnk);
	return MAPI_E_NOT_FOUND;
}

/* logonOpenStatusEntry opens the provider's status object
 * (imslogon-openstatusentry.md). */
static HRESULT STDMETHODCALLTYPE logonOpenStatusEntry(IMSLogon *This, LPCIID lpInterface, ULONG ulFlags, ULONG *lpulObjType,
	LPVOID *lppEntry)
{
	(void)lpInterface;
	(void)ulFlags;
	return newObject(LOGON_OF_LOGON(This), MAPI_STATUS, lpulObjType, (LPUNKNOWN *)lppEntry);
}

/* ------------------------------------------------------------------------
 * The objects: IUnknown, IMAPIProp::GetProps, IMAPIContainer::OpenEntry
 * ---------------------------------------------------------------------- */

static HRESULT STDMETHODCALLTYPE objectQueryInterface(IMAPIProp *This, REFIID riid, LPVOID *ppv)
{
	Object *o = (Object *)This;
	if (ppv == NULL)
		return MAPI_E_INVALID_PARAMETER;
	BOOL ok = IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IMAPIProp) ||
		(o->type == MAPI_FOLDER && (IsEqualIID(riid, &IID_IMAPIContainer) || IsEqualIID(riid, &IID_IMAPIFolder))) ||
		(o->type == MAPI_MESSAGE && IsEqualIID(riid, &IID_IMessage)) ||
		(o->type == MAPI_STATUS && IsEqualIID(riid, &IID_IMAPIStatus));
	return handOut((IUnknown *)This, ok, ppv);
}

static ULONG STDMETHODCALLTYPE objectAddRef(IMAPIProp *This)
{
	Object *o = (Object *)This;
	return countUp(o->logon, &o->refs);
}

/* objectRelease: the holder's last Release frees the object and lets go of
 * the store, which may be the store's end. It is safe after
 * IMSLogon::Logoff too (imslogon-logoff.md): the object is the holder's
 * until then. */
static ULONG STDMETHODCALLTYPE objectRelease(IMAPIProp *This)
{
	Object *o = (Object *)This;
	Logon *lg = o->logon;
	BOOL letGo = FALSE;
	EnterCriticalSection(&lg->lock);
	if (o->refs == 0) { /* over-released */
		LeaveCriticalSection(&lg->lock);
		return 0;
	}
	ULONG n = --o->refs;
	if (n == 0) {
		letGo = o->holdsStore;
		if (letGo)
			lg->children--;
		for (Object **p = &lg->objects; *p != NULL; p = &(*p)->next) {
			if (*p == o) {
				*p = o->next;
				break;
			}
		}
	}
	LeaveCriticalSection(&lg->lock);
	if (n > 0)
		return n;
	HeapFree(GetProcessHeap(), 0, o);
	if (letGo)
		maybeEndStore(lg);
	dropLogon(lg); /* the object's hold */
	return 0;
}

/* objectGetProps answers PR_DISPLAY_NAME, in memory from MAPIAllocateBuffer
 * that the caller frees with MAPIFreeBuffer (imapiprop-getprops.md). An
 * object IMSLogon::Logoff ended refuses the call. */
static HRESULT STDMETHODCALLTYPE objectGetProps(IMAPIProp *This, LPSPropTagArray lpPropTagArray, ULONG ulFlags,
	ULONG *lpcValues, LPSPropValue *lppPropArray)
{
	(void)ulFlags;
	Object *o = (Object *)This;
	Logon *lg = o->logon;
	if (lpcValues == NULL || lppPropArray == NULL)
		return MAPI_E_INVALID_PARAMETER;
	EnterCriticalSection(&o->logon->lock);
	BOOL dead = o->dead;
	LeaveCriticalSection(&o->logon->lock);
	if (dead)
		return MAPI_E_INVALID_OBJECT;

	static const SizedSPropTagArray(1, all) = {1, {PR_DISPLAY_NAME_W}};
	if (lpPropTagArray == NULL)
		lpPropTagArray = (LPSPropTagArray)&all;
	ULONG n = lpPropTagArray->cValues;
	LPSPropValue vals;
	if (lg->allocateBuffer(n * sizeof(SPropValue), (LPVOID *)&vals) != S_OK)
		return MAPI_E_NOT_ENOUGH_MEMORY;
	HRESULT hr = S_OK;
	for (ULONG i = 0; i < n; i++) {
		ULONG tag = lpPropTagArray->aulPropTag[i];
		if (tag == PR_DISPLAY_NAME_W) {
			size_t size = (wcslen(o->name) + 1) * sizeof(WCHAR);
			if (lg->allocateMore(size, vals, (LPVOID *)&vals[i].Value.lpszW) != S_OK) {
				lg->freeBuffer(vals);
				return MAPI_E_NOT_ENOUGH_MEMORY;
			}
			memcpy(vals[i].Value.lpszW, o->name, size);
			vals[i].ulPropTag = tag;
			continue;
		}
		/* Every other property: an error value in its place, and the
		 * warning that says so. */
		vals[i].ulPropTag = PROP_TAG(PT_ERROR, PROP_ID(tag));
		vals[i].Value.err = MAPI_E_NOT_FOUND;
		hr = MAPI_W_ERRORS_RETURNED;
	}
	*lpcValues = n;
	*lppPropArray = vals;
	return hr;
}

/* folderOpenEntry opens the message, the root folder's one subobject
 * (imapicontainer-openentry.md). */
static HRESULT STDMETHODCALLTYPE folderOpenEntry(IMAPIFolder *This, ULONG cbEntryID, LPENTRYID lpEntryID, LPCIID lpInterface,
	ULONG ulFlags, ULONG *lpulObjType, LPUNKNOWN *lppUnk)
{
	(void)lpInterface;
	(void)ulFlags;
	Object *o = (Object *)This;
	EnterCriticalSection(&o->logon->lock);
	BOOL dead = o->dead;
	LeaveCriticalSection(&o->logon->lock);
	if (dead)
		return MAPI_E_INVALID_OBJECT;
	if (!isMessageID(cbEntryID, lpEntryID))
		return MAPI_E_NOT_FOUND;
	return newObject(o->logon, MAPI_MESSAGE, lpulObjType, lppUnk);
}

/* ------------------------------------------------------------------------
 * IMSLogon::Logoff (imslogon-logoff.md)
 * ---------------------------------------------------------------------- */

/* logonLogoff releases every object the logon handed out: they refuse calls
 * from now on and no longer keep the store alive; their holders' Release
 * stays safe. MAPI calls it from inside the support's last Release; when it
 * comes while the store is still alive (the session is logging off:
 * imapisession-logoff.md), the provider ends the store here: STLT once,
 * then the support's release. It returns S_OK, also when called again. */
static HRESULT STDMETHODCALLTYPE logonLogoff(IMSLogon *This, ULONG *lpulFlags)
{
	(void)lpulFlags; /* reserved: zero */
#ifdef FLAW_HANG_IN_LOGOFF
	for (;;)
		Sleep(INFINITE); /* Flaw: never returns. */
#endif
	Logon *lg = LOGON_OF_LOGON(This);
	EnterCriticalSection(&lg->lock);
	if (lg->loggedOff) {
		LeaveCriticalSection(&lg->lock);
		return S_OK;
	}
	lg->loggedOff = TRUE;
	for (Object *o = lg->objects; o != NULL; o = o->next) {
		o->dead = TRUE;
		if (o->holdsStore) {
			o->holdsStore = FALSE;
			lg->children--;
		}
	}
	LeaveCriticalSection(&lg->lock);

	LPMAPISUP sup;
	ULONG flags;
	if (claimEnd(lg, TRUE, &sup, &flags))
		endStore(lg, sup, flags);
	return S_OK;
}

/* ------------------------------------------------------------------------
 * IMSProvider (imsprovider-logon.md, imsprovider-shutdown.md, ...)
 * ---------------------------------------------------------------------- */

/* statusRow is the provider's row in the session's status table, added
 * before Logon returns (imapisupport-modifystatusrow.md). */
static HRESULT addStatusRow(LPMAPISUP sup)
{
	SPropValue row[2];
	row[0].ulPropTag = PR_DISPLAY_NAME_A;
	row[0].Value.lpszA = "mapiconf C reference store";
	row[1].ulPropTag = PR_STATUS_CODE;
	row[1].Value.l = STATUS_AVAILABLE;
	return sup->lpVtbl->ModifyStatusRow(sup, 2, row, 0);
}

#ifdef DESIGN_FRESH_UIDS
/* lastUID numbers the MAPIUIDs of the process: one counter for every
 * provider object, as CoCreateGuid's values are the process's. */
static volatile LONG lastUID;

/* uidFor makes a fresh MAPIUID at every logon, as a provider that calls
 * CoCreateGuid does: a value the provider makes up, which may differ from
 * run to run (RULES.md revision 4; imapisupport-setprovideruid.md asks only
 * that it identify the provider's entries). */
static void uidFor(const char *profile, MAPIUID *uid)
{
	static const BYTE base[8] = {'m', 'a', 'p', 'i', 'c', 'o', 'n', 'f'};
	LONG n = InterlockedIncrement(&lastUID);
	(void)profile;
	memset(uid->ab, 0, sizeof uid->ab);
	memcpy(uid->ab, base, sizeof base);
	memcpy(uid->ab + sizeof base, (const void *)&n, sizeof n);
}
#else
/* uidFor derives the MAPIUID the provider registers from the profile name,
 * so that each store of a profile has a stable identifier. */
static void uidFor(const char *profile, MAPIUID *uid)
{
	static const BYTE base[16] = {'m', 'a', 'p', 'i', 'c', 'o', 'n', 'f', 'C'};
	memcpy(uid->ab, base, sizeof base);
	for (size_t i = 0; profile != NULL && profile[i] != 0; i++)
		uid->ab[8 + i % 8] ^= (BYTE)profile[i];
}
#endif

/* openLogon is what Logon and SpoolerLogon share: keep and AddRef the
 * support exactly once, register the provider's MAPIUID, add the status
 * row, and make the store and the logon object together
 * (imsprovider-logon.md). */
static HRESULT openLogon(Provider *p, LPMAPISUP sup, LPTSTR profile, LPMSLOGON *lppMSLogon, LPMDB *lppMDB)
{
	if (sup == NULL || lppMSLogon == NULL || lppMDB == NULL)
		return MAPI_E_INVALID_PARAMETER;
	*lppMSLogon = NULL;
	*lppMDB = NULL;
	EnterCriticalSection(&p->lock);
	BOOL shutDown = p->shutDown;
	LeaveCriticalSection(&p->lock);
	if (shutDown)
		return MAPI_E_CALL_FAILED;

	Logon *lg = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof *lg);
	if (lg == NULL)
		return MAPI_E_NOT_ENOUGH_MEMORY;
	InitializeCriticalSection(&lg->lock);
	lg->store.lpVtbl = &storeVtbl;
	lg->logon.lpVtbl = &logonVtbl;
	lg->provider = p;
	lg->allocateBuffer = p->allocateBuffer;
	lg->allocateMore = p->allocateMore;
	lg->freeBuffer = p->freeBuffer;
	lg->storeRefs = 1;
	lg->logonRefs = 1;
	lg->life = 3; /* the provider's list, the store's clients, MAPI's logon object */

	sup->lpVtbl->AddRef(sup);
	lg->support = sup;
	MAPIUID uid;
	uidFor((const char *)profile, &uid);
	HRESULT hr = sup->lpVtbl->SetProviderUID(sup, &uid, 0);
	if (SUCCEEDED(hr))
		hr = addStatusRow(sup);
	if (FAILED(hr)) {
		sup->lpVtbl->Release(sup);
		DeleteCriticalSection(&lg->lock);
		HeapFree(GetProcessHeap(), 0, lg);
		return hr;
	}

	EnterCriticalSection(&p->lock);
	lg->next = p->logons;
	p->logons = lg;
	LeaveCriticalSection(&p->lock);
	*lppMSLogon = &lg->logon;
	*lppMDB = &lg->store;
	return S_OK;
}

/* openAlready finds a client store already open under the entry ID and
 * AddRefs it: "Logon calls that open message stores that are already open
 * for the current MAPI session skip much of the processing previously
 * described. These calls do not create status rows, return message store
 * logon objects, call AddRef for the MAPI support object, or return data
 * for MAPI spooler logon" (imsprovider-logon.md). */
static IMsgStore *openAlready(Provider *p, ULONG cbEntryID, LPENTRYID lpEntryID)
{
	if (cbEntryID == 0 || lpEntryID == NULL || cbEntryID > sizeof ((Logon *)0)->entryID)
		return NULL;
	IMsgStore *found = NULL;
	EnterCriticalSection(&p->lock);
	for (Logon *lg = p->logons; lg != NULL && found == NULL; lg = lg->next) {
		EnterCriticalSection(&lg->lock);
		if (!lg->ended && lg->cbEntryID == cbEntryID && memcmp(lg->entryID, lpEntryID, cbEntryID) == 0)
			found = &lg->store;
		LeaveCriticalSection(&lg->lock);
	}
	LeaveCriticalSection(&p->lock);
	if (found != NULL)
		found->lpVtbl->AddRef(found);
	return found;
}

/* rememberEntryID keeps the entry ID a client logon opened the store with. */
static void rememberEntryID(LPMDB store, ULONG cbEntryID, LPENTRYID lpEntryID)
{
	if (store == NULL || cbEntryID == 0 || lpEntryID == NULL || cbEntryID > sizeof ((Logon *)0)->entryID)
		return;
	Logon *lg = LOGON_OF_STORE((IMsgStore *)store);
	lg->cbEntryID = cbEntryID;
	memcpy(lg->entryID, lpEntryID, cbEntryID);
}

/* providerLogon logs on to the store for a client. This store needs no
 * spooler security data and reports no extended error. */
static HRESULT STDMETHODCALLTYPE providerLogon(IMSProvider *This, LPMAPISUP lpMAPISup, ULONG ulUIParam, LPTSTR lpszProfileName,
	ULONG cbEntryID, LPENTRYID lpEntryID, ULONG ulFlags, LPCIID lpInterface, ULONG *lpcbSpoolSecurity,
	LPBYTE *lppbSpoolSecurity, LPMAPIERROR *lppMAPIError, LPMSLOGON *lppMSLogon, LPMDB *lppMDB)
{
	(void)ulUIParam;
	(void)ulFlags;
	(void)lpInterface;
	if (lpcbSpoolSecurity != NULL)
		*lpcbSpoolSecurity = 0;
	if (lppbSpoolSecurity != NULL)
		*lppbSpoolSecurity = NULL;
	if (lppMAPIError != NULL)
		*lppMAPIError = NULL;
	if (lppMSLogon == NULL || lppMDB == NULL)
		return MAPI_E_INVALID_PARAMETER;
	IMsgStore *open = openAlready((Provider *)This, cbEntryID, lpEntryID);
	if (open != NULL) {
		*lppMSLogon = NULL;
		*lppMDB = open;
		return S_OK;
	}
	HRESULT hr = openLogon((Provider *)This, lpMAPISup, lpszProfileName, lppMSLogon, lppMDB);
	if (SUCCEEDED(hr))
		rememberEntryID(*lppMDB, cbEntryID, lpEntryID);
	return hr;
}

/* providerSpoolerLogon logs the MAPI spooler on to the store
 * (imsprovider-spoolerlogon.md): the same store, made the same way. */
static HRESULT STDMETHODCALLTYPE providerSpoolerLogon(IMSProvider *This, LPMAPISUP lpMAPISup, ULONG ulUIParam,
	LPTSTR lpszProfileName, ULONG cbEntryID, LPENTRYID lpEntryID, ULONG ulFlags, LPCIID lpInterface, ULONG cbSpoolSecurity,
	LPBYTE lpbSpoolSecurity, LPMAPIERROR *lppMAPIError, LPMSLOGON *lppMSLogon, LPMDB *lppMDB)
{
	(void)ulUIParam;
	(void)cbEntryID;
	(void)lpEntryID;
	(void)ulFlags;
	(void)lpInterface;
	(void)cbSpoolSecurity;
	(void)lpbSpoolSecurity;
	if (lppMAPIError != NULL)
		*lppMAPIError = NULL;
	return openLogon((Provider *)This, lpMAPISup, lpszProfileName, lppMSLogon, lppMDB);
}

/* providerShutdown is MAPI's last call before it releases the provider;
 * its flags are reserved (imsprovider-shutdown.md). No logon may follow. */
static HRESULT STDMETHODCALLTYPE providerShutdown(IMSProvider *This, ULONG *lpulFlags)
{
	(void)lpulFlags;
	Provider *p = (Provider *)This;
	EnterCriticalSection(&p->lock);
	p->shutDown = TRUE;
	LeaveCriticalSection(&p->lock);
	return S_OK;
}

/* providerCompareStoreIDs compares two of this store's entry IDs
 * (imsprovider-comparestoreids.md): byte for byte, since the store has
 * one form of each. */
static HRESULT STDMETHODCALLTYPE providerCompareStoreIDs(IMSProvider *This, ULONG cbEntryID1, LPENTRYID lpEntryID1,
	ULONG cbEntryID2, LPENTRYID lpEntryID2, ULONG ulFlags, ULONG *lpulResult)
{
	(void)This;
	(void)ulFlags;
	if (lpulResult == NULL)
		return MAPI_E_INVALID_PARAMETER;
	*lpulResult = cbEntryID1 == cbEntryID2 &&
		(cbEntryID1 == 0 || memcmp(lpEntryID1, lpEntryID2, cbEntryID1) == 0);
	return S_OK;
}

/* ------------------------------------------------------------------------
 * MSProviderInit and the vtables
 * ---------------------------------------------------------------------- */

/* Every method this store does not implement answers MAPI_E_NO_SUPPORT,
 * through a stub of its own with the method's exact parameters: on x86 a
 * COM method is __stdcall and removes its own arguments from the stack, so
 * one function cannot serve slots of different parameter counts (on x64 it
 * could: the caller removes them). The stubs and the code that puts them
 * in a vtable are generated from the headers' own method lists
 * (MAPI_IMSGSTORE_METHODS and the others, mapidefs.h and mapispi.h), each
 * method declared as MAPIMETHOD(name) (parameters) IPURE;, so a stub's
 * type is the slot's, checked by the compiler, and no method is left out.
 *
 * NO_SUPPORT_STUBS(prefix, list) defines, for each method of list,
 * prefix_Method(INTERFACE *This, ...) returning MAPI_E_NO_SUPPORT. */
#define STUB_NAME_(prefix, method) prefix##_##method
#define STUB_NAME(prefix, method) STUB_NAME_(prefix, method)
#define STUB_DROP(...)

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#undef MAPIMETHOD_
#define MAPIMETHOD_(type, method) static type STDMETHODCALLTYPE STUB_NAME(STUB_PREFIX, method)
#define NO_SUPPORT { return MAPI_E_NO_SUPPORT; }

#undef INTERFACE
#define INTERFACE IMSProvider
#define STUB_PREFIX providerNoSupport
MAPI_IMSPROVIDER_METHODS(NO_SUPPORT)
#undef INTERFACE
#undef STUB_PREFIX
#define INTERFACE IMSLogon
#define STUB_PREFIX logonNoSupport
MAPI_IMSLOGON_METHODS(NO_SUPPORT)
#undef INTERFACE
#undef STUB_PREFIX
#define INTERFACE IMsgStore
#define STUB_PREFIX storeNoSupport
MAPI_IMAPIPROP_METHODS(NO_SUPPORT)
MAPI_IMSGSTORE_METHODS(NO_SUPPORT)
#undef INTERFACE
#undef STUB_PREFIX
#define INTERFACE IMAPIFolder
#define STUB_PREFIX folderNoSupport
MAPI_IMAPIPROP_METHODS(NO_SUPPORT)
MAPI_IMAPICONTAINER_METHODS(NO_SUPPORT)
MAPI_IMAPIFOLDER_METHODS(NO_SUPPORT)
#undef INTERFACE
#undef STUB_PREFIX
#define INTERFACE IMessage
#define STUB_PREFIX messageNoSupport
MAPI_IMAPIPROP_METHODS(NO_SUPPORT)
MAPI_IMESSAGE_METHODS(NO_SUPPORT)
#undef INTERFACE
#undef STUB_PREFIX
#define INTERFACE IMAPIStatus
#define STUB_PREFIX statusNoSupport
MAPI_IMAPIPROP_METHODS(NO_SUPPORT)
MAPI_IMAPISTATUS_METHODS(NO_SUPPORT)
#undef INTERFACE
#undef STUB_PREFIX

/* The same lists, now as assignments: vtbl->Method = prefix_Method; the
 * parameters that follow each MAPIMETHOD(name) are dropped. */
#undef MAPIMETHOD_
#define MAPIMETHOD_(type, method) STUB_VTBL->method = STUB_NAME(STUB_PREFIX, method); STUB_DROP

static void providerNoSupport(IMSProviderVtbl *v)
{
#define STUB_VTBL v
#define STUB_PREFIX providerNoSupport
	MAPI_IMSPROVIDER_METHODS()
#undef STUB_PREFIX
}

static void logonNoSupport(IMSLogonVtbl *v)
{
#define STUB_PREFIX logonNoSupport
	MAPI_IMSLOGON_METHODS()
#undef STUB_PREFIX
}

static void storeNoSupport(IMsgStoreVtbl *v)
{
#define STUB_PREFIX storeNoSupport
	MAPI_IMAPIPROP_METHODS()
	MAPI_IMSGSTORE_METHODS()
#undef STUB_PREFIX
}

static void folderNoSupport(IMAPIFolderVtbl *v)
{
#define STUB_PREFIX folderNoSupport
	MAPI_IMAPIPROP_METHODS()
	MAPI_IMAPICONTAINER_METHODS()
	MAPI_IMAPIFOLDER_METHODS()
#undef STUB_PREFIX
}

static void messageNoSupport(IMessageVtbl *v)
{
#define STUB_PREFIX messageNoSupport
	MAPI_IMAPIPROP_METHODS()
	MAPI_IMESSAGE_METHODS()
#undef STUB_PREFIX
}

static void statusNoSupport(IMAPIStatusVtbl *v)
{
#define STUB_PREFIX statusNoSupport
	MAPI_IMAPIPROP_METHODS()
	MAPI_IMAPISTATUS_METHODS()
#undef STUB_PREFIX
#undef STUB_VTBL
}
#undef MAPIMETHOD_
#pragma GCC diagnostic pop

/* The IUnknown and IMAPIProp slots every object shares, and the one
 * container method the root folder adds. */
#define OBJECT_SLOTS(vtbl, kind)                                                                    \
	do {                                                                                        \
		kind##NoSupport(&(vtbl));                                                           \
		(vtbl).QueryInterface = (void *)objectQueryInterface;                               \
		(vtbl).AddRef = (void *)objectAddRef;                                               \
		(vtbl).Release = (void *)objectRelease;                                             \
		(vtbl).GetProps = (void *)objectGetProps;                                           \
	} while (0)

static void initVtables(void)
{
	providerNoSupport(&providerVtbl);
	providerVtbl.QueryInterface = providerQueryInterface;
	providerVtbl.AddRef = providerAddRef;
	providerVtbl.Release = providerRelease;
	providerVtbl.Shutdown = providerShutdown;
	providerVtbl.Logon = providerLogon;
	providerVtbl.SpoolerLogon = providerSpoolerLogon;
	providerVtbl.CompareStoreIDs = providerCompareStoreIDs;

	storeNoSupport(&storeVtbl);
	storeVtbl.QueryInterface = storeQueryInterface;
	storeVtbl.AddRef = storeAddRef;
	storeVtbl.Release = storeRelease;
	storeVtbl.OpenEntry = storeOpenEntry;
	storeVtbl.StoreLogoff = storeStoreLogoff;

	logonNoSupport(&logonVtbl);
	logonVtbl.QueryInterface = logonQueryInterface;
	logonVtbl.AddRef = logonAddRef;
	logonVtbl.Release = logonRelease;
	logonVtbl.Logoff = logonLogoff;
	logonVtbl.OpenStatusEntry = logonOpenStatusEntry;

	OBJECT_SLOTS(folderVtbl, folder);
	folderVtbl.OpenEntry = folderOpenEntry;
	OBJECT_SLOTS(messageVtbl, message);
	OBJECT_SLOTS(statusVtbl, status);
}

/* DllMain fills the vtables once, when the DLL is loaded. */
BOOL WINAPI DllMain(HINSTANCE hinst, DWORD reason, LPVOID reserved)
{
	(void)hinst;
	(void)reserved;
	if (reason == DLL_PROCESS_ATTACH)
		initVtables();
	return TRUE;
}

/* MSProviderInit returns a new provider object for each call, with MAPI's
 * allocators, after checking that MAPI speaks this provider's SPI version
 * (msproviderinit.md). It is STDMAPIINITCALLTYPE, __cdecl, and exported
 * under its plain name, which MAPI looks up: mapispi.h declares it so
 * (MSPROVIDERINIT), and a definition of another calling convention would
 * not compile. Declared __stdcall (WINAPI, STDMETHODCALLTYPE), it would be
 * exported on x86 as MSProviderInit@36, which 32-bit Outlook does not find. */
__declspec(dllexport) HRESULT STDMAPIINITCALLTYPE MSProviderInit(HINSTANCE hInstance, LPMALLOC lpMalloc, LPALLOCATEBUFFER lpAllocateBuffer,
	LPALLOCATEMORE lpAllocateMore, LPFREEBUFFER lpFreeBuffer, ULONG ulFlags, ULONG ulMAPIVer, ULONG *lpulProviderVer,
	LPMSPROVIDER *lppMSProvider)
{
	(void)hInstance;
	(void)lpMalloc; /* this store needs no IMalloc */
	(void)ulFlags;
	if (lpulProviderVer == NULL || lppMSProvider == NULL || lpAllocateBuffer == NULL || lpAllocateMore == NULL ||
		lpFreeBuffer == NULL)
		return MAPI_E_INVALID_PARAMETER;
	*lppMSProvider = NULL;
	*lpulProviderVer = CURRENT_SPI_VERSION;
	if (ulMAPIVer < CURRENT_SPI_VERSION)
		return MAPI_E_VERSION;
	Provider *p = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof *p);
	if (p == NULL)
		return MAPI_E_NOT_ENOUGH_MEMORY;
	p->iface.lpVtbl = &providerVtbl;
	p->refs = 1; /* MAPI's */
	p->allocateBuffer = lpAllocateBuffer;
	p->allocateMore = lpAllocateMore;
	p->freeBuffer = lpFreeBuffer;
	InitializeCriticalSection(&p->lock);
	*lppMSProvider = &p->iface;
	return S_OK;
}
