/*
 * Hostile providers: the C reference provider (provider.c), with one method
 * replaced so that it breaks the way native code breaks, one way per
 * define. mapiconf must end every one of them on its own, with a verdict
 * that names the call and the fault (docs/dll.md, "A crash or a hang"), or
 * a load error that names the cause; internal/wine/winetest.Hostile lists
 * them with the verdict each must get, beside dll/testdata/badinit.c's DLLs
 * that do not load or whose MSProviderInit hangs.
 *
 *   HOSTILE_THREAD_CRASH       Logon starts a thread that crashes after the call returned
 *   HOSTILE_RELEASE_DEADLOCK   the store's Release waits for a thread of its own that waits for the store's lock
 *   HOSTILE_STACK_OVERFLOW     StoreLogoff recurses without end
 *   HOSTILE_CXX_EXCEPTION      Logon throws a C++ exception (0xE06D7363, as MSVC's throw raises it)
 *   HOSTILE_RAISE              Logoff raises an application exception code (RaiseException)
 *   HOSTILE_EXIT_IN_LOGOFF     IMSLogon::Logoff calls ExitProcess(0)
 *   HOSTILE_TERMINATE_IN_RELEASE the store's Release calls TerminateProcess(3)
 *   HOSTILE_ABORT_IN_RELEASE   the store's Release calls abort()
 *   HOSTILE_DANGLING_STORE     Logon returns a store in memory it already gave back
 *   HOSTILE_WILD_STLT_FLAGS    StoreLogoffTransports gets a pointer to memory given back
 *   HOSTILE_BAD_STLT_FLAGS     StoreLogoffTransports gets the pointer 0x1
 *   HOSTILE_STORELOGOFF_S_FALSE StoreLogoff returns S_FALSE
 *   HOSTILE_STORELOGOFF_SUCCESS_CODE StoreLogoff returns 0x0BADF00D, a success code
 *   HOSTILE_DOUBLE_FREE        the store's last Release frees a block of its own twice
 *
 * Each replacement calls the reference method when it is done breaking, so
 * that what is judged is the one flaw.
 */
#define MSProviderInit referenceMSProviderInit /* wrapped below */
#include "provider.c"
#undef MSProviderInit

#include <stdlib.h>

/* gone is an address that was the DLL's memory and no longer is: what a
 * dangling pointer points to once the allocator gave the pages back. */
static void *gone(void)
{
	void *p = VirtualAlloc(NULL, 4096, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
	VirtualFree(p, 0, MEM_RELEASE);
	return p;
}

#if defined(HOSTILE_THREAD_CRASH)
static DWORD WINAPI crashLater(LPVOID arg)
{
	(void)arg;
	Sleep(50); /* the Logon that started it has returned */
	*(volatile ULONG *)NULL = 0;
	return 0;
}
#endif

static HRESULT STDMETHODCALLTYPE hostileLogon(IMSProvider *This, LPMAPISUP lpMAPISup, ULONG ulUIParam, LPTSTR lpszProfileName,
	ULONG cbEntryID, LPENTRYID lpEntryID, ULONG ulFlags, LPCIID lpInterface, ULONG *lpcbSpoolSecurity,
	LPBYTE *lppbSpoolSecurity, LPMAPIERROR *lppMAPIError, LPMSLOGON *lppMSLogon, LPMDB *lppMDB)
{
#if defined(HOSTILE_CXX_EXCEPTION)
	/* What MSVC's throw does (_CxxThrowException): a non-continuable
	 * exception with the C++ magic number, the object and its type. */
	ULONG_PTR info[4] = {0x19930520, 0, 0, (ULONG_PTR)GetModuleHandle(NULL)};
	RaiseException(0xE06D7363, EXCEPTION_NONCONTINUABLE, sizeof(void *) == 8 ? 4 : 3, info);
#endif
	HRESULT hr = providerLogon(This, lpMAPISup, ulUIParam, lpszProfileName, cbEntryID, lpEntryID, ulFlags, lpInterface,
		lpcbSpoolSecurity, lppbSpoolSecurity, lppMAPIError, lppMSLogon, lppMDB);
#if defined(HOSTILE_THREAD_CRASH)
	CloseHandle(CreateThread(NULL, 0, crashLater, NULL, 0, NULL));
#elif defined(HOSTILE_DANGLING_STORE)
	if (SUCCEEDED(hr))
		*lppMDB = gone();
#endif
	return hr;
}

#if defined(HOSTILE_STACK_OVERFLOW)
/* recurse uses its frame, so that the compiler cannot make it a loop; the
 * depth it stops at is never reached (a provider's bug in a base case). */
static ULONG __attribute__((noinline)) recurse(volatile ULONG *depth)
{
	volatile BYTE frame[256];
	frame[0] = (BYTE)*depth;
	if (++*depth == 0)
		return 0;
	return recurse(depth) + frame[0];
}
#endif

static HRESULT STDMETHODCALLTYPE hostileStoreLogoff(IMsgStore *This, ULONG *lpulFlags)
{
#if defined(HOSTILE_STACK_OVERFLOW)
	volatile ULONG depth = 0;
	return recurse(&depth);
#endif
	HRESULT hr = storeStoreLogoff(This, lpulFlags);
#if defined(HOSTILE_WILD_STLT_FLAGS) || defined(HOSTILE_BAD_STLT_FLAGS)
	Logon *lg = LOGON_OF_STORE(This);
	LPMAPISUP sup = lg->support;
	if (sup != NULL) {
#if defined(HOSTILE_WILD_STLT_FLAGS)
		sup->lpVtbl->StoreLogoffTransports(sup, gone());
#else
		sup->lpVtbl->StoreLogoffTransports(sup, (ULONG *)1);
#endif
	}
#endif
#if defined(HOSTILE_STORELOGOFF_S_FALSE)
	if (hr == S_OK)
		hr = S_FALSE;
#elif defined(HOSTILE_STORELOGOFF_SUCCESS_CODE)
	if (hr == S_OK)
		hr = 0x0BADF00D;
#endif
	return hr;
}

#if defined(HOSTILE_RELEASE_DEADLOCK)
static DWORD WINAPI takeLock(LPVOID arg)
{
	Logon *lg = arg;
	EnterCriticalSection(&lg->lock); /* held by the Release that waits for this thread */
	LeaveCriticalSection(&lg->lock);
	return 0;
}
#endif

static ULONG STDMETHODCALLTYPE hostileStoreRelease(IMsgStore *This)
{
	Logon *lg = LOGON_OF_STORE(This);
	(void)lg;
#if defined(HOSTILE_RELEASE_DEADLOCK)
	EnterCriticalSection(&lg->lock);
	HANDLE t = CreateThread(NULL, 0, takeLock, lg, 0, NULL);
	WaitForSingleObject(t, INFINITE);
	CloseHandle(t);
	LeaveCriticalSection(&lg->lock);
#elif defined(HOSTILE_TERMINATE_IN_RELEASE)
	TerminateProcess(GetCurrentProcess(), 3);
#elif defined(HOSTILE_ABORT_IN_RELEASE)
	abort();
#elif defined(HOSTILE_DOUBLE_FREE)
	void *block = HeapAlloc(GetProcessHeap(), 0, 64);
	HeapFree(GetProcessHeap(), 0, block);
	HeapFree(GetProcessHeap(), 0, block);
#endif
	return storeRelease(This);
}

static HRESULT STDMETHODCALLTYPE hostileLogoff(IMSLogon *This, ULONG *lpulFlags)
{
#if defined(HOSTILE_EXIT_IN_LOGOFF)
	ExitProcess(0);
#elif defined(HOSTILE_RAISE)
	RaiseException(0xE0000BAD, 0, 0, NULL);
#endif
	return logonLogoff(This, lpulFlags);
}

/* MSProviderInit is the reference provider's, with the methods above in
 * its vtables. */
__declspec(dllexport) HRESULT __cdecl MSProviderInit(HINSTANCE hInstance, LPMALLOC lpMalloc, LPALLOCATEBUFFER lpAllocateBuffer,
	LPALLOCATEMORE lpAllocateMore, LPFREEBUFFER lpFreeBuffer, ULONG ulFlags, ULONG ulMAPIVer, ULONG *lpulProviderVer,
	LPMSPROVIDER *lppMSProvider)
{
	(void)gone;
	providerVtbl.Logon = hostileLogon;
	storeVtbl.StoreLogoff = hostileStoreLogoff;
	storeVtbl.Release = hostileStoreRelease;
	logonVtbl.Logoff = hostileLogoff;
	return referenceMSProviderInit(hInstance, lpMalloc, lpAllocateBuffer, lpAllocateMore, lpFreeBuffer, ulFlags, ulMAPIVer,
		lpulProviderVer, lppMSProvider);
}
