/*
 * mapiconf-guard.dll: calls a function of the provider under test inside an
 * exception frame, so that an access violation, a stack overflow, a C++
 * exception or any code RaiseException raises ends that call, not the test
 * process; reads and writes memory the provider handed over the same way;
 * and names a crash on a thread the provider started before the process
 * ends.
 *
 * Why a C helper: Go calls a DLL with syscall.SyscallN, and when the DLL
 * faults, Windows (and Wine) look for a handler by walking the stack from
 * the faulting frame outwards. Without this frame the walk reaches Go's
 * frames, which it cannot unwind (Wine gives up and ends the process with
 * no report). Here the walk stops at guardedCall, the provider's direct
 * caller: the provider's own handlers still come first, and only what they
 * leave is caught.
 *
 * How a caught exception ends the call: as an __except block does. The
 * stack is unwound from the faulting frame to guardedCall (the provider's
 * frames get their unwind handlers: a C++ destructor runs), and guardedCall
 * goes on as if the provider had returned 0. The exception is never
 * resumed: a C++ exception (0xE06D7363) is non-continuable, and resuming
 * one makes Windows raise STATUS_NONCONTINUABLE_EXCEPTION. How the frame is
 * set up and unwound is the one architecture-specific part (guardedCall
 * and guardHandler below); the rest is shared.
 *
 * Build (mingw-w64): x86_64-w64-mingw32-gcc -O2 -shared -o mapiconf-guard.dll guard.c
 */

#define WIN32_LEAN_AND_MEAN
#include <windows.h>

/* Fault is what a caught exception leaves for the caller. The layout is
 * shared with dll/com_windows.go. */
typedef struct Fault {
	ULONG_PTR code;     /* the exception code, e.g. 0xC0000005; 0: none */
	ULONG_PTR address;  /* where it happened */
	ULONG_PTR info[2];  /* for an access violation: 0 read, 1 write, 8 execute; and the address */
	ULONG_PTR ninfo;
	ULONG_PTR phase;    /* what the guard was doing: a Phase */
} Fault;

/* Phase says whose code faulted: the provider's, or the guard's own read of
 * what the provider handed over. */
enum Phase {
	inCall = 0,     /* the provider's function */
	readObject = 1, /* reading the object's vtable pointer: a bad object */
	readSlot = 2,   /* reading the vtable's slot: a bad vtable */
	copying = 3,    /* guardCopy: a bad pointer the provider passed */
};

/* A Guard is one guarded call in progress on this thread. Calls nest (the
 * provider calls MAPI, whose teardown calls the provider again), so each
 * thread keeps a stack of them; an exception belongs to the innermost. */
typedef struct Guard {
	Fault *fault;
	struct Guard *outer;
} Guard;

static DWORD tlsIndex = TLS_OUT_OF_INDEXES; /* the innermost Guard */
static DWORD tlsStack = TLS_OUT_OF_INDEXES; /* non-NULL once the thread's stack guard is set */

/* stackGuarantee is how much stack the thread keeps for handling a stack
 * overflow: enough for the dispatch, this handler and the unwind, which
 * Windows' default (and Wine's 8 KB) is not. */
#define stackGuarantee (64 * 1024)

/* ensureStackGuard makes a stack overflow on this thread an exception the
 * guard can handle, and handle again: a guard page (PAGE_GUARD) with
 * stackGuarantee bytes of stack below it. Windows keeps one below the
 * committed stack, but an overflow uses it up (what _resetstkoflw
 * restores); Wine keeps one only a page above the stack's end, too low to
 * handle anything, so one is set higher. */
static void ensureStackGuard(void)
{
	ULONG size = stackGuarantee;
	SetThreadStackGuarantee(&size);
	MEMORY_BASIC_INFORMATION mbi;
	volatile BYTE here = 0;
	ULONG_PTR sp = (ULONG_PTR)&here;
	if (!VirtualQuery((void *)sp, &mbi, sizeof mbi))
		return;
	BYTE *base = mbi.AllocationBase;
	const SIZE_T page = 4096;
	BYTE *top = (BYTE *)(sp - 4 * page); /* the guard must stay below this frame */
	/* Lowest place for the guard: the end page, the guarantee, the
	 * guard page itself. */
	BYTE *want = base + 2 * page + stackGuarantee;
	for (BYTE *p = base; p < top; p += mbi.RegionSize) {
		if (!VirtualQuery(p, &mbi, sizeof mbi))
			return;
		if (mbi.State != MEM_COMMIT || (BYTE *)mbi.BaseAddress + mbi.RegionSize <= want)
			continue;
		if (mbi.Protect & PAGE_GUARD)
			return; /* already guarded above the guarantee */
		BYTE *at = (BYTE *)mbi.BaseAddress > want ? (BYTE *)mbi.BaseAddress : want;
		if (at >= top)
			return; /* no room: the call is too deep already */
		DWORD old;
		VirtualProtect(at, page, PAGE_READWRITE | PAGE_GUARD, &old);
		return;
	}
}

/* enter pushes a Guard for fault on this thread's stack of them. */
static void enter(Guard *g, Fault *fault)
{
	if (TlsGetValue(tlsStack) == NULL) {
		ensureStackGuard();
		TlsSetValue(tlsStack, (void *)1);
	}
	g->fault = fault;
	g->outer = TlsGetValue(tlsIndex);
	TlsSetValue(tlsIndex, g);
}

/* leave pops it; after a stack overflow, the guard page the overflow used
 * is set again, now that the stack is unwound. */
static void leave(Guard *g)
{
	TlsSetValue(tlsIndex, g->outer);
	if (g->fault->code == EXCEPTION_STACK_OVERFLOW)
		ensureStackGuard();
}

/* record copies what a caught exception says into the innermost guard's
 * Fault; it returns FALSE for an exception the guard does not take. */
static BOOL record(const EXCEPTION_RECORD *rec)
{
	if (rec->ExceptionFlags & (EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND))
		return FALSE; /* someone else's unwind passes through */
	Guard *g = TlsGetValue(tlsIndex);
	if (g == NULL)
		return FALSE;
	Fault *f = g->fault;
	f->code = rec->ExceptionCode;
	f->address = (ULONG_PTR)rec->ExceptionAddress;
	f->ninfo = rec->NumberParameters;
	for (DWORD i = 0; i < 2 && i < rec->NumberParameters; i++)
		f->info[i] = rec->ExceptionInformation[i];
	return TRUE;
}

typedef ULONG_PTR (*Fn16)(ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR,
	ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR);

/* call passes sixteen arguments whatever fn takes: on x64 the caller owns
 * the argument area, so a function ignores the ones it does not declare.
 * No MAPI method has more than sixteen, nor a floating-point one. With fn
 * NULL it calls slot of the vtable of the object in a[0], reading both
 * here, where a bad pointer is a caught fault. */
static ULONG_PTR __attribute__((noinline)) call(void *fn, ULONG_PTR slot, const ULONG_PTR *a, Fault *f)
{
	if (fn == NULL) {
		f->phase = readObject;
		void **vtbl = *(void ***)a[0];
		f->phase = readSlot;
		fn = vtbl[slot];
		f->phase = inCall;
	}
	return ((Fn16)fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14],
		a[15]);
}

/* copy is a memcpy that the guard watches, for guardCopy. */
static ULONG_PTR __attribute__((noinline)) copy(void *dst, const void *src, SIZE_T n, Fault *f)
{
	f->phase = copying;
	volatile BYTE *d = dst;
	const volatile BYTE *s = src;
	for (SIZE_T i = 0; i < n; i++)
		d[i] = s[i];
	return 1;
}

#if defined(__x86_64__)

/* guardHandler is the exception handler of guardedCall and guardCopy's
 * frames: the search for a handler reached the provider's caller, so
 * nothing in the provider wants the exception. It records it and unwinds
 * to the frame, to the instruction after the call that faulted, with 0 as
 * that call's result (RtlUnwindEx, as an __except block; the dispatch ends
 * there, and no continue handler runs, Go's included). */
EXCEPTION_DISPOSITION guardHandler(EXCEPTION_RECORD *rec, void *frame, CONTEXT *ctx, DISPATCHER_CONTEXT *dc)
{
	(void)ctx;
	if (!record(rec))
		return ExceptionContinueSearch;
	RtlUnwindEx(frame, (void *)dc->ControlPc, rec, NULL, dc->ContextRecord, dc->HistoryTable);
	return ExceptionContinueSearch; /* not reached */
}

/* guardedCall calls fn (or, with fn NULL, slot of the vtable of the object
 * args[0]) with args[0..15] and returns its result. If an exception ends
 * the call, it returns 0 and fills *fault, whose code is otherwise left 0. */
__declspec(dllexport) ULONG_PTR guardedCall(void *fn, const ULONG_PTR *args, Fault *fault, ULONG_PTR slot)
{
	__asm__ __volatile__(".seh_handler guardHandler, @except");
	Guard g;
	enter(&g, fault);
	ULONG_PTR r = call(fn, slot, args, fault);
	leave(&g);
	return r;
}

/* guardCopy copies n bytes from src to dst, one of which the provider
 * handed over, and returns 1; if the copy faults, 0, with *fault filled. */
__declspec(dllexport) ULONG_PTR guardCopy(void *dst, const void *src, SIZE_T n, Fault *fault)
{
	__asm__ __volatile__(".seh_handler guardHandler, @except");
	Guard g;
	enter(&g, fault);
	ULONG_PTR r = copy(dst, src, n, fault);
	leave(&g);
	return r;
}

#else
#error mapiconf-guard.dll is built for x86-64 (the x86 frame, SEH through fs:[0], goes here)
#endif

/* ThreadCrash is where guardWatch's filter leaves a crash on a thread the
 * provider started; the layout is shared with dll/record.go, and the memory
 * is the call record the parent reads after the process ended. */
typedef struct ThreadCrash {
	volatile LONG state; /* 1 once filled */
	DWORD thread;        /* its thread ID */
	Fault fault;
	ULONG_PTR module;    /* the base of the module that holds fault.address, or 0 */
	char path[200];      /* and its file name */
} ThreadCrash;

static ThreadCrash *crashes;

/* threadCrash is the process's top-level exception filter: an exception
 * reached it because no frame on its thread took it, which for a process
 * running the suite means a thread the provider started (the suite's own
 * calls are inside guardedCall). Windows would end MAPI's process (Outlook)
 * here; so does this, after leaving the crash where the parent reads it,
 * and without Wine's debugger, which would keep the process's streams open. */
static LONG WINAPI threadCrash(EXCEPTION_POINTERS *ep)
{
	ThreadCrash *c = crashes;
	if (c != NULL && InterlockedCompareExchange(&c->state, 2, 0) == 0) {
		const EXCEPTION_RECORD *rec = ep->ExceptionRecord;
		c->thread = GetCurrentThreadId();
		c->fault.code = rec->ExceptionCode;
		c->fault.address = (ULONG_PTR)rec->ExceptionAddress;
		c->fault.ninfo = rec->NumberParameters;
		for (DWORD i = 0; i < 2 && i < rec->NumberParameters; i++)
			c->fault.info[i] = rec->ExceptionInformation[i];
		HMODULE m;
		if (GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
			    (LPCSTR)rec->ExceptionAddress, &m)) {
			c->module = (ULONG_PTR)m;
			GetModuleFileNameA(m, c->path, sizeof c->path - 1);
		}
		MemoryBarrier();
		c->state = 1;
	}
	TerminateProcess(GetCurrentProcess(), 0xE0DEAD01);
	return EXCEPTION_EXECUTE_HANDLER;
}

/* guardWatch makes threadCrash the process's top-level exception filter,
 * recording into *c. */
__declspec(dllexport) void guardWatch(ThreadCrash *c)
{
	crashes = c;
	SetUnhandledExceptionFilter(threadCrash);
	SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
}

BOOL WINAPI DllMain(HINSTANCE hinst, DWORD reason, LPVOID reserved)
{
	(void)hinst;
	(void)reserved;
	if (reason == DLL_PROCESS_ATTACH) {
		tlsIndex = TlsAlloc();
		tlsStack = TlsAlloc();
		if (tlsIndex == TLS_OUT_OF_INDEXES || tlsStack == TLS_OUT_OF_INDEXES)
			return FALSE;
	}
	return TRUE;
}
