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
 * Both bitnesses, as Outlook's: on x64 the handler is found through the
 * unwind tables (.seh_handler); on x86 exception handling is frame-based,
 * and guardedCall registers its handler in the thread's frame chain, whose
 * head is at fs:[0]. On x86 the calling convention also shows: COM methods
 * and MAPI's allocators are __stdcall (the callee removes its arguments),
 * MSProviderInit is __cdecl (STDMAPIINITCALLTYPE, mapidefs.h: the caller
 * removes them). There guardedCall calls with the convention it is told
 * and compares the stack pointer after the call with what that convention
 * leaves, so that a provider declared with the wrong one is named instead
 * of corrupting its caller's stack.
 *
 * Build (mingw-w64): x86_64-w64-mingw32-gcc (or i686-w64-mingw32-gcc) -O2 -shared -o mapiconf-guard.dll guard.c
 */

#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stddef.h>

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

/* The calling conventions guardedCall knows (dll/com_windows.go); they
 * differ on x86 only. */
enum Conv {
	convStdcall = 0, /* COM methods, MAPI's allocators: the callee removes its arguments */
	convCdecl = 1,   /* MSProviderInit: the caller removes them */
};

/* STACK_IMBALANCE is the code of a Fault for a call that returned but took
 * a different number of argument bytes off the stack than its convention
 * does (x86 only): info[0] is what it took, info[1] what it should have.
 * An application code (bit 29 set), as Windows reserves none for this. */
#define STACK_IMBALANCE 0xE0535450 /* "SP" */

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

/* resolve is fn, or with fn NULL slot of the vtable of the object in
 * a[0], read here, where a bad pointer is a caught fault. */
static void *resolve(void *fn, ULONG_PTR slot, const ULONG_PTR *a, Fault *f)
{
	if (fn == NULL) {
		f->phase = readObject;
		void **vtbl = *(void ***)a[0];
		f->phase = readSlot;
		fn = vtbl[slot];
		f->phase = inCall;
	}
	return fn;
}

#if defined(__x86_64__)
typedef ULONG_PTR (*Fn16)(ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR,
	ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR);

/* call passes sixteen arguments whatever fn takes: on x64 there is one
 * calling convention and the caller owns the argument area, so a function
 * ignores the ones it does not declare, and n and conv do not matter. No
 * MAPI method has more than sixteen, nor a floating-point one. */
static ULONG_PTR __attribute__((noinline)) call(void *fn, ULONG_PTR slot, const ULONG_PTR *a, ULONG_PTR n, ULONG_PTR conv, Fault *f)
{
	(void)n, (void)conv;
	fn = resolve(fn, slot, a, f);
	return ((Fn16)fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14],
		a[15]);
}
#elif defined(__i386__)
/* push pushes exactly n arguments, a[n-1] first, calls fn, and returns its
 * EAX; *popped is how many bytes of arguments fn took off the stack: 4n
 * for __stdcall, 0 for __cdecl. The stack pointer is restored from ESI
 * whatever fn did to it, so that a callee of the wrong convention is
 * measured rather than obeyed. ESI, EDI and EBX are callee-saved: fn keeps
 * them, as either convention requires. The arguments are 16-byte aligned,
 * as compilers may assume. */
static ULONG_PTR push(void *fn, const ULONG_PTR *a, ULONG_PTR n, ULONG_PTR *popped)
{
	ULONG_PTR r, took;
	const ULONG_PTR *args = a;
	__asm__ __volatile__(
		"movl %%esp, %%esi\n\t"      /* ESI: the stack pointer to come back to */
		"leal (,%%ecx,4), %%eax\n\t" /* EAX: the arguments' bytes */
		"movl %%esp, %%edi\n\t"
		"subl %%eax, %%edi\n\t"
		"andl $-16, %%edi\n\t"       /* EDI: where the first argument goes */
		"leal (%%edi,%%eax), %%esp\n\t"
		"1:\n\t"
		"testl %%ecx, %%ecx\n\t"
		"jz 2f\n\t"
		"pushl -4(%%edx,%%ecx,4)\n\t"
		"decl %%ecx\n\t"
		"jmp 1b\n"
		"2:\n\t"
		"call *%%ebx\n\t"
		"movl %%esp, %%ecx\n\t"
		"subl %%edi, %%ecx\n\t"      /* ECX: the bytes fn took off */
		"movl %%esi, %%esp\n\t"
		: "=a"(r), "=c"(took), "+d"(args)
		: "b"(fn), "1"(n)
		: "esi", "edi", "memory", "cc");
	*popped = took;
	return r;
}

/* call calls fn with exactly n arguments in the convention conv, and
 * records a stack imbalance in *f (the result stands: the call returned). */
static ULONG_PTR __attribute__((noinline)) call(void *fn, ULONG_PTR slot, const ULONG_PTR *a, ULONG_PTR n, ULONG_PTR conv, Fault *f)
{
	fn = resolve(fn, slot, a, f);
	ULONG_PTR popped, want = conv == convStdcall ? 4 * n : 0;
	ULONG_PTR r = push(fn, a, n, &popped);
	if (popped != want) {
		f->code = STACK_IMBALANCE;
		f->address = (ULONG_PTR)fn;
		f->info[0] = popped;
		f->info[1] = want;
		f->ninfo = 2;
	}
	return r;
}
#endif

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

/* systemModule reports whether addr is in one of the system's DLLs that
 * raise an exception for their caller: ntdll, kernelbase and kernel32
 * (RaiseException), and the C and C++ runtimes (a C++ throw). */
static BOOL systemModule(ULONG_PTR addr)
{
	static const WCHAR *const names[] = {L"ntdll.dll", L"kernelbase.dll", L"kernel32.dll", L"msvcrt.dll", L"ucrtbase.dll",
		L"vcruntime140.dll", L"vcruntime140_1.dll", L"libstdc++-6.dll", L"libgcc_s_seh-1.dll"};
	/* Looked up once, at the first exception raised for a caller (the
	 * provider and its runtimes are loaded by then): under Wine a lookup
	 * of a DLL that is not loaded searches the disk. */
	static HMODULE handles[sizeof names / sizeof names[0]];
	static volatile LONG looked;
	if (InterlockedCompareExchange(&looked, 1, 0) == 0) {
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			handles[i] = GetModuleHandleW(names[i]);
		MemoryBarrier();
		looked = 2;
	}
	if (looked != 2)
		return FALSE; /* another thread is looking them up: report the address as it is */
	HMODULE m;
	if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
		    (LPCWSTR)addr, &m))
		return FALSE;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (handles[i] != NULL && m == handles[i])
			return TRUE;
	return FALSE;
}

/* raiser is where an exception comes from, for the report: its address,
 * or, for one a system DLL raised for its caller (RaiseException, a C++
 * throw), the first caller outside those DLLs, found by unwinding the
 * exception's context: the provider's code that raised or threw it. */
static ULONG_PTR raiser(const EXCEPTION_RECORD *rec, const CONTEXT *ctx)
{
	ULONG_PTR at = (ULONG_PTR)rec->ExceptionAddress;
	/* Only an application's code (bit 29: a C++ throw's 0xE06D7363, a
	 * RaiseException of the provider's) is raised for a caller; a fault's
	 * address is the faulting instruction, and a contained fault stays
	 * cheap (no module is looked up). */
	if (!(rec->ExceptionCode & 0x20000000) || !systemModule(at))
		return at;
	ULONG_PTR low, high;
	GetCurrentThreadStackLimits(&low, &high);
	CONTEXT c = *ctx;
	for (int i = 0; i < 32 && systemModule(c.Rip); i++) {
		DWORD64 base;
		PRUNTIME_FUNCTION fe = RtlLookupFunctionEntry(c.Rip, &base, NULL);
		if (fe == NULL) { /* a leaf: the return address is on top */
			if (c.Rsp < low || c.Rsp + 8 > high)
				return at;
			c.Rip = *(DWORD64 *)c.Rsp;
			c.Rsp += 8;
			continue;
		}
		PVOID data;
		DWORD64 establisher;
		RtlVirtualUnwind(UNW_FLAG_NHANDLER, base, c.Rip, fe, &c, &data, &establisher, NULL);
	}
	return systemModule(c.Rip) || c.Rip == 0 ? at : c.Rip;
}

/* guardHandler is the exception handler of guardedCall and guardCopy's
 * frames: the search for a handler reached the provider's caller, so
 * nothing in the provider wants the exception. It records it and unwinds
 * to the frame, to the instruction after the call that faulted, with 0 as
 * that call's result (RtlUnwindEx, as an __except block; the dispatch ends
 * there, and no continue handler runs, Go's included). */
EXCEPTION_DISPOSITION guardHandler(EXCEPTION_RECORD *rec, void *frame, CONTEXT *ctx, DISPATCHER_CONTEXT *dc)
{
	if (!record(rec))
		return ExceptionContinueSearch;
	Guard *g = TlsGetValue(tlsIndex);
	g->fault->address = raiser(rec, ctx);
	RtlUnwindEx(frame, (void *)dc->ControlPc, rec, NULL, dc->ContextRecord, dc->HistoryTable);
	return ExceptionContinueSearch; /* not reached */
}

/* guardedCall calls fn (or, with fn NULL, slot of the vtable of the object
 * args[0]) with the n arguments args[0..n-1] (n <= 16) in the convention
 * conv, and returns its result. If an exception ends the call, it returns
 * 0 and fills *fault, whose code is otherwise left 0. */
__declspec(dllexport) ULONG_PTR guardedCall(void *fn, const ULONG_PTR *args, Fault *fault, ULONG_PTR slot, ULONG_PTR n, ULONG_PTR conv)
{
	__asm__ __volatile__(".seh_handler guardHandler, @except");
	Guard g;
	enter(&g, fault);
	ULONG_PTR r = call(fn, slot, args, n, conv, fault);
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

#elif defined(__i386__)

/* Frame is an x86 exception registration record (EXCEPTION_REGISTRATION_RECORD,
 * its first two fields) and what guardHandler needs to end the call: it
 * lives in the frame of the guardedCall or guardCopy it guards, and the
 * thread's chain of them starts at fs:[0]. The dispatcher calls each
 * handler in the chain from the innermost, so the provider's own frames,
 * registered after this one, come first. */
typedef struct Frame {
	struct Frame *next;
	void *handler;
	void *jump[5]; /* __builtin_setjmp's buffer, in the guarded function */
} Frame;

static Frame *frameChain(void)
{
	Frame *f;
	__asm__ __volatile__("movl %%fs:0, %0" : "=r"(f));
	return f;
}

static void setFrameChain(Frame *f)
{
	__asm__ __volatile__("movl %0, %%fs:0" : : "r"(f) : "memory");
}

/* guardHandler is the exception handler of guardedCall and guardCopy's
 * frames: the search for a handler reached the provider's caller, so
 * nothing in the provider wants the exception. As an __except block on
 * x86 does, it unwinds the frames registered after its own (RtlUnwind:
 * their handlers run for the unwind, and they leave the chain), and jumps
 * back into the guarded function, which returns 0; the dispatch is
 * abandoned, never resumed, and no continue handler runs, Go's included. */
EXCEPTION_DISPOSITION __cdecl guardHandler(EXCEPTION_RECORD *rec, void *frame, CONTEXT *ctx, void *dispatch)
{
	(void)ctx, (void)dispatch;
	if (!record(rec))
		return ExceptionContinueSearch;
	RtlUnwind(frame, NULL, rec, NULL);
	__builtin_longjmp(((Frame *)frame)->jump, 1);
}

/* GUARDED runs body inside an x86 frame whose handler is guardHandler:
 * registered at fs:[0], and unregistered after the body ended or an
 * exception ended it. */
#define GUARDED(body)                                          \
	do {                                                   \
		volatile Frame frame;                          \
		frame.next = frameChain();                     \
		frame.handler = (void *)guardHandler;          \
		if (__builtin_setjmp((void **)frame.jump) == 0) { \
			setFrameChain((Frame *)&frame);        \
			body;                                  \
		}                                              \
		setFrameChain(frame.next);                     \
	} while (0)

/* guardedCall calls fn (or, with fn NULL, slot of the vtable of the object
 * args[0]) with the n arguments args[0..n-1] (n <= 16) in the convention
 * conv, and returns its result. If an exception ends the call, it returns
 * 0 and fills *fault, whose code is otherwise left 0; if the call returned
 * but took other than its convention's bytes off the stack, the result
 * stands and *fault says STACK_IMBALANCE. */
__declspec(dllexport) ULONG_PTR guardedCall(void *fn, const ULONG_PTR *args, Fault *fault, ULONG_PTR slot, ULONG_PTR n, ULONG_PTR conv)
{
	Guard g;
	volatile ULONG_PTR r = 0;
	enter(&g, fault);
	GUARDED(r = call(fn, slot, args, n, conv, fault));
	leave(&g);
	return r;
}

/* guardCopy copies n bytes from src to dst, one of which the provider
 * handed over, and returns 1; if the copy faults, 0, with *fault filled. */
__declspec(dllexport) ULONG_PTR guardCopy(void *dst, const void *src, SIZE_T n, Fault *fault)
{
	Guard g;
	volatile ULONG_PTR r = 0;
	enter(&g, fault);
	GUARDED(r = copy(dst, src, n, fault));
	leave(&g);
	return r;
}

#else
#error mapiconf-guard.dll is built for x64 (x86_64-w64-mingw32-gcc) or x86 (i686-w64-mingw32-gcc)
#endif

/* ThreadCrash is where guardWatch's filter leaves a crash on a thread the
 * provider started; the layout is shared with dll/record.go, and the memory
 * is the call record the parent reads after the process ended. Its fields
 * have fixed widths, the same for an x86 and an x64 guard: the parent
 * reads one layout, whatever the child's bitness. */
typedef struct ThreadCrash {
	volatile LONG state; /* 1 once filled */
	DWORD thread;        /* its thread ID */
	struct {
		ULONG64 code, address, info[2], ninfo, phase;
	} fault;             /* a Fault, in 64-bit fields */
	ULONG64 module;      /* the base of the module that holds fault.address, or 0 */
	char path[200];      /* and its file name */
} ThreadCrash;

_Static_assert(offsetof(ThreadCrash, fault) == 8 && offsetof(ThreadCrash, module) == 56 && sizeof(ThreadCrash) == 264,
	"ThreadCrash is laid out as dll/record.go reads it");

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
	} else if (c != NULL) {
		/* Another thread crashed first and is filling the record (the
		 * thread-crash DLL's threads crash within microseconds of each
		 * other): ending the process now would leave the record
		 * half-filled, and the parent would name no crash. Wait for it,
		 * a bounded time, should its fill never end. */
		for (int i = 0; i < 500 && c->state != 1; i++)
			Sleep(10);
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

/* HeapDamage is the first free the guard refused: the layout is shared
 * with dll/heap_windows.go. */
typedef struct HeapDamage {
	volatile LONG count; /* refused frees so far */
	LONG pad;
	ULONG64 heap, block, caller; /* the latest: its heap, its block, and the provider's code that freed it */
	ULONG64 call; /* and the Fault of the guarded call it happened in (0: none), which names it */
} HeapDamage;

static HeapDamage heapDamage;

/* guardHeapFree stands in for HeapFree in the provider's import table
 * (dll.Library patches it): a block that is not allocated in that heap
 * (freed already, or never the heap's) is refused and noted, not freed.
 * Windows' heap may end the process on such a free (or damage itself
 * quietly); Wine's refuses it quietly; neither says who did it. */
__declspec(dllexport) BOOL WINAPI guardHeapFree(HANDLE heap, DWORD flags, LPVOID block)
{
	if (block != NULL && !HeapValidate(heap, 0, block)) {
		Guard *g = TlsGetValue(tlsIndex);
		heapDamage.heap = (ULONG_PTR)heap;
		heapDamage.block = (ULONG_PTR)block;
		heapDamage.caller = (ULONG_PTR)__builtin_return_address(0);
		heapDamage.call = g != NULL ? (ULONG_PTR)g->fault : 0;
		MemoryBarrier();
		InterlockedIncrement(&heapDamage.count);
		SetLastError(ERROR_INVALID_PARAMETER);
		return FALSE;
	}
	return HeapFree(heap, flags, block);
}

#if defined(__i386__)
/* On x86 a WINAPI (stdcall) function is exported as guardHeapFree@12; the
 * adapter looks it up by its plain name, as a .def file would export it. */
__asm__(".section .drectve\n\t.ascii \" -export:guardHeapFree=guardHeapFree@12\"\n\t.text");
#endif

/* guardHeapDamage is where guardHeapFree notes what it refused. */
__declspec(dllexport) HeapDamage *guardHeapDamage(void)
{
	return &heapDamage;
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
