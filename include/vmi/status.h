/* SPDX-License-Identifier: MIT */
/*
 * vmi/status.h - the one status type of vmipatch.
 *
 * Every fallible function of the library returns a vmi_status: VMI_OK (0) or
 * a negative code. Codes are grouped in ranges of 0x100 per subsystem so a
 * code says where it came from. Codes are part of the ABI: never renumber
 * or reuse one, only append.
 */
#ifndef VMI_STATUS_H
#define VMI_STATUS_H

#include <stdint.h>

typedef int32_t vmi_status;

enum {
	VMI_OK = 0,

	/* generic: -0x001 .. -0x0ff */
	VMI_E_INVALID_ARG = -0x001,    /* NULL pointer, bad size field, bad enum */
	VMI_E_NO_SPACE = -0x002,       /* caller-given workspace/buffer too small */
	VMI_E_OPTS_UNKNOWN = -0x003,   /* opts struct has non-zero bytes past the fields this version knows */
	VMI_E_IO = -0x004,             /* a caller-given read/write callback failed */
	VMI_E_STATE = -0x005,          /* call out of order (apply twice, unpatch before apply) */

	/* option ROM / VMI header: -0x100 .. -0x1ff */
	VMI_E_ROM_TRUNCATED = -0x101,  /* buffer shorter than the header or than the ROM's declared length */
	VMI_E_ROM_SIGNATURE = -0x102,  /* first two bytes are not 0x55 0xAA */
	VMI_E_ROM_LENGTH = -0x103,     /* length byte is zero or larger than VMI_ROM_MAX_SIZE */
	VMI_E_ROM_CHECKSUM = -0x104,   /* byte sum over the declared length is not 0 mod 256 */
	VMI_E_ROM_MAGIC = -0x105,      /* no "VMI!" magic at VMI_ROM_MAGIC_OFFSET */
	VMI_E_ROM_HEADER_SIZE = -0x106,/* header_size smaller than v1 or past the ROM end */
	VMI_E_ROM_TABLE_BOUNDS = -0x107,/* call table does not lie inside the ROM */
	VMI_E_ROM_COUNT = -0x108,      /* call count zero or above VMI_ROM_MAX_CALLS */
	VMI_E_ROM_ENTRY_BOUNDS = -0x109,/* a stub, entry point or init/data offset lies outside the ROM */
	VMI_E_ROM_FORM = -0x10a,       /* a call entry has an unknown form or lacks what its form needs */
	VMI_E_ROM_DUP_CALL = -0x10b,   /* the same call id appears twice in the table */
	VMI_E_ROM_NOT_FOUND = -0x10c,  /* scan found no VMI ROM in the range */
	VMI_E_ROM_ARCH = -0x10d,       /* ROM code is for another architecture than the guest */
	VMI_E_ROM_ENTRY_SIZE = -0x10e, /* call entry size smaller than v1 */
	VMI_E_ROM_RESERVED = -0x10f,   /* PCI-data/PnP pointers or a reserved header field (0x15, 0x1E, 0x3C) not zero */
	VMI_E_ROM_INIT16 = -0x110,     /* real-mode init at 0x03 is not retf followed by four zero bytes */
	VMI_E_ROM_CODE_AREA = -0x111,  /* a stub, entry or init offset points into the header, call table or checksum byte */

	/* annotations (note + site table): -0x200 .. -0x2ff */
	VMI_E_ANN_NOTE = -0x201,       /* note missing, truncated or with a wrong name/type */
	VMI_E_ANN_VERSION = -0x202,    /* note format major version unknown to this patcher */
	VMI_E_ANN_ENTRY_SIZE = -0x203, /* entry size smaller than v1 or larger than VMI_SITE_ENTRY_MAX */
	VMI_E_ANN_SECTION_SIZE = -0x204,/* site table length not a multiple of the entry size */
	VMI_E_ANN_ARCH = -0x205,       /* note arch unknown or different from what the caller expects */
	VMI_E_ANN_INDEX = -0x206,      /* site index out of range */

	/* planning: -0x300 .. -0x3ff (each names the first bad site in the report) */
	VMI_E_SITE_BOUNDS = -0x301,    /* site not inside an executable region */
	VMI_E_SITE_OVERLAP = -0x302,   /* two sites overlap */
	VMI_E_SITE_TOO_SHORT = -0x303, /* site shorter than VMI_SITE_MIN_LEN for the arch */
	VMI_E_SITE_TOO_LONG = -0x304,  /* site longer than VMI_SITE_MAX_LEN */
	VMI_E_NATIVE_TOO_LONG = -0x305,/* native copy longer than the site */
	VMI_E_NATIVE_BOUNDS = -0x306,  /* native copy not inside any region */
	VMI_E_SITE_UNSORTED = -0x307,  /* reserved: sites must be sorted when VMI_PLAN_F_REQUIRE_SORTED */
	VMI_E_SLOTS = -0x308,          /* slot table missing or too small for an indirect call */
};

/**
 * vmi_strerror - name and meaning of a status.
 * @status: any value; unknown ones give "VMI_E_UNKNOWN".
 * Return: a static string "VMI_E_NAME: what it means". Never NULL.
 */
const char *vmi_strerror(vmi_status status);

/** VMI_CHECK - propagate a failing status to the caller. */
#define VMI_CHECK(expr)                                                        \
	do {                                                                   \
		vmi_status vmi_check_st_ = (expr);                             \
		if (vmi_check_st_ != VMI_OK)                                   \
			return vmi_check_st_;                                  \
	} while (0)

#endif /* VMI_STATUS_H */
