/* SPDX-License-Identifier: MIT */
#include "baseline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int vmi_baseline_cmp_key(const char *sym, const char *mn, const vmi_baseline_entry *e)
{
	int c = strcmp(sym, e->sym);
	return c ? c : strcmp(mn, e->mnemonic);
}

static int vmi_baseline_cmp(const void *x, const void *y)
{
	const vmi_baseline_entry *a = x;
	return vmi_baseline_cmp_key(a->sym, a->mnemonic, y);
}

int vmi_baseline_load(vmi_baseline *b, const char *path, vmi_diag *d)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 0, len = 0, lines = 0;

	memset(b, 0, sizeof(*b));
	if (!f)
		return vmi_diag_set(d, VMI_EXIT_IO, path, "cannot open baseline: %s", strerror(errno));
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *t = realloc(b->text, cap = 2 * cap + 8192);
			if (!t) {
				fclose(f);
				return vmi_diag_set(d, VMI_EXIT_IO, path, "out of memory");
			}
			b->text = t;
		}
		size_t got = fread(b->text + len, 1, 4096, f);
		len += got;
		if (got < 4096)
			break;
	}
	int err = ferror(f);
	fclose(f);
	if (err)
		return vmi_diag_set(d, VMI_EXIT_IO, path, "cannot read baseline");
	b->text[len] = '\0';
	for (size_t i = 0; i < len; i++)
		lines += b->text[i] == '\n';
	b->e = calloc(lines + 1, sizeof(*b->e));
	if (!b->e)
		return vmi_diag_set(d, VMI_EXIT_IO, path, "out of memory");
	char *save = NULL;
	size_t lineno = 0;
	for (char *p = b->text, *nl; p && *p; p = nl) {
		lineno++;
		if ((nl = strchr(p, '\n')))
			*nl++ = '\0';
		char *hash = strchr(p, '#');
		if (hash)
			*hash = '\0';
		char *sym = strtok_r(p, " \t\r", &save), *mn = sym ? strtok_r(NULL, " \t\r", &save) : NULL;
		if (!sym)
			continue;
		if (!mn || strtok_r(NULL, " \t\r", &save))
			return vmi_diag_set(d, VMI_EXIT_INPUT, path,
					    "line %zu: want \"SYMBOL MNEMONIC\" (as --write-baseline writes)", lineno);
		b->e[b->n].sym = sym;
		b->e[b->n].mnemonic = mn;
		b->n++;
	}
	qsort(b->e, b->n, sizeof(*b->e), vmi_baseline_cmp);
	return VMI_EXIT_OK;
}

bool vmi_baseline_accept(vmi_baseline *b, const char *sym, const char *mnemonic)
{
	size_t lo = 0, hi = b->n;
	while (lo < hi) { /* the first entry >= the key */
		size_t mid = lo + (hi - lo) / 2;
		if (vmi_baseline_cmp_key(sym, mnemonic, &b->e[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < b->n && !vmi_baseline_cmp_key(sym, mnemonic, &b->e[lo]); lo++)
		if (!b->e[lo].used)
			return b->e[lo].used = true;
	return false;
}

size_t vmi_baseline_unused(const vmi_baseline *b)
{
	size_t n = 0;
	for (size_t i = 0; i < b->n; i++)
		n += !b->e[i].used;
	return n;
}

void vmi_baseline_free(vmi_baseline *b)
{
	free(b->e);
	free(b->text);
	memset(b, 0, sizeof(*b));
}
