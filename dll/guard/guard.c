/*
 * mapiconf-guard.dll: calls a function of the provider under test inside an
 * exception frame, so that an access violation (or any exception the
 * provider does not handle itself) ends that call, not the test process.
 *
 * Why a C helper: Go calls a DLL with syscall.SyscallN, and when the DLL
 * faults, Windows (and Wine) look for a handler by walking the stack from
 * the faulting frame outwards. Without this frame the walk reaches Go's
 * frames, which it cannot unwind (Wine gives up and ends the process with
 * no report). Here the walk stops at guardedCall, the provider's direct
 * caller: the provider's own handlers still come first, and only what they
 * leave is caught.
 *
 * Build (mingw-w64): x86_64-w64-mingw32-gcc -O2 -shared -o mapiconf-guard.dll guard.c
 */

#define WIN32_LEAN_AND_MEAN
#include <windows.h>

/* Fault is what a caught exception leaves for the caller. The layout is
 * shared with dll/guard_windows.go. */
typedef struct Fault {
	ULONG_PTR code;     /* the exception code, e.g. 0xC0000005 */
	ULONG_PTR address;  /* where it happened */
	ULONG_PTR info[2];  /* for an access violation: 0 read, 1 write, 8 execute; and the address */
	ULONG_PTR ninfo;
} Fault;

/* A Guard is one guarded call in progress on this thread. Calls nest (the
 * provider calls MAPI, whose teardown calls the provider again), so each
 * thread keeps a stack of them; an exception belongs to the innermost. */
typedef struct Guard {
	void *jump[5]; /* __builtin_setjmp's buffer */
	Fault *fault;
	struct Guard *outer;
} Guard;

static DWORD tlsIndex = TLS_OUT_OF_INDEXES;

/* escape ends the guarded call: it runs on the faulting thread after the
 * exception dispatch has finished, and jumps back into guardedCall. */
static void __attribute__((noreturn, used)) escape(Guard *g)
{
	__builtin_longjmp(g->jump, 1);
}

/* guardHandler is guardedCall's exception handler: the search for a
 * handler reached the provider's caller, so nothing in the provider wants
 * the exception. It records it and lets the dispatch resume the thread in
 * escape, on the faulting stack below the provider's frames, which escape
 * abandons as an exception that ends a call does. Resuming (rather than
 * jumping out of the handler) lets the system finish its dispatch: Wine
 * stops delivering faults to a thread that left two dispatches midway. */
EXCEPTION_DISPOSITION guardHandler(EXCEPTION_RECORD *rec, void *frame, CONTEXT *ctx, void *dispatch)
{
	(void)frame;
	(void)dispatch;
	if (rec->ExceptionFlags & (EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND))
		return ExceptionContinueSearch; /* someone else's unwind passes through */
	if (rec->ExceptionFlags & EXCEPTION_NONCONTINUABLE && rec->ExceptionCode == STATUS_NONCONTINUABLE_EXCEPTION)
		return ExceptionContinueSearch;
	Guard *g = TlsGetValue(tlsIndex);
	if (g == NULL)
		return ExceptionContinueSearch;
	g->fault->code = rec->ExceptionCode;
	g->fault->address = (ULONG_PTR)rec->ExceptionAddress;
	g->fault->ninfo = rec->NumberParameters;
	for (DWORD i = 0; i < 2 && i < rec->NumberParameters; i++)
		g->fault->info[i] = rec->ExceptionInformation[i];
	/* Below the faulting frame's red zone, 16-byte aligned, minus the
	 * return address a call would have pushed. */
	ctx->Rsp = ((ctx->Rsp - 256) & ~(DWORD64)15) - 8;
	ctx->Rip = (DWORD64)escape;
	ctx->Rcx = (DWORD64)g;
	return ExceptionContinueExecution;
}

typedef ULONG_PTR (*Fn16)(ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR,
	ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR);

/* call passes sixteen arguments whatever fn takes: on x64 the caller owns
 * the argument area, so a function ignores the ones it does not declare.
 * No MAPI method has more than sixteen, nor a floating-point one. */
static ULONG_PTR __attribute__((noinline)) call(void *fn, const ULONG_PTR *a)
{
	return ((Fn16)fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14],
		a[15]);
}

/* guardedCall calls fn with args[0..15] and returns its result. If an
 * exception ends the call, it returns 0 and fills *fault, whose code is
 * otherwise left 0. */
__declspec(dllexport) ULONG_PTR guardedCall(void *fn, const ULONG_PTR *args, Fault *fault)
{
	__asm__ __volatile__(".seh_handler guardHandler, @except");
	Guard g;
	g.fault = fault;
	g.outer = TlsGetValue(tlsIndex);
	ULONG_PTR r = 0;
	TlsSetValue(tlsIndex, &g);
	if (__builtin_setjmp(g.jump) == 0)
		r = call(fn, args);
	TlsSetValue(tlsIndex, g.outer);
	return r;
}

BOOL WINAPI DllMain(HINSTANCE hinst, DWORD reason, LPVOID reserved)
{
	(void)hinst;
	(void)reserved;
	if (reason == DLL_PROCESS_ATTACH) {
		tlsIndex = TlsAlloc();
		if (tlsIndex == TLS_OUT_OF_INDEXES)
			return FALSE;
	}
	return TRUE;
}
