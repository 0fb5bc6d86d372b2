/*
 * A provider DLL that ends the process, with status 0, as soon as MAPI
 * calls it: mapiconf must not take that status for a verdict
 * (cmd/mapiconf/child.go). A provider that calls ExitProcess or exit on
 * some path does the same later in a run.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

__declspec(dllexport) HRESULT WINAPI MSProviderInit(void)
{
	ExitProcess(0);
	return E_FAIL;
}
