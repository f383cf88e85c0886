/* SPDX-License-Identifier: MIT */
/*
 * status.c - vmi_strerror: every code of vmi/status.h named and explained.
 *
 * A switch of string literals: the freestanding build keeps no table of
 * pointers (which would need relocation in patcher.bin).
 */
#include "vmi/status.h"

const char *vmi_strerror(vmi_status status)
{
	switch (status) {
	case VMI_OK: return "VMI_OK: success";
	case VMI_E_INVALID_ARG: return "VMI_E_INVALID_ARG: invalid argument (NULL pointer, bad size field or enum)";
	case VMI_E_NO_SPACE: return "VMI_E_NO_SPACE: caller-given buffer too small";
	case VMI_E_OPTS_UNKNOWN: return "VMI_E_OPTS_UNKNOWN: options carry non-zero fields this version does not know";
	case VMI_E_IO: return "VMI_E_IO: a read/write callback failed";
	case VMI_E_STATE: return "VMI_E_STATE: call out of order";

	case VMI_E_ROM_TRUNCATED: return "VMI_E_ROM_TRUNCATED: ROM shorter than its header or its declared length";
	case VMI_E_ROM_SIGNATURE: return "VMI_E_ROM_SIGNATURE: ROM does not start with 0x55 0xAA";
	case VMI_E_ROM_LENGTH: return "VMI_E_ROM_LENGTH: ROM length byte is zero or too large";
	case VMI_E_ROM_CHECKSUM: return "VMI_E_ROM_CHECKSUM: ROM byte sum is not zero";
	case VMI_E_ROM_MAGIC: return "VMI_E_ROM_MAGIC: no VMI! magic in the ROM header";
	case VMI_E_ROM_HEADER_SIZE: return "VMI_E_ROM_HEADER_SIZE: ROM header size too small or past the ROM end";
	case VMI_E_ROM_TABLE_BOUNDS: return "VMI_E_ROM_TABLE_BOUNDS: ROM call table lies outside the ROM";
	case VMI_E_ROM_COUNT: return "VMI_E_ROM_COUNT: ROM call count is zero or too large";
	case VMI_E_ROM_ENTRY_BOUNDS: return "VMI_E_ROM_ENTRY_BOUNDS: ROM stub, entry or init offset lies outside the ROM";
	case VMI_E_ROM_FORM: return "VMI_E_ROM_FORM: ROM call entry has a bad form or lacks what its form needs";
	case VMI_E_ROM_DUP_CALL: return "VMI_E_ROM_DUP_CALL: ROM call table lists a call id twice";
	case VMI_E_ROM_NOT_FOUND: return "VMI_E_ROM_NOT_FOUND: no VMI ROM (or no such call in it)";
	case VMI_E_ROM_ARCH: return "VMI_E_ROM_ARCH: ROM code is for another architecture";
	case VMI_E_ROM_ENTRY_SIZE: return "VMI_E_ROM_ENTRY_SIZE: ROM call entry size smaller than 16";
	case VMI_E_ROM_RESERVED: return "VMI_E_ROM_RESERVED: ROM PCI-data/PnP pointer or reserved header field is not zero";
	case VMI_E_ROM_INIT16: return "VMI_E_ROM_INIT16: ROM real-mode init is not retf and four zero bytes";
	case VMI_E_ROM_CODE_AREA: return "VMI_E_ROM_CODE_AREA: ROM stub, entry or init offset points into the header, call table or checksum byte";

	case VMI_E_ANN_NOTE: return "VMI_E_ANN_NOTE: VMI note missing, truncated or with a wrong name/type";
	case VMI_E_ANN_VERSION: return "VMI_E_ANN_VERSION: annotation format major version unknown";
	case VMI_E_ANN_ENTRY_SIZE: return "VMI_E_ANN_ENTRY_SIZE: site entry size out of range";
	case VMI_E_ANN_SECTION_SIZE: return "VMI_E_ANN_SECTION_SIZE: site table length not a multiple of the entry size";
	case VMI_E_ANN_ARCH: return "VMI_E_ANN_ARCH: annotation arch unknown or not the expected one";
	case VMI_E_ANN_INDEX: return "VMI_E_ANN_INDEX: site index out of range";

	case VMI_E_SITE_BOUNDS: return "VMI_E_SITE_BOUNDS: site not inside an executable region";
	case VMI_E_SITE_OVERLAP: return "VMI_E_SITE_OVERLAP: two sites overlap";
	case VMI_E_SITE_TOO_SHORT: return "VMI_E_SITE_TOO_SHORT: site shorter than the arch minimum";
	case VMI_E_SITE_TOO_LONG: return "VMI_E_SITE_TOO_LONG: site longer than the maximum";
	case VMI_E_NATIVE_TOO_LONG: return "VMI_E_NATIVE_TOO_LONG: native copy longer than the site";
	case VMI_E_NATIVE_BOUNDS: return "VMI_E_NATIVE_BOUNDS: native copy not inside any region";
	case VMI_E_SITE_UNSORTED: return "VMI_E_SITE_UNSORTED: sites are not sorted";
	case VMI_E_SLOTS: return "VMI_E_SLOTS: slot table missing or too small";
	}
	return "VMI_E_UNKNOWN: unknown status";
}
