/* SPDX-License-Identifier: MIT */
/*
 * poke_stress.c - vmi_poke_batch re-patching code that other threads are
 * running, for real (x86-64 user space).
 *
 * NSITES sites of one 5-byte instruction each, in an RWX page, flip
 * between two forms that count differently:
 *   form A: call helperA_i          (helperA_i: lock incq cntA[i]; ret)
 *   form B: jmp  stubB_i            (stubB_i:   lock incq cntB[i]; jmp site_i+5)
 * Both opcode and rel32 change on every flip, and a torn mix is wrong in
 * a way the counts show: E8 + B's tail calls stubB (which jumps back with
 * a return address left on the stack: the rest of the sites run twice),
 * E9 + A's tail jumps to helperA (whose ret leaves the site function
 * early: the rest run zero times).
 *
 * One executor thread per online CPU (at least 2) calls the site function
 * in a loop and counts its own iterations; the main thread flips every
 * site FLIPS times through vmi_poke_batch (write = memcpy into the page,
 * sync = membarrier SYNC_CORE) with a SIGTRAP handler that sends a CPU
 * hitting an int3 to vmi_poke_trap_target's resume address (an
 * out-of-line copy of the site's new form followed by a jmp to the site
 * end). Checked after every round of flips: every site counted exactly
 * once per iteration (cntA[i] + cntB[i] == all iterations), no SIGSEGV/
 * SIGILL/SIGBUS, no foreign SIGTRAP; at the end every site holds the last
 * form. A negative control in a forked child flips with plain copies (the
 * tail, sched_yield, the first byte: no int3, no sync) and must break.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>

#include "vmi/poke.h"

#define NSITES 16
#define SITE_LEN 5
#define FLIPS 10000u
#define ROUND_FLIPS 1000u  /* counts are checked after every round */
#define NEG_ROUND_FLIPS 2u
#define NEG_SECONDS 2.0
#define MAX_THREADS 64
#define PAGE 4096u

/* The mapping: page 0 the site function (patched), page 1 helpers,
 * stubs and resume trampolines (written once), page 2 the counters. */
typedef struct rig {
	uint8_t *map;
	uint8_t *entry;                      /* the site function */
	uint8_t form[2][NSITES][SITE_LEN];   /* [0] = A, [1] = B, per site */
	vmi_poke_site batch[2][NSITES];      /* batch[f]: every site to form f */
	volatile uint64_t *cnt;              /* cnt[2 * i] = A, cnt[2 * i + 1] = B */
} rig;

static rig R;
static _Atomic int cur_batch = -1; /* the batch the handler looks sites up in */
static _Atomic uint64_t traps;     /* int3 hits sent to a resume address */
static _Atomic uint64_t flips_done;
static _Atomic int stop_exec;
static _Atomic int started;
static int negative; /* in the negative-control child */

/* What the negative child reports to the parent (shared mapping). */
typedef struct neg_result {
	_Atomic uint64_t flips; /* flips done when it broke */
	_Atomic int sig;        /* fatal signal, 0 = none */
	_Atomic int count_bad;  /* 1 = a count was wrong */
} neg_result;
static neg_result *NEG;

/* ---- async-signal-safe output ---- */
static void put(const char *s)
{
	ssize_t r = write(2, s, strlen(s));
	(void)r;
}

static void put_u64(uint64_t v)
{
	char b[24];
	int i = 23;
	b[i] = 0;
	do
		b[--i] = (char)('0' + v % 10);
	while (v /= 10);
	put(b + i);
}

static void put_hex(uint64_t v)
{
	char b[20];
	int i = 19;
	b[i] = 0;
	do
		b[--i] = "0123456789abcdef"[v & 15];
	while (v >>= 4);
	b[--i] = 'x';
	b[--i] = '0';
	put(b + i);
}

static const char *sig_name(int sig)
{
	return sig == SIGSEGV ? "SIGSEGV" : sig == SIGILL ? "SIGILL" : sig == SIGBUS ? "SIGBUS" :
	       sig == SIGTRAP ? "SIGTRAP" : sig == SIGALRM ? "SIGALRM" : "signal";
}

/* A crash: in the real run the test fails with where and when; in the
 * negative child it is the expected outcome, reported to the parent. */
static void die_signal(int sig, uint64_t rip)
{
	if (negative) {
		atomic_store(&NEG->flips, atomic_load(&flips_done));
		atomic_store(&NEG->sig, sig);
		_exit(2);
	}
	put("poke_stress: FAIL: ");
	put(sig_name(sig));
	put(" at rip ");
	put_hex(rip);
	put(" after ");
	put_u64(atomic_load(&flips_done));
	put(" flips (an executor ran a torn or trapped site)\n");
	_exit(1);
}

static void on_fatal(int sig, siginfo_t *si, void *ucv)
{
	(void)si;
	ucontext_t *uc = ucv;
	die_signal(sig, (uint64_t)uc->uc_mcontext.gregs[REG_RIP]);
}

/* The int3 handler: the kernel reports rip after the 0xCC, so the int3
 * is at rip - 1. The batch in progress says where this CPU continues; a
 * handler that runs after its batch finished finds the next (or last)
 * batch, which holds the same sites, and any form's resume code is a
 * complete copy, so that is still exactly one execution of the site. */
static void on_trap(int sig, siginfo_t *si, void *ucv)
{
	(void)si;
	ucontext_t *uc = ucv;
	uint64_t rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP], resume;
	int b = atomic_load(&cur_batch);
	if (b >= 0 && vmi_poke_trap_target(R.batch[b], NSITES, rip - 1, &resume) == VMI_OK) {
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)resume;
		atomic_fetch_add_explicit(&traps, 1, memory_order_relaxed);
		return;
	}
	die_signal(sig, rip);
}

static void handle(int sig, void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL)) {
		perror("poke_stress: sigaction");
		exit(1);
	}
}

/* ---- hand-assembled code ---- */
static void put_rel32(uint8_t *at, const uint8_t *insn_end, const uint8_t *target)
{
	int64_t d = (int64_t)((intptr_t)target - (intptr_t)insn_end);
	if (d != (int32_t)d) {
		fprintf(stderr, "poke_stress: rel32 out of range\n");
		exit(1);
	}
	int32_t v = (int32_t)d;
	memcpy(at, &v, 4);
}

static void emit_branch(uint8_t *at, uint8_t op, const uint8_t *target) /* E8/E9 rel32 at @at */
{
	at[0] = op;
	put_rel32(at + 1, at + 5, target);
}

static void emit_lock_inc(uint8_t *at, volatile uint64_t *counter) /* lock incq disp32(%rip) */
{
	at[0] = 0xf0;
	at[1] = 0x48;
	at[2] = 0xff;
	at[3] = 0x05;
	put_rel32(at + 4, at + 8, (const uint8_t *)(uintptr_t)counter);
}

static void rig_setup(void)
{
	R.map = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (R.map == MAP_FAILED) {
		perror("poke_stress: mmap RWX");
		exit(1);
	}
	uint8_t *code = R.map, *aux = R.map + PAGE;
	R.cnt = (volatile uint64_t *)(void *)(R.map + 2 * PAGE);
	memset(code, 0xcc, 2 * PAGE); /* stray execution traps and fails */
	memset(R.map + 2 * PAGE, 0, PAGE);
	R.entry = code + 64;
	for (int i = 0; i < NSITES; i++) {
		uint8_t *site = R.entry + SITE_LEN * i, *end = site + SITE_LEN;
		uint8_t *helper_a = aux + 64 * i, *stub_b = helper_a + 16;
		uint8_t *tr_a = helper_a + 32, *tr_b = helper_a + 48;
		emit_lock_inc(helper_a, &R.cnt[2 * i]);
		helper_a[8] = 0xc3;
		emit_lock_inc(stub_b, &R.cnt[2 * i + 1]);
		emit_branch(stub_b + 8, 0xe9, end);
		/* Resume code: the form relocated, then back to the site end. */
		emit_branch(tr_a, 0xe8, helper_a);
		emit_branch(tr_a + 5, 0xe9, end);
		emit_branch(tr_b, 0xe9, stub_b);
		emit_branch(tr_b + 5, 0xe9, end);
		/* The forms as they sit at the site (rel32 from the site end). */
		R.form[0][i][0] = 0xe8;
		put_rel32(R.form[0][i] + 1, end, helper_a);
		R.form[1][i][0] = 0xe9;
		put_rel32(R.form[1][i] + 1, end, stub_b);
		memcpy(site, R.form[0][i], SITE_LEN);
		for (int f = 0; f < 2; f++)
			R.batch[f][i] = (vmi_poke_site){ .addr = (uint64_t)(uintptr_t)site,
							 .old_bytes = R.form[!f][i], .new_bytes = R.form[f][i],
							 .resume = (uint64_t)(uintptr_t)(f ? tr_b : tr_a),
							 .len = SITE_LEN };
	}
	R.entry[SITE_LEN * NSITES] = 0xc3;
	if (mprotect(aux, PAGE, PROT_READ | PROT_EXEC) || mprotect(R.map + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE)) {
		perror("poke_stress: mprotect");
		exit(1);
	}
}

/* ---- the hooks ---- */
static int sync_cmd; /* membarrier command, 0 = none available */

static vmi_status hook_write(void *ctx, uint64_t addr, const void *src, size_t len)
{
	(void)ctx;
	memcpy((void *)(uintptr_t)addr, src, len);
	return VMI_OK;
}

static vmi_status hook_sync(void *ctx)
{
	(void)ctx;
	if (sync_cmd) {
		if (syscall(__NR_membarrier, sync_cmd, 0, 0) != 0)
			return VMI_E_IO;
	} else {
		/* Serialises only this CPU: weaker than the protocol asks. */
		uint32_t a = 0, b, c = 0, d;
		__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d)::"memory");
	}
	return VMI_OK;
}

static const char *sync_setup(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0) == 0) {
		sync_cmd = MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE;
		return "membarrier(PRIVATE_EXPEDITED_SYNC_CORE)";
	}
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0) {
		sync_cmd = MEMBARRIER_CMD_PRIVATE_EXPEDITED;
		return "membarrier(PRIVATE_EXPEDITED) (SYNC_CORE unavailable: relies on the IPI's return being serialising)";
	}
	return "cpuid on the patching CPU only (membarrier unavailable: weaker than the protocol needs)";
}

/* ---- executors ---- */
typedef struct exec {
	pthread_t tid;
	uint64_t iters;
	_Alignas(64) _Atomic uint64_t progress; /* iterations of this round, for the patcher */
} exec;

static int nthreads;
static exec EX[MAX_THREADS];
static uint64_t total_iters;

static void *executor(void *arg)
{
	exec *e = arg;
	void (*fn)(void) = (void (*)(void))(uintptr_t)R.entry;
	uint64_t n = 0;
	atomic_fetch_add(&started, 1);
	while (!atomic_load_explicit(&stop_exec, memory_order_relaxed)) {
		fn();
		n++;
		atomic_store_explicit(&e->progress, n, memory_order_relaxed);
	}
	e->iters += n;
	return NULL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void start_executors(void)
{
	atomic_store(&stop_exec, 0);
	atomic_store(&started, 0);
	for (int t = 0; t < nthreads; t++) {
		atomic_store(&EX[t].progress, 0);
		int rc = pthread_create(&EX[t].tid, NULL, executor, &EX[t]);
		if (rc) {
			fprintf(stderr, "poke_stress: pthread_create: %s\n", strerror(rc));
			exit(1);
		}
	}
	while (atomic_load(&started) < nthreads)
		sched_yield();
}

/* Let the executors run the new form before the next flip: until some
 * executor has run the whole site function twice more, at most ~50 us
 * (an executor that shares the patcher's CPU may be waiting for a time
 * slice; waiting for it would make a flip cost milliseconds). Without
 * this the patcher flips faster than the executors get to the sites. */
static void wait_progress(void)
{
	uint64_t snap[MAX_THREADS];
	for (int t = 0; t < nthreads; t++)
		snap[t] = atomic_load_explicit(&EX[t].progress, memory_order_relaxed);
	double t0 = now();
	for (;;) {
		for (int t = 0; t < nthreads; t++)
			if (atomic_load_explicit(&EX[t].progress, memory_order_relaxed) >= snap[t] + 2)
				return;
		if (now() - t0 > 50e-6)
			return;
	}
}

/* Stop, join and check: every site ran exactly once per iteration. */
static int stop_and_check(const char *what)
{
	atomic_store(&stop_exec, 1);
	total_iters = 0;
	for (int t = 0; t < nthreads; t++) {
		pthread_join(EX[t].tid, NULL);
		total_iters += EX[t].iters;
	}
	for (int i = 0; i < NSITES; i++) {
		uint64_t a = R.cnt[2 * i], b = R.cnt[2 * i + 1];
		if (a + b != total_iters) {
			if (!negative)
				fprintf(stderr, "poke_stress: FAIL: %s: site %d counted %llu (A %llu + B %llu), "
					"executors ran %llu iterations\n", what, i, (unsigned long long)(a + b),
					(unsigned long long)a, (unsigned long long)b, (unsigned long long)total_iters);
			return -1;
		}
	}
	return 0;
}

/* The negative control's "patcher": the tail, a yield, the first byte,
 * per site, with no int3 and no sync: the race the protocol exists for. */
static void plain_flip(int f)
{
	for (int i = 0; i < NSITES; i++) {
		uint8_t *site = (uint8_t *)(uintptr_t)R.batch[f][i].addr;
		memcpy(site + 1, R.form[f][i] + 1, SITE_LEN - 1);
		sched_yield();
		memcpy(site, R.form[f][i], 1);
	}
}

static void negative_child(void)
{
	negative = 1;
	rig_setup();
	start_executors();
	double t0 = now();
	uint64_t flips = 0;
	while (now() - t0 < NEG_SECONDS) {
		for (unsigned k = 0; k < NEG_ROUND_FLIPS; k++) {
			plain_flip((int)(++flips & 1));
			atomic_store(&flips_done, flips);
		}
		if (stop_and_check("negative")) {
			atomic_store(&NEG->flips, flips);
			atomic_store(&NEG->count_bad, 1);
			_exit(3);
		}
		start_executors();
	}
	atomic_store(&stop_exec, 1);
	for (int t = 0; t < nthreads; t++)
		pthread_join(EX[t].tid, NULL);
	atomic_store(&NEG->flips, flips);
	_exit(0);
}

static void run_negative(void)
{
	NEG = mmap(NULL, sizeof(*NEG), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (NEG == MAP_FAILED) {
		perror("poke_stress: mmap shared");
		exit(1);
	}
	memset(NEG, 0, sizeof(*NEG));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		perror("poke_stress: fork");
		exit(1);
	}
	if (pid == 0) {
		alarm(10); /* a torn jump may loop forever: the parent reports it */
		negative_child();
	}
	int ws;
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR) {
			perror("poke_stress: waitpid");
			exit(1);
		}
	unsigned long long n = (unsigned long long)atomic_load(&NEG->flips);
	if (WIFEXITED(ws) && WEXITSTATUS(ws) == 2)
		printf("negative control: plain copy failed as expected after %llu flips (%s in an executor)\n", n,
		       sig_name(atomic_load(&NEG->sig)));
	else if (WIFEXITED(ws) && WEXITSTATUS(ws) == 3)
		printf("negative control: plain copy failed as expected after %llu flips (a site's count was wrong)\n", n);
	else if (WIFSIGNALED(ws))
		printf("negative control: plain copy failed as expected (child killed by %s%s)\n",
		       sig_name(WTERMSIG(ws)), WTERMSIG(ws) == SIGALRM ? ": hung in torn code" : "");
	else if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
		printf("negative control: plain copy SURVIVED %llu flips in %.0f s on this machine "
		       "(tearing not observed; not a failure)\n", n, NEG_SECONDS);
	else
		printf("negative control: child exited with status %d (setup failure?)\n",
		       WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
	munmap(NEG, sizeof(*NEG));
	NEG = NULL;
}

int main(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	nthreads = cpus < 2 ? 2 : cpus > MAX_THREADS ? MAX_THREADS : (int)cpus;
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* First, while this process has one thread (fork is then safe). */
	handle(SIGSEGV, on_fatal);
	handle(SIGILL, on_fatal);
	handle(SIGBUS, on_fatal);
	handle(SIGTRAP, on_fatal);
	run_negative();

	handle(SIGTRAP, on_trap);
	alarm(60); /* a hang fails the test instead of the CI job */
	rig_setup();
	const char *how = sync_setup();
	printf("poke_stress: %d sites, %d executor threads, %u flips, sync = %s\n", NSITES, nthreads, FLIPS, how);
	VMI_OPTS(vmi_poke_ops, ops, .write = hook_write, .sync = hook_sync);
	double t0 = now();
	uint64_t syncs_total = 0;
	int form = 0;
	for (unsigned done = 0; done < FLIPS;) {
		start_executors();
		for (unsigned k = 0; k < ROUND_FLIPS && done < FLIPS; k++, done++) {
			form ^= 1;
			atomic_store(&cur_batch, form);
			uint32_t syncs = 0;
			vmi_status st = vmi_poke_batch(&ops, R.batch[form], NSITES, &syncs);
			if (st != VMI_OK || syncs != 3) {
				fprintf(stderr, "poke_stress: FAIL: vmi_poke_batch: status %d, %u syncs\n", st, syncs);
				return 1;
			}
			syncs_total += syncs;
			atomic_store(&flips_done, done + 1);
			wait_progress();
		}
		if (stop_and_check("protocol"))
			return 1;
	}
	double dt = now() - t0;
	for (int i = 0; i < NSITES; i++)
		if (memcmp((void *)(uintptr_t)R.batch[form][i].addr, R.form[form][i], SITE_LEN)) {
			fprintf(stderr, "poke_stress: FAIL: site %d does not hold the last form's bytes\n", i);
			return 1;
		}
	uint64_t a = 0, b = 0;
	for (int i = 0; i < NSITES; i++) {
		a += R.cnt[2 * i];
		b += R.cnt[2 * i + 1];
	}
	if (!a || !b) {
		fprintf(stderr, "poke_stress: FAIL: one form never ran (A %llu, B %llu)\n", (unsigned long long)a,
			(unsigned long long)b);
		return 1;
	}
	printf("poke_stress: ok: %u flips in %.2f s (%.1f us/flip, %llu syncs = 3/flip), %llu iterations x %d sites "
	       "each counted once (form A %llu, form B %llu), %llu int3 traps resumed out of line, "
	       "no crash, sites hold form %c\n",
	       FLIPS, dt, dt * 1e6 / FLIPS, (unsigned long long)syncs_total, (unsigned long long)total_iters, NSITES,
	       (unsigned long long)a, (unsigned long long)b, (unsigned long long)atomic_load(&traps),
	       form ? 'B' : 'A');
	munmap(R.map, 3 * PAGE);
	return 0;
}

#else /* !__x86_64__ */
int main(void)
{
	printf("poke_stress: skipped: the stress test hand-assembles x86-64 code (this host is not x86-64)\n");
	return 0;
}
#endif
