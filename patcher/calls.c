/* SPDX-License-Identifier: MIT */
/*
 * calls.c - the call catalog, expanded from the VMI_CALLS X-macro of
 * vmi/calls.h into a table indexed directly by call id.
 *
 * Rows hold their names inline, so the table is plain numbers and bytes:
 * patcher.bin needs no relocation for it and reads it at any base.
 */
#include <stddef.h>

#include "vmi/calls.h"

/* Each row is checked where it is written: a name or native text that does
 * not fit its inline array would otherwise lose its NUL silently (C allows
 * a string literal exactly as long as the array), and an id out of range
 * would index past the table. Ids are >= 1 because 0 means "no call". */
#define VMI_CALL_CHECK_(id, name, cat, minor, feat, nargs, ret, native)                             \
	_Static_assert(sizeof(#name) <= VMI_CALL_NAME_MAX, "call name too long: " #name);          \
	_Static_assert(sizeof(native) <= VMI_CALL_NATIVE_MAX, "native text too long: " #name);     \
	_Static_assert((id) >= 1 && (id) < VMI_CALL_ID_LIMIT, "call id out of range: " #name);     \
	_Static_assert((cat) >= 0 && (cat) < VMI_CAT_COUNT, "bad category: " #name);               \
	_Static_assert(((feat) & ~VMI_FEAT_KNOWN) == 0 && ((feat) & ((feat) - 1)) == 0,            \
		       "feature must be one known bit or 0: " #name);
VMI_CALLS(VMI_CALL_CHECK_)
#undef VMI_CALL_CHECK_

/* A repeated id would make two designated initializers for one row, which
 * -Woverride-init (gcc) / -Winitializer-overrides (clang) turns into an error. */
static const vmi_call_info vmi_call_table[VMI_CALL_ID_LIMIT] = {
#define VMI_CALL_ROW_(id_, name_, cat_, minor_, feat_, nargs_, ret_, native_)                       \
	[id_] = { .id = (id_), .category = (cat_), .minor = (minor_), .feature = (feat_),           \
		  .nargs = (nargs_), .ret = (ret_), .name = #name_, .native = native_ },
	VMI_CALLS(VMI_CALL_ROW_)
#undef VMI_CALL_ROW_
};

static int vmi_call_name_eq(const char *row, const char *name, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		if (row[i] == '\0' || row[i] != name[i])
			return 0;
	return row[i] == '\0';
}

const vmi_call_info *vmi_call_lookup(uint32_t id)
{
	if (id == 0 || id >= VMI_CALL_ID_LIMIT || vmi_call_table[id].id != id)
		return NULL;
	return &vmi_call_table[id];
}

uint16_t vmi_call_by_name(const char *name, uint32_t len)
{
	if (!name || len == 0 || len >= VMI_CALL_NAME_MAX)
		return 0;
	for (uint32_t id = 1; id < VMI_CALL_ID_LIMIT; id++)
		if (vmi_call_table[id].id == id && vmi_call_name_eq(vmi_call_table[id].name, name, len))
			return (uint16_t)id;
	return 0;
}

uint16_t vmi_call_next(uint32_t id)
{
	for (uint32_t i = id + 1; i > id && i < VMI_CALL_ID_LIMIT; i++)
		if (vmi_call_table[i].id == i)
			return (uint16_t)i;
	return 0;
}

const char *vmi_category_name(uint32_t category)
{
	switch (category) {
	case VMI_CAT_CPU: return "cpu";
	case VMI_CAT_IRQ: return "irq";
	case VMI_CAT_IO: return "io";
	case VMI_CAT_MMU: return "mmu";
	case VMI_CAT_TIME: return "time";
	case VMI_CAT_DEFER: return "defer";
	case VMI_CAT_APIC: return "apic";
	case VMI_CAT_LOCK: return "lock";
	case VMI_CAT_SHOOTDOWN: return "shootdown";
	}
	return "?";
}

int vmi_category_by_name(const char *name, uint32_t len)
{
	if (!name)
		return -1;
	for (uint32_t c = 0; c < VMI_CAT_COUNT; c++)
		if (vmi_call_name_eq(vmi_category_name(c), name, len))
			return (int)c;
	return -1;
}

const char *vmi_feature_name(uint32_t bit)
{
	switch (bit) {
	case VMI_FEAT_DEFERRED: return "deferred";
	case VMI_FEAT_PAE: return "pae";
	case VMI_FEAT_LONGMODE: return "longmode";
	case VMI_FEAT_APIC: return "apic";
	case VMI_FEAT_TIMER: return "timer";
	case VMI_FEAT_LOCKS: return "locks";
	case VMI_FEAT_TLB_SHOOTDOWN: return "tlb-shootdown";
	}
	return "?";
}
