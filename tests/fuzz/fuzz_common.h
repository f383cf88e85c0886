/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_common.h - what every fuzz target shares: the libFuzzer
 * entry points and seed writing.
 *
 * Each target writes its own seed corpus when started with
 * VMI_FUZZ_SEEDS=<dir> (from LLVMFuzzerInitialize, then exits), so seeds
 * are generated at build time from the same code that builds synthetic
 * inputs for the benches, and no binary corpus is committed.
 */
#ifndef VMI_FUZZ_COMMON_H
#define VMI_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Write @len bytes to <VMI_FUZZ_SEEDS>/<name>; exits on failure. */
static inline void vmi_fuzz_seed(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "fuzz: cannot write seed %s\n", path);
		exit(1);
	}
}

/* A fuzz-found violation of an invariant: crash so libFuzzer keeps the input. */
#define VMI_FUZZ_ASSERT(cond)                                                                      \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__,     \
				__LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#endif /* VMI_FUZZ_COMMON_H */
