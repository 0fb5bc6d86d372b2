/*
 * bcryptprimitives.dll for Wine 8: ProcessPrng, forwarded to BCryptGenRandom.
 *
 * Go 1.22 and later get their random numbers from ProcessPrng, which Wine
 * 8.0 does not export, so a Go program stops at start with
 * "bcryptprimitives.dll not found". internal/wine builds this and copies
 * it into the Wine prefix's system32. Windows itself never needs it.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
