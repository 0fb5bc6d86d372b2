/*
 * Providers whose MSProviderInit is wrong, one per define, for the test that
 * Open reports each as one clear error:
 *
 *   INIT_FAILS          returns MAPI_E_CALL_FAILED
 *   INIT_WRONG_VERSION  reports SPI version 2.0
 *   INIT_NULL_PROVIDER  returns S_OK and no provider
 *   INIT_CRASHES        writes through a NULL pointer
 *
 * A missing export is tested with a DLL that has none (the guard).
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <mapidefs.h>
#include <mapicode.h>
#include <mapispi.h>

#if defined(INIT_WRONG_VERSION)
/* The provider MAPI refuses: it only needs the Release MAPI then calls. */
static ULONG STDMETHODCALLTYPE release(IMSProvider *This)
{
	(void)This;
	return 0;
}
static IMSProviderVtbl vtbl = {.Release = release};
static struct { IMSProviderVtbl *lpVtbl; } provider = {&vtbl};
#endif

__declspec(dllexport) HRESULT __cdecl MSProviderInit(HINSTANCE hInstance, LPMALLOC lpMalloc, LPALLOCATEBUFFER lpAllocateBuffer,
	LPALLOCATEMORE lpAllocateMore, LPFREEBUFFER lpFreeBuffer, ULONG ulFlags, ULONG ulMAPIVer, ULONG *lpulProviderVer,
	LPMSPROVIDER *lppMSProvider)
{
	(void)hInstance, (void)lpMalloc, (void)lpAllocateBuffer, (void)lpAllocateMore, (void)lpFreeBuffer, (void)ulFlags,
		(void)ulMAPIVer;
	*lpulProviderVer = CURRENT_SPI_VERSION;
	*lppMSProvider = NULL;
#if defined(INIT_FAILS)
	return MAPI_E_CALL_FAILED;
#elif defined(INIT_WRONG_VERSION)
	*lpulProviderVer = 0x00020000;
	*lppMSProvider = (LPMSPROVIDER)&provider;
	return S_OK;
#elif defined(INIT_NULL_PROVIDER)
	return S_OK;
#elif defined(INIT_CRASHES)
	*(volatile ULONG *)NULL = 0;
	return S_OK;
#else
#error define one of INIT_FAILS, INIT_WRONG_VERSION, INIT_NULL_PROVIDER, INIT_CRASHES
#endif
}
