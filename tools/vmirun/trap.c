/* SPDX-License-Identifier: MIT */
/*
 * tools/vmirun/trap.c - the trap-and-emulate half of the hypervisor.
 *
 * Privileged instructions executed in user mode raise #GP (SIGSEGV), a
 * write to the read-only page-table view raises #PF (SIGSEGV with the
 * address), and the ROM's hypercall stub executes hlt. The handler decodes
 * the instruction at the faulting RIP with Zydis, emulates it on the vCPU,
 * writes the results into the saved registers and resumes after it. What it
 * does not know it reports (address, symbol, bytes) and the run ends: it
 * never skips an instruction and never resumes at the same RIP.
 */
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>

#include <Zydis/Zydis.h>

#include "fileio.h"
#include "vmirun.h"

#define VMI_TRAP_ALTSTACK (256u * 1024u)

static ZydisDecoder vmi_trap_dec;

void vmi_trap_symbolize(uint64_t addr, char *buf, size_t len)
{
	Dl_info di;
	const struct vmi_run_rom *r = vmi_run_active_rom;
	if (r && r->copy && addr >= (uintptr_t)r->copy && addr < (uintptr_t)r->copy + r->copy_len)
	{
		char vb[VMI_ESCAPED_SIZE(VMI_ROM_VENDOR_MAX)];
		snprintf(buf, len, "ROM %s+0x%llx", vmi_text_escape(r->info.vendor, VMI_ROM_VENDOR_MAX, vb, sizeof(vb)), (unsigned long long)(addr - (uintptr_t)r->copy));
	} else if (dladdr((void *)(uintptr_t)addr, &di) && di.dli_sname && di.dli_saddr)
		snprintf(buf, len, "%s+0x%llx", di.dli_sname,
			 (unsigned long long)(addr - (uintptr_t)di.dli_saddr));
	else if (dladdr((void *)(uintptr_t)addr, &di) && di.dli_fname && di.dli_fbase)
		snprintf(buf, len, "%s+0x%llx", strrchr(di.dli_fname, '/') ? strrchr(di.dli_fname, '/') + 1 : di.dli_fname,
			 (unsigned long long)(addr - (uintptr_t)di.dli_fbase));
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
}

/* Read up to @len bytes at @addr without faulting: the page holding @addr
 * is mapped (the CPU fetched from it), the next one may not be. */
static size_t vmi_trap_peek(uint64_t addr, uint8_t *buf, size_t len)
{
	uint64_t in_page = 4096 - (addr & 4095);
	if (in_page >= len) {
		memcpy(buf, (const void *)(uintptr_t)addr, len);
		return len;
	}
	memcpy(buf, (const void *)(uintptr_t)addr, in_page);
	struct iovec local = { buf + in_page, len - in_page };
	struct iovec remote = { (void *)(uintptr_t)(addr + in_page), len - in_page };
	ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	return (size_t)in_page + (got > 0 ? (size_t)got : 0);
}

/* End the run from inside the handler: one report, no return. */
static _Noreturn void vmi_trap_fatal_len_(uint64_t rip, const char *what, size_t ilen)
{
	uint8_t bytes[15];
	size_t n = 0;
	/* Not vmi_trap_peek: RIP itself may be unmapped here. */
	for (size_t want = sizeof(bytes); want && !n; want /= 2) {
		struct iovec local = { bytes, want }, remote = { (void *)(uintptr_t)rip, want };
		ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
		n = got > 0 ? (size_t)got : 0;
	}
	char sym[256], hex[64] = "";
	vmi_trap_symbolize(rip, sym, sizeof(sym));
	size_t show = ilen ? ilen : 8;
	for (size_t i = 0, o = 0; i < n && i < show && o + 4 < sizeof(hex); i++)
		o += (size_t)snprintf(hex + o, sizeof(hex) - o, "%s%02x", i ? " " : "", bytes[i]);
	fflush(stdout);
	fprintf(stderr, "vmirun: %s at %s (0x%llx): bytes %s\n", what, sym, (unsigned long long)rip,
		n ? hex : "(unreadable)");
	_exit(VMI_RUN_EXIT_GUEST);
}

/*
 * Reporting may reach the vDSO clock (ASan's no-return hook does, before
 * the call): rdtsc must run natively again first, so these are macros.
 */
#define vmi_trap_fatal_len(rip, what, ilen)                                                        \
	do {                                                                                       \
		vmi_trap_set_tsc(false);                                                           \
		vmi_trap_fatal_len_(rip, what, ilen);                                              \
	} while (0)
#define vmi_trap_fatal(rip, what) vmi_trap_fatal_len(rip, what, 0)

#if defined(__x86_64__)
#define VMI_TRAP_MODE ZYDIS_MACHINE_MODE_LONG_64
#define VMI_TRAP_STACK ZYDIS_STACK_WIDTH_64
#define VMI_TRAP_IP REG_RIP
#define VMI_TRAP_SP REG_RSP
#define VMI_TRAP_AX REG_RAX
#define VMI_TRAP_CX REG_RCX
#define VMI_TRAP_DX REG_RDX
/* SysV: hypercall(nr, a0, a1) in rdi, rsi, rdx. */
#define VMI_TRAP_HC_NR REG_RDI
#define VMI_TRAP_HC_A0 REG_RSI
#define VMI_TRAP_HC_A1 REG_RDX
#else
#define VMI_TRAP_MODE ZYDIS_MACHINE_MODE_LEGACY_32
#define VMI_TRAP_STACK ZYDIS_STACK_WIDTH_32
#define VMI_TRAP_IP REG_EIP
#define VMI_TRAP_SP REG_ESP /* the stack pointer sigreturn restores (not REG_UESP) */
#define VMI_TRAP_AX REG_EAX
#define VMI_TRAP_CX REG_ECX
#define VMI_TRAP_DX REG_EDX
/* regparm(3): hypercall(nr, a0, a1) in eax, edx, ecx. */
#define VMI_TRAP_HC_NR REG_EAX
#define VMI_TRAP_HC_A0 REG_EDX
#define VMI_TRAP_HC_A1 REG_ECX
#endif

static int vmi_trap_greg(ZydisRegister r)
{
	switch (ZydisRegisterGetLargestEnclosing(VMI_TRAP_MODE, r)) {
#if defined(__x86_64__)
	case ZYDIS_REGISTER_RAX: return REG_RAX;
	case ZYDIS_REGISTER_RCX: return REG_RCX;
	case ZYDIS_REGISTER_RDX: return REG_RDX;
	case ZYDIS_REGISTER_RBX: return REG_RBX;
	case ZYDIS_REGISTER_RSP: return REG_RSP;
	case ZYDIS_REGISTER_RBP: return REG_RBP;
	case ZYDIS_REGISTER_RSI: return REG_RSI;
	case ZYDIS_REGISTER_RDI: return REG_RDI;
	case ZYDIS_REGISTER_R8: return REG_R8;
	case ZYDIS_REGISTER_R9: return REG_R9;
	case ZYDIS_REGISTER_R10: return REG_R10;
	case ZYDIS_REGISTER_R11: return REG_R11;
	case ZYDIS_REGISTER_R12: return REG_R12;
	case ZYDIS_REGISTER_R13: return REG_R13;
	case ZYDIS_REGISTER_R14: return REG_R14;
	case ZYDIS_REGISTER_R15: return REG_R15;
#else
	case ZYDIS_REGISTER_EAX: return REG_EAX;
	case ZYDIS_REGISTER_ECX: return REG_ECX;
	case ZYDIS_REGISTER_EDX: return REG_EDX;
	case ZYDIS_REGISTER_EBX: return REG_EBX;
	case ZYDIS_REGISTER_ESP: return REG_ESP;
	case ZYDIS_REGISTER_EBP: return REG_EBP;
	case ZYDIS_REGISTER_ESI: return REG_ESI;
	case ZYDIS_REGISTER_EDI: return REG_EDI;
#endif
	default: return -1;
	}
}

static bool vmi_trap_high8(ZydisRegister r)
{
	return r == ZYDIS_REGISTER_AH || r == ZYDIS_REGISTER_CH || r == ZYDIS_REGISTER_DH || r == ZYDIS_REGISTER_BH;
}

static bool vmi_trap_get(greg_t *g, ZydisRegister r, uint64_t *v)
{
	int i = vmi_trap_greg(r);
	if (i < 0)
		return false;
	uint64_t x = (uint64_t)(uintptr_t)g[i];
	unsigned w = ZydisRegisterGetWidth(VMI_TRAP_MODE, r);
	if (vmi_trap_high8(r))
		x >>= 8;
	*v = w >= 64 ? x : x & ((1ull << w) - 1);
	return true;
}

/* Writes follow the hardware: 32-bit writes zero-extend, 8/16-bit merge. */
static bool vmi_trap_set(greg_t *g, ZydisRegister r, uint64_t v)
{
	int i = vmi_trap_greg(r);
	if (i < 0)
		return false;
	unsigned w = ZydisRegisterGetWidth(VMI_TRAP_MODE, r);
	uint64_t old = (uint64_t)(uintptr_t)g[i];
	if (vmi_trap_high8(r))
		old = (old & ~0xff00ull) | ((v & 0xff) << 8);
	else if (w == 8 || w == 16)
		old = (old & ~((1ull << w) - 1)) | (v & ((1ull << w) - 1));
	else if (w == 32)
		old = v & 0xffffffffull;
	else
		old = v;
	g[i] = (greg_t)old;
	return true;
}

static bool vmi_trap_mem_addr(greg_t *g, uint64_t rip, const ZydisDecodedInstruction *in,
			      const ZydisDecodedOperand *op, uint64_t *addr)
{
	static const ZydisRegister regs[] = {
#if defined(__x86_64__)
		ZYDIS_REGISTER_RAX, ZYDIS_REGISTER_RCX, ZYDIS_REGISTER_RDX, ZYDIS_REGISTER_RBX,
		ZYDIS_REGISTER_RSP, ZYDIS_REGISTER_RBP, ZYDIS_REGISTER_RSI, ZYDIS_REGISTER_RDI,
		ZYDIS_REGISTER_R8,  ZYDIS_REGISTER_R9,  ZYDIS_REGISTER_R10, ZYDIS_REGISTER_R11,
		ZYDIS_REGISTER_R12, ZYDIS_REGISTER_R13, ZYDIS_REGISTER_R14, ZYDIS_REGISTER_R15,
#else
		ZYDIS_REGISTER_EAX, ZYDIS_REGISTER_ECX, ZYDIS_REGISTER_EDX, ZYDIS_REGISTER_EBX,
		ZYDIS_REGISTER_ESP, ZYDIS_REGISTER_EBP, ZYDIS_REGISTER_ESI, ZYDIS_REGISTER_EDI,
#endif
	};
	if (op->type != ZYDIS_OPERAND_TYPE_MEMORY || op->mem.segment == ZYDIS_REGISTER_FS ||
	    op->mem.segment == ZYDIS_REGISTER_GS)
		return false;
	ZydisRegisterContext ctx;
	memset(&ctx, 0, sizeof(ctx));
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		ctx.values[regs[i]] = (uint64_t)(uintptr_t)g[vmi_trap_greg(regs[i])];
	return ZYAN_SUCCESS(ZydisCalcAbsoluteAddressEx(in, op, rip, &ctx, addr));
}

static unsigned vmi_trap_creg(ZydisRegister r, ZydisRegisterClass cls)
{
	return (unsigned)(r - (cls == ZYDIS_REGCLASS_CONTROL ? ZYDIS_REGISTER_CR0 : ZYDIS_REGISTER_DR0));
}

/* mov to/from CRn or DRn; false if @in is no such mov. */
static bool vmi_trap_mov_special(greg_t *g, uint64_t rip, const ZydisDecodedInstruction *in,
				 const ZydisDecodedOperand *ops)
{
	if (in->mnemonic != ZYDIS_MNEMONIC_MOV || ops[0].type != ZYDIS_OPERAND_TYPE_REGISTER ||
	    ops[1].type != ZYDIS_OPERAND_TYPE_REGISTER)
		return false;
	ZydisRegisterClass c0 = ZydisRegisterGetClass(ops[0].reg.value), c1 = ZydisRegisterGetClass(ops[1].reg.value);
	char what[96];
	uint64_t v;
	if (c0 == ZYDIS_REGCLASS_CONTROL || c0 == ZYDIS_REGCLASS_DEBUG) {
		unsigned n = vmi_trap_creg(ops[0].reg.value, c0);
		if (!vmi_trap_get(g, ops[1].reg.value, &v))
			return false;
		bool ok = c0 == ZYDIS_REGCLASS_CONTROL ? vmi_vcpu_write_cr(n, v) : vmi_vcpu_write_dr(n, v);
		if (!ok) {
			snprintf(what, sizeof(what), "guest #GP: mov 0x%llx to %s%u", (unsigned long long)v,
				 c0 == ZYDIS_REGCLASS_CONTROL ? "cr" : "dr", n);
			vmi_trap_fatal(rip, what);
		}
		return true;
	}
	if (c1 == ZYDIS_REGCLASS_CONTROL || c1 == ZYDIS_REGCLASS_DEBUG) {
		unsigned n = vmi_trap_creg(ops[1].reg.value, c1);
		bool ok = c1 == ZYDIS_REGCLASS_CONTROL ? vmi_vcpu_read_cr(n, &v) : vmi_vcpu_read_dr(n, &v);
		if (!ok) {
			snprintf(what, sizeof(what), "guest #GP: mov from %s%u", c1 == ZYDIS_REGCLASS_CONTROL ? "cr" : "dr", n);
			vmi_trap_fatal(rip, what);
		}
		return vmi_trap_set(g, ops[0].reg.value, v);
	}
	return false;
}

/* A store into the page-table area (the shadow-paging trap). */
static bool vmi_trap_pt_store(greg_t *g, uint64_t rip, const ZydisDecodedInstruction *in,
			      const ZydisDecodedOperand *ops)
{
	uint64_t addr, v;
	if (in->mnemonic != ZYDIS_MNEMONIC_MOV || ops[0].type != ZYDIS_OPERAND_TYPE_MEMORY)
		return false;
	if (!vmi_trap_mem_addr(g, rip, in, &ops[0], &addr) || !vmi_mmu_in_area(addr))
		return false;
	if (ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER) {
		if (!vmi_trap_get(g, ops[1].reg.value, &v))
			return false;
	} else if (ops[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
		v = ops[1].imm.value.u;
	} else {
		return false;
	}
	if (!vmi_mmu_write(addr, v, ops[0].size / 8))
		return false;
	vmi_run_cpu.st.pt_traps++;
	return true;
}

static bool vmi_trap_io(greg_t *g, const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops)
{
	bool is_in = in->mnemonic == ZYDIS_MNEMONIC_IN;
	const ZydisDecodedOperand *port_op = is_in ? &ops[1] : &ops[0];
	const ZydisDecodedOperand *val_op = is_in ? &ops[0] : &ops[1];
	uint64_t port, v;
	if (port_op->type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
		port = port_op->imm.value.u & 0xff;
	else if (!vmi_trap_get(g, port_op->reg.value, &port))
		return false;
	unsigned size = val_op->size / 8;
	if (is_in)
		return vmi_trap_set(g, val_op->reg.value, vmi_dev_in((uint16_t)port, size));
	if (!vmi_trap_get(g, val_op->reg.value, &v))
		return false;
	vmi_dev_out((uint16_t)port, size, (uint32_t)v);
	return true;
}

static void vmi_trap_edx_eax(greg_t *g, uint64_t v)
{
	g[VMI_TRAP_AX] = (greg_t)(v & 0xffffffffull);
	g[VMI_TRAP_DX] = (greg_t)(v >> 32);
}

/* Emulate @in; false = not an instruction this model knows. */
static bool vmi_trap_emulate(greg_t *g, uint64_t rip, const ZydisDecodedInstruction *in,
			     const ZydisDecodedOperand *ops)
{
	char what[96];
	uint64_t v;
	uint32_t idx = (uint32_t)g[VMI_TRAP_CX];
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_CLI:
		vmi_vcpu_set_if(false);
		return true;
	case ZYDIS_MNEMONIC_STI:
		vmi_vcpu_set_if(true);
		return true;
	case ZYDIS_MNEMONIC_HLT:
		/* The model raises no interrupts: a halt returns at once, as if
		 * the next timer tick had woken it. */
		vmi_run_cpu.st.halts++;
		return true;
	case ZYDIS_MNEMONIC_IN:
	case ZYDIS_MNEMONIC_OUT:
		return vmi_trap_io(g, in, ops);
	case ZYDIS_MNEMONIC_RDMSR:
		if (!vmi_vcpu_rdmsr(idx, &v)) {
			snprintf(what, sizeof(what), "guest #GP: rdmsr of unknown MSR 0x%x", idx);
			vmi_trap_fatal(rip, what);
		}
		vmi_trap_edx_eax(g, v);
		return true;
	case ZYDIS_MNEMONIC_WRMSR:
		v = ((uint64_t)(uint32_t)g[VMI_TRAP_DX] << 32) | (uint32_t)g[VMI_TRAP_AX];
		if (!vmi_vcpu_wrmsr(idx, v)) {
			snprintf(what, sizeof(what), "guest #GP: wrmsr 0x%llx to MSR 0x%x", (unsigned long long)v, idx);
			vmi_trap_fatal(rip, what);
		}
		return true;
	case ZYDIS_MNEMONIC_RDTSC:
		vmi_trap_edx_eax(g, vmi_vcpu_tsc());
		return true;
	case ZYDIS_MNEMONIC_RDTSCP:
		vmi_trap_edx_eax(g, vmi_vcpu_tsc());
		g[VMI_TRAP_CX] = 0; /* TSC_AUX: cpu 0 */
		return true;
	case ZYDIS_MNEMONIC_RDPMC:
		if (idx > 3) {
			snprintf(what, sizeof(what), "guest #GP: rdpmc of counter 0x%x", idx);
			vmi_trap_fatal(rip, what);
		}
		vmi_trap_edx_eax(g, 0); /* the model counts no events */
		return true;
	case ZYDIS_MNEMONIC_INVLPG:
		if (!vmi_trap_mem_addr(g, rip, in, &ops[0], &v))
			return false;
		vmi_mmu_invlpg(v);
		return true;
	case ZYDIS_MNEMONIC_WBINVD:
	case ZYDIS_MNEMONIC_INVD:
		vmi_run_cpu.wbinvds++;
		return true;
	case ZYDIS_MNEMONIC_CLTS:
		return vmi_vcpu_write_cr(0, vmi_run_cpu.cr[0] & ~8ull);
	case ZYDIS_MNEMONIC_MOV:
		return vmi_trap_mov_special(g, rip, in, ops) || vmi_trap_pt_store(g, rip, in, ops);
	default:
		return false;
	}
}

static void vmi_trap_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	uint64_t rip = (uint64_t)(uintptr_t)g[VMI_TRAP_IP];

	if (sig == SIGSEGV && rip == (uintptr_t)vmi_run_hc_hlt) {
		uint64_t ret = 0;
		char err[160];
		vmi_run_cpu.st.hypercalls++;
		if (!vmi_hc_service((uint64_t)(uintptr_t)g[VMI_TRAP_HC_NR], (uint64_t)(uintptr_t)g[VMI_TRAP_HC_A0],
				    (uint64_t)(uintptr_t)g[VMI_TRAP_HC_A1], &ret, err, sizeof(err))) {
			/* The stub's hlt is the first instruction: [rsp] is the ROM's return address. */
			uintptr_t caller = 0;
			char sym[256];
			memcpy(&caller, (const void *)(uintptr_t)g[VMI_TRAP_SP], sizeof(caller));
			vmi_trap_set_tsc(false);
			vmi_trap_symbolize(caller, sym, sizeof(sym));
			fflush(stdout);
			fprintf(stderr, "vmirun: %s, called from %s (return address 0x%llx)\n", err, sym,
				(unsigned long long)caller);
			_exit(VMI_RUN_EXIT_GUEST);
		}
#if defined(__i386__)
		g[REG_EDX] = (greg_t)(ret >> 32); /* edx:eax, for a ROM that reads a 64-bit result */
#endif
		g[VMI_TRAP_AX] = (greg_t)ret;
		g[VMI_TRAP_IP] = (greg_t)(rip + 1);
		return;
	}

	if (sig == SIGSEGV && (uintptr_t)si->si_addr == rip && si->si_code == SEGV_MAPERR)
		vmi_trap_fatal(rip, "guest jumped to unmapped memory");
	uint8_t bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
	size_t n = vmi_trap_peek(rip, bytes, sizeof(bytes));
	ZydisDecodedInstruction in;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	if (!n || !ZYAN_SUCCESS(ZydisDecoderDecodeFull(&vmi_trap_dec, bytes, n, &in, ops)))
		vmi_trap_fatal(rip, sig == SIGILL ? "illegal instruction" : "undecodable faulting instruction");
	if (!vmi_trap_emulate(g, rip, &in, ops)) {
		char what[160];
		ZydisFormatter fmt;
		char text[96] = "?";
		ZydisFormatterInit(&fmt, ZYDIS_FORMATTER_STYLE_ATT);
		ZydisFormatterFormatInstruction(&fmt, &in, ops, in.operand_count_visible, text, sizeof(text), rip, NULL);
		if (si->si_code == SEGV_MAPERR || si->si_code == SEGV_ACCERR)
			snprintf(what, sizeof(what), "guest page fault at 0x%llx by '%s'",
				 (unsigned long long)(uintptr_t)si->si_addr, text);
		else
			snprintf(what, sizeof(what), "unhandled instruction '%s'", text);
		vmi_trap_fatal_len(rip, what, in.length);
	}
	vmi_run_cpu.st.traps++;
	g[VMI_TRAP_IP] = (greg_t)(rip + in.length);
}

bool vmi_trap_install(void)
{
	if (!ZYAN_SUCCESS(ZydisDecoderInit(&vmi_trap_dec, VMI_TRAP_MODE, VMI_TRAP_STACK)))
		return false;
	static uint8_t altstack[VMI_TRAP_ALTSTACK] __attribute__((aligned(64)));
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	if (sigaltstack(&ss, NULL) != 0)
		return false;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = vmi_trap_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGSEGV, &sa, NULL) == 0 && sigaction(SIGILL, &sa, NULL) == 0;
}

void vmi_trap_set_tsc(bool trap)
{
	prctl(PR_SET_TSC, trap ? PR_TSC_SIGSEGV : PR_TSC_ENABLE, 0, 0, 0);
}
