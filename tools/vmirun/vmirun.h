/* SPDX-License-Identifier: MIT */
/*
 * tools/vmirun/vmirun.h - the pieces of vmirun and how they meet.
 *
 * vmirun is one process playing both sides: the guest code runs in user
 * mode on the host CPU, and whatever it cannot do there (privileged
 * instructions, writes to write-protected page tables, hypercalls from the
 * ROM) faults into a signal handler that plays the hypervisor against a
 * software vCPU. The model is global state: a signal handler has no other
 * way to reach it, and there is exactly one vCPU.
 */
#ifndef VMI_RUN_H
#define VMI_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vmi/vmi.h"
#include "vmi/rom_sdk.h"
#include "guest_abi.h"

/* The guest architecture is the host build's: vmirun built with -m32 runs
 * i386 guests (regparm(3) ROM calls, PAE page tables), the default build
 * x86-64 guests (SysV ROM calls, 4-level tables). */
#if defined(__x86_64__)
#define VMI_RUN_ARCH VMI_ARCH_X86_64
#define VMI_RUN_ARCH_NAME "x86-64"
#define VMI_RUN_CALL_SETPXE VMI_CALL_SetPxELong /* the page-table store the workloads use */
#elif defined(__i386__)
#define VMI_RUN_ARCH VMI_ARCH_I386
#define VMI_RUN_ARCH_NAME "i386"
#define VMI_RUN_CALL_SETPXE VMI_CALL_SetPxE
#else
#error "vmirun: i386 or x86-64 hosts only"
#endif

/* Exit codes (docs/vmirun.1); 0-3 as the other tools. */
enum vmi_run_exit {
	VMI_RUN_EXIT_OK = 0,
	VMI_RUN_EXIT_INPUT = 1,    /* bad ROM, guest object, patcher.bin or policy */
	VMI_RUN_EXIT_USAGE = 2,    /* bad command line */
	VMI_RUN_EXIT_IO = 3,       /* a file could not be read */
	VMI_RUN_EXIT_GUEST = 6,    /* the guest did something the model cannot emulate or faults on */
	VMI_RUN_EXIT_MISMATCH = 7, /* --matrix: a configuration ended in a different state */
};

/* ---- vCPU (vcpu.c) ---- */
#define VMI_RUN_MSR_MAX 16
struct vmi_run_stats {
	uint64_t traps;          /* faults the handler emulated (each one a hypervisor entry) */
	uint64_t hypercalls;     /* hypercall-stub entries (each one a hypervisor entry) */
	uint64_t batches;        /* VMI_HC_BATCH hypercalls */
	uint64_t batched_ops;    /* operations applied from batches */
	uint64_t pt_traps;       /* trapped writes to the page-table area */
	uint64_t pt_writes;      /* page-table entries written by any path */
	uint64_t hc_by_call[VMI_CALL_ID_LIMIT]; /* hypercalls per call id */
	uint64_t halts;          /* hlt / SafeHalt */
	uint64_t tlb_flushes;    /* whole-TLB flushes */
	uint64_t invlpgs;        /* single-page invalidations */
};

/* Counters between the guest's window-open and window-close port writes. */
struct vmi_run_window {
	bool open;
	uint64_t entries, batches, batched_ops, pt_writes; /* at open, then the difference */
};

struct vmi_vcpu {
	bool if_flag;            /* interrupt flag when no ROM data area holds it */
	uint64_t cr[5];          /* CR0, (CR1 unused), CR2, CR3, CR4 */
	uint64_t dr[8];          /* DR0-3, DR6, DR7 (4/5 alias 6/7) */
	uint32_t msr_index[VMI_RUN_MSR_MAX];
	uint64_t msr_value[VMI_RUN_MSR_MAX];
	uint32_t nmsr;
	uint64_t wbinvds;        /* cache flushes (statistics: a ROM may rightly drop them) */
	struct vmi_run_stats st;
	struct vmi_run_window win;
};
extern struct vmi_vcpu vmi_run_cpu;
extern struct vmi_rom_data *vmi_run_shared; /* the ROM's data area while a ROM runs, else NULL */

void vmi_vcpu_reset(void);
bool vmi_vcpu_get_if(void);
void vmi_vcpu_set_if(bool on);
/* Control/debug registers and MSRs; false = the access would #GP. */
bool vmi_vcpu_write_cr(unsigned n, uint64_t v);
bool vmi_vcpu_read_cr(unsigned n, uint64_t *v);
bool vmi_vcpu_write_dr(unsigned n, uint64_t v);
bool vmi_vcpu_read_dr(unsigned n, uint64_t *v);
bool vmi_vcpu_rdmsr(uint32_t index, uint64_t *v);
bool vmi_vcpu_wrmsr(uint32_t index, uint64_t v);
uint64_t vmi_vcpu_tsc(void);
void vmi_vcpu_dump(FILE *f);

/* ---- devices on the port-I/O bus (devices.c) ---- */
void vmi_dev_reset(void);
uint32_t vmi_dev_in(uint16_t port, unsigned size);
void vmi_dev_out(uint16_t port, unsigned size, uint32_t value);
void vmi_dev_dump(FILE *f);
uint64_t vmi_dev_delay_writes(void);

/* ---- page tables and TLB (mmu.c) ---- */
#define VMI_RUN_PT_PAGES 16
#define VMI_RUN_PT_GPA 0x100000ull
bool vmi_mmu_init(void);
void vmi_mmu_reset(void);
uint64_t *vmi_mmu_guest_view(void);
bool vmi_mmu_in_area(uint64_t addr);
/* Write an entry through the hypervisor's view; false if @addr is not an
 * aligned entry of the area. */
bool vmi_mmu_write(uint64_t addr, uint64_t value, unsigned size);
void vmi_mmu_invlpg(uint64_t va);
void vmi_mmu_flush(void);
uint32_t vmi_mmu_probe(uint64_t vpn);
void vmi_mmu_protect(bool protect); /* false: guest writes go straight through (native bench) */
void vmi_mmu_dump(FILE *f);

/* ---- trap handler and emulator (trap.c) ---- */
bool vmi_trap_install(void);
void vmi_trap_set_tsc(bool trap); /* rdtsc faults (and is emulated) when true */
/* Name an address for reports: "symbol+0xoff" or "0x...". */
void vmi_trap_symbolize(uint64_t addr, char *buf, size_t len);

/* ---- hypercalls (hypercall.c) ---- */
extern void vmi_run_hc_entry(void);        /* the stub: hlt; ret */
extern const uint8_t vmi_run_hc_hlt[];    /* address of its hlt */
/* Service one hypercall (a call id or VMI_HC_BATCH); false = the model
 * refuses it, @err says why (the handler reports it and ends the run). */
bool vmi_hc_service(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t *ret, char *err, size_t errlen);

/* ---- ROM mapping (rom.c) ---- */
struct vmi_run_rom {
	uint8_t *file;            /* the image as read */
	size_t file_len;
	vmi_rom info;             /* validated view of file */
	uint8_t *copy;            /* the RAM copy the guest calls (mmap'd) */
	size_t copy_len;
	struct vmi_rom_data *data;/* the data area */
	const char *path;
};
/* The ROM copy of the running configuration (for naming addresses), or NULL. */
extern const struct vmi_run_rom *vmi_run_active_rom;
/* Read and validate; prints one line and returns false on failure. */
bool vmi_rom_open(struct vmi_run_rom *r, const char *path, int *exit_code);
/* Copy near (within +-2 GiB of @near) or far from it, at a random address. */
bool vmi_rom_map(struct vmi_run_rom *r, uint64_t near, bool far);
/* VMI init with the data area pointing at the hypercall stub. */
bool vmi_rom_init(struct vmi_run_rom *r, uint32_t guest_version);
void vmi_rom_unmap(struct vmi_run_rom *r);
void vmi_rom_close(struct vmi_run_rom *r);

/* ---- patcher.bin (blob.c) ---- */
typedef vmi_status (*vmi_boot_fn)(const vmi_boot_args *args, vmi_boot_state *st);
struct vmi_run_blob {
	uint8_t *base;
	size_t len;
	vmi_boot_fn boot;
	const char *(*strerror)(vmi_status);
};
bool vmi_blob_load(struct vmi_run_blob *b, const char *path, int *exit_code);

/* ---- the guest object (guest.c) ---- */
struct vmi_run_guest {
	void *handle;
	const char *path;
	uint8_t *text;            /* executable segment (page aligned) */
	size_t text_len;
	uint8_t *pristine;        /* its bytes as loaded */
	const uint8_t *note;      /* note descriptor */
	size_t note_len;
	vmi_guest info;
	struct vmi_wl_sections sec;
};
bool vmi_guest_open(struct vmi_run_guest *g, const char *path, int *exit_code);
/* Back to the bytes as loaded (every site native), slots zeroed. */
bool vmi_guest_restore(struct vmi_run_guest *g);
/* Patch with patcher.bin for @rom (NULL = none) under @policy. */
bool vmi_guest_patch(struct vmi_run_guest *g, const struct vmi_run_blob *b, const struct vmi_run_rom *rom,
		     const vmi_policy *policy, vmi_boot_state *st, void **ws);
void *vmi_guest_sym(struct vmi_run_guest *g, const char *name);

/* ---- configurations and workloads (run.c) ---- */
struct vmi_run_config {
	const char *rom_path;     /* NULL = no ROM: pure trap-and-emulate */
	const char *policy;       /* vmi_policy_parse text, NULL = none */
	bool far;                 /* ROM copy beyond +-2 GiB: calls go through slots */
	char label[160];
};
struct vmi_run_ctx {
	struct vmi_run_blob blob;
	struct vmi_run_guest guest;
	uint32_t iterations;
	bool verbose;
};
extern const char *const vmi_run_workloads[];
#define VMI_RUN_FORM_NONE 0xff  /* the guest has no site of the call */
#define VMI_RUN_FORM_MIXED 0xfe /* its sites got different forms */
struct vmi_run_result {
	uint8_t call_form[VMI_CALL_ID_LIMIT]; /* enum vmi_form per call, or the two above */
};
/* Run @workload under @cfg; the canonical state goes to @state (may be NULL),
 * statistics to @stats (may be NULL), forms to @res (may be NULL).
 * Returns an exit code. */
int vmi_run_one(struct vmi_run_ctx *ctx, const struct vmi_run_config *cfg, const char *workload, FILE *state,
		FILE *stats, struct vmi_run_result *res);
void vmi_run_forms(const vmi_boot_state *st, struct vmi_run_result *res);
/* Set up a configuration (ROM mapped and initialised, guest patched). */
int vmi_run_setup(struct vmi_run_ctx *ctx, const struct vmi_run_config *cfg, struct vmi_run_rom *rom,
		  vmi_boot_state *st, void **ws);
void vmi_run_teardown(struct vmi_run_ctx *ctx, struct vmi_run_rom *rom, void **ws);
struct vmi_wl_env vmi_run_env(uint32_t n);

/* ---- bench (bench.c) ---- */
int vmi_bench(struct vmi_run_ctx *ctx, const char *const *roms, unsigned nroms, bool json);

/* FNV-1a 64 for state digests. */
static inline uint64_t vmi_run_fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = (const uint8_t *)p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}
#define VMI_RUN_FNV_INIT 0xcbf29ce484222325ull

#endif /* VMI_RUN_H */
