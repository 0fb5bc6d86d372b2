/*
 * Providers whose MSProviderInit is wrong, one per define, for the test that
 * Open reports each as one clear error:
 *
 *   INIT_FAILS          returns MAPI_E_CALL_FAILED
 *   INIT_WRONG_VERSION  reports SPI version 2.0
 *   INIT_NULL_PROVIDER  returns S_OK and no provider
 *   INIT_CRASHES        writes through a NULL pointer
 *   INIT_STDCALL        declared __stdcall, a mistake that shows on x86
 *                       only: mingw-w64 exports it as MSProviderInit@36,
 *                       and MAPI finds no MSProviderInit
 *   INIT_STDCALL_RENAMED the same, exported as MSProviderInit too (as a
 *                       .def file's MSProviderInit=MSProviderInit@36 does):
 *                       on x86 it then takes its 36 bytes of arguments off
 *                       the stack, where MAPI's __cdecl call removes them
 *                       again
 *   INIT_HANGS          never returns
 *   DLLMAIN_FALSE       DllMain refuses to attach: the DLL does not load
 *   DLLMAIN_HANGS       DllMain never returns: loading never ends
 *   MISSING_DEPENDENCY  imports a function of mapiconf-gone.dll, which is not there
 *
 * On x64 there is one calling convention and no decoration: the two
 * stdcall ones are correct providers there, which Open accepts.
 *
 * A missing export is tested with a DLL that has none (the guard).
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <mapidefs.h>
#include <mapicode.h>
#if defined(INIT_STDCALL) || defined(INIT_STDCALL_RENAMED)
/* mapispi.h declares MSProviderInit __cdecl, and a C provider that
 * includes it cannot declare it otherwise; these two do, as one that does
 * not include it can. */
#define MSProviderInit mapispiMSProviderInit
#include <mapispi.h>
#undef MSProviderInit
#else
#include <mapispi.h>
#endif

#if defined(DLLMAIN_FALSE) || defined(DLLMAIN_HANGS)
BOOL WINAPI DllMain(HINSTANCE hinst, DWORD reason, LPVOID reserved)
{
	(void)hinst;
	(void)reserved;
#if defined(DLLMAIN_FALSE)
	return reason != DLL_PROCESS_ATTACH;
#else
	if (reason == DLL_PROCESS_ATTACH)
		for (;;)
			Sleep(INFINITE);
	return TRUE;
#endif
}
#endif

#if defined(MISSING_DEPENDENCY)
/* Exported by mapiconf-gone.dll, which the test builds, links against and
 * then removes. */
__declspec(dllimport) void gone(void);
#endif

#if defined(INIT_WRONG_VERSION) || defined(INIT_STDCALL) || defined(INIT_STDCALL_RENAMED)
/* The provider MAPI refuses, or, on x64, the one Open shuts down and
 * releases: it only needs those two methods. */
static ULONG STDMETHODCALLTYPE release(IMSProvider *This)
{
	(void)This;
	return 0;
}
static HRESULT STDMETHODCALLTYPE shutdown(IMSProvider *This, ULONG *lpulFlags)
{
	(void)This, (void)lpulFlags;
	return S_OK;
}
static IMSProviderVtbl vtbl = {.Release = release, .Shutdown = shutdown};
static struct { IMSProviderVtbl *lpVtbl; } provider = {&vtbl};
#endif

#if defined(INIT_STDCALL) || defined(INIT_STDCALL_RENAMED)
#define INIT_CALLTYPE __stdcall
#else
#define INIT_CALLTYPE STDMAPIINITCALLTYPE
#endif

#if defined(INIT_STDCALL_RENAMED) && defined(__i386__)
/* What MSProviderInit=MSProviderInit@36 in a .def file does: the undecorated
 * name for the decorated function (a linker directive, as the .def line
 * becomes). */
__asm__(".section .drectve\n\t.ascii \" -export:MSProviderInit=MSProviderInit@36\"\n\t.text");
#define INIT_EXPORT
#else
#define INIT_EXPORT __declspec(dllexport)
#endif

INIT_EXPORT HRESULT INIT_CALLTYPE MSProviderInit(HINSTANCE hInstance, LPMALLOC lpMalloc, LPALLOCATEBUFFER lpAllocateBuffer,
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
#elif defined(INIT_STDCALL) || defined(INIT_STDCALL_RENAMED)
	*lppMSProvider = (LPMSPROVIDER)&provider;
	return S_OK;
#elif defined(INIT_HANGS)
	for (;;)
		Sleep(INFINITE);
#elif defined(MISSING_DEPENDENCY)
	gone();
	return MAPI_E_CALL_FAILED;
#elif defined(DLLMAIN_FALSE) || defined(DLLMAIN_HANGS)
	return MAPI_E_CALL_FAILED; /* never reached: the DLL does not load */
#else
#error define one of INIT_FAILS, INIT_WRONG_VERSION, INIT_NULL_PROVIDER, INIT_CRASHES, INIT_STDCALL, INIT_STDCALL_RENAMED, INIT_HANGS, DLLMAIN_FALSE, DLLMAIN_HANGS, MISSING_DEPENDENCY
#endif
}
