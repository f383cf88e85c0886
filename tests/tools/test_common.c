/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of tools/common: segment mapping, the atomic writer, the JSON
 * writer, symbol lookup, image and ROM loading errors. Expected values are
 * worked out by hand from the inputs each test builds.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <elf.h>

#include "atomic.h"
#include "diag.h"
#include "guestinfo.h"
#include "image.h"
#include "json.h"
#include "romfile.h"
#include "segmap.h"
#include "decoder.h"
#include "stubcheck.h"
#include "symbols.h"

static char vmi_tmpdir[256];

static int vmi_setup_dir(void **state)
{
	(void)state;
	snprintf(vmi_tmpdir, sizeof(vmi_tmpdir), "/tmp/vmi-test-common.XXXXXX");
	return mkdtemp(vmi_tmpdir) ? 0 : -1;
}

static int vmi_teardown_dir(void **state)
{
	char cmd[300];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", vmi_tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *vmi_path(const char *name)
{
	static char p[2][512];
	static int k;
	k ^= 1;
	snprintf(p[k], sizeof(p[k]), "%s/%s", vmi_tmpdir, name);
	return p[k];
}

static void vmi_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static int vmi_count_entries(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	FILE *p = popen(cmd, "r");
	int n = -1;
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

/* ---- segmap ---- */
static void test_segmap_offset(void **state)
{
	(void)state;
	uint8_t buf[0x600];
	vmi_image_segment loads[2] = {
		{ .offset = 0x100, .vaddr = 0x1000, .filesz = 0x200, .memsz = 0x200, .flags = PF_R | PF_X },
		{ .offset = 0x400, .vaddr = 0x3000, .filesz = 0x100, .memsz = 0x300, .flags = PF_R | PF_W },
	};
	vmi_image img = { .buf = buf, .len = sizeof(buf), .loads = loads, .nloads = 2 };
	uint64_t off = 0;

	assert_true(vmi_segmap_offset(&img, 0x1000, 1, &off));
	assert_int_equal(off, 0x100);
	assert_true(vmi_segmap_offset(&img, 0x11ff, 1, &off));
	assert_int_equal(off, 0x2ff);
	assert_false(vmi_segmap_offset(&img, 0x11ff, 2, &off)); /* runs past the segment's file bytes */
	assert_false(vmi_segmap_offset(&img, 0xfff, 1, &off));  /* below every segment */
	assert_false(vmi_segmap_offset(&img, 0x2000, 1, &off)); /* in the gap */
	assert_true(vmi_segmap_offset(&img, 0x3050, 0x10, &off));
	assert_int_equal(off, 0x450);
	assert_false(vmi_segmap_offset(&img, 0x3100, 1, &off)); /* bss: in memsz, not in the file */
	assert_false(vmi_segmap_offset(&img, UINT64_MAX, 2, &off));
	assert_false(vmi_segmap_offset(&img, 0x3000, UINT64_MAX, &off));

	uint32_t n = 0;
	vmi_region *r = vmi_segmap_regions(&img, &n);
	assert_non_null(r);
	assert_int_equal(n, 2);
	assert_ptr_equal(r[0].host, buf + 0x100);
	assert_int_equal(r[0].addr, 0x1000);
	assert_int_equal(r[0].len, 0x200);
	assert_int_equal(r[0].flags, VMI_REGION_F_EXEC);
	assert_ptr_equal(r[1].host, buf + 0x400);
	assert_int_equal(r[1].len, 0x100); /* file bytes only */
	assert_int_equal(r[1].flags, 0);
	free(r);
}

/* ---- atomic writer ---- */
static void test_atomic_write_replaces(void **state)
{
	(void)state;
	const char *p = vmi_path("out.bin");
	vmi_diag d = { 0 };
	vmi_write_file(p, "old contents", 12);
	int oldfd = open(p, O_RDONLY);
	assert_true(oldfd >= 0);

	assert_int_equal(vmi_atomic_write(p, "new", 3, 0640, &d), VMI_EXIT_OK);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 3);
	assert_int_equal(st.st_mode & 0777, 0640);
	char b[16] = { 0 };
	FILE *f = fopen(p, "rb");
	assert_int_equal(fread(b, 1, sizeof(b), f), 3);
	fclose(f);
	assert_memory_equal(b, "new", 3);
	/* Replaced by rename: a reader of the old file still sees all of it. */
	memset(b, 0, sizeof(b));
	assert_int_equal(read(oldfd, b, sizeof(b)), 12);
	assert_memory_equal(b, "old contents", 12);
	close(oldfd);
	assert_int_equal(vmi_count_entries(vmi_tmpdir), 1); /* no temporary file left */
	unlink(p);
}

/* The outfile steps vmipatch uses: copy, patch through the mapping,
 * commit; and a discard leaves nothing. */
static void test_outfile_copy_map_commit(void **state)
{
	(void)state;
	const char *src = vmi_path("src.bin"), *out = vmi_path("patched.bin");
	static uint8_t data[3 * 4096 + 123];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	vmi_write_file(src, data, sizeof(data));
	vmi_diag d = { 0 };
	vmi_outfile of;
	uint8_t *buf = NULL;
	int fd = open(src, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(vmi_outfile_create(&of, out, &d), VMI_EXIT_OK);
	assert_int_equal(vmi_outfile_copy(&of, fd, sizeof(data), &d), VMI_EXIT_OK);
	assert_int_equal(vmi_outfile_map(&of, sizeof(data), &buf, &d), VMI_EXIT_OK);
	assert_memory_equal(buf, data, sizeof(data));
	buf[4096 + 5] ^= 0xff;
	assert_int_equal(vmi_outfile_commit(&of, 0600, VMI_WRITE_NO_SYNC, &d), VMI_EXIT_OK);
	data[4096 + 5] ^= 0xff;
	static uint8_t back[sizeof(data) + 1];
	FILE *f = fopen(out, "rb");
	assert_non_null(f);
	assert_int_equal(fread(back, 1, sizeof(back), f), sizeof(data));
	fclose(f);
	assert_memory_equal(back, data, sizeof(data));
	assert_int_equal(vmi_count_entries(vmi_tmpdir), 2); /* src and patched, no temporary */

	/* Discarded after patching: the target is untouched, no temporary. */
	assert_int_equal(vmi_outfile_create(&of, out, &d), VMI_EXIT_OK);
	assert_int_equal(vmi_outfile_copy(&of, fd, sizeof(data), &d), VMI_EXIT_OK);
	assert_int_equal(vmi_outfile_map(&of, sizeof(data), &buf, &d), VMI_EXIT_OK);
	buf[0] ^= 0xff;
	vmi_outfile_discard(&of);
	assert_int_equal(vmi_count_entries(vmi_tmpdir), 2);
	f = fopen(out, "rb");
	assert_int_equal(fread(back, 1, sizeof(back), f), sizeof(data));
	fclose(f);
	assert_memory_equal(back, data, sizeof(data));
	close(fd);
	unlink(src);
	unlink(out);
}

/* A page of the mapping the filesystem cannot back (here: the file was
 * truncated under it) raises SIGBUS: the guard removes the temporary file
 * and exits 3 with one line, instead of dying and leaving it behind. */
static void test_outfile_sigbus_guard(void **state)
{
	(void)state;
	const char *src = vmi_path("src.bin"), *out = vmi_path("never.bin");
	static uint8_t data[2 * 4096];
	vmi_write_file(src, data, sizeof(data));
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		vmi_diag d = { 0 };
		vmi_outfile of;
		uint8_t *buf = NULL;
		int fd = open(src, O_RDONLY);
		if (fd < 0 || vmi_outfile_create(&of, out, &d) || vmi_outfile_copy(&of, fd, sizeof(data), &d) ||
		    vmi_outfile_map(&of, sizeof(data), &buf, &d))
			_exit(10);
		if (ftruncate(of.fd, 0) != 0)
			_exit(11);
		int errfd = open(vmi_path("sigbus.err"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(errfd, STDERR_FILENO);
		buf[4096] = 1; /* SIGBUS */
		_exit(12);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), VMI_EXIT_IO);
	/* One line naming the program and the file. */
	char msg[512] = { 0 };
	FILE *f = fopen(vmi_path("sigbus.err"), "r");
	assert_non_null(f);
	assert_non_null(fgets(msg, sizeof(msg), f));
	assert_null(fgets(msg + strlen(msg), (int)(sizeof(msg) - strlen(msg)), f));
	fclose(f);
	unlink(vmi_path("sigbus.err"));
	assert_non_null(strstr(msg, "never.bin: the filesystem could not keep a patched page"));
	assert_true(strncmp(msg, "test_common: ", 13) == 0);
	assert_int_equal(vmi_count_entries(vmi_tmpdir), 1); /* only src: no temporary, no output */
	unlink(src);
}

static void test_atomic_write_failures(void **state)
{
	(void)state;
	vmi_diag d = { 0 };
	const char *p = vmi_path("missing-dir/out.bin");
	assert_int_equal(vmi_atomic_write(p, "x", 1, 0644, &d), VMI_EXIT_IO);
	assert_non_null(strstr(d.msg, "temporary file"));
	assert_string_equal(d.file, p);

	const char *file = vmi_path("plain");
	vmi_write_file(file, "x", 1);
	char under[600];
	snprintf(under, sizeof(under), "%s/out.bin", file);
	assert_int_equal(vmi_atomic_write(under, "x", 1, 0644, &d), VMI_EXIT_IO);

	char dir[600];
	snprintf(dir, sizeof(dir), "%s/", vmi_tmpdir);
	assert_int_equal(vmi_atomic_write(dir, "x", 1, 0644, &d), VMI_EXIT_IO);
	assert_int_equal(vmi_count_entries(vmi_tmpdir), 1); /* just "plain" */
	unlink(file);
}

/* The writer's targets: a symbolic link is written through (the link
 * stays), a FIFO and a character device are refused and left as they
 * were, and a NAME_MAX-byte name works (the temporary name is short). */
static void test_atomic_write_targets(void **state)
{
	(void)state;
	vmi_diag d = { 0 };
	const char *real = vmi_path("real.bin");
	char link[600], fifo[600], lname[600], longname[256];
	int n0 = vmi_count_entries(vmi_tmpdir);
	snprintf(link, sizeof(link), "%s", vmi_path("link.bin"));
	vmi_write_file(real, "old", 3);
	assert_int_equal(symlink("real.bin", link), 0);
	assert_int_equal(vmi_atomic_write(link, "new!", 4, 0644, &d), VMI_EXIT_OK);
	struct stat st;
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(stat(real, &st), 0);
	assert_int_equal(st.st_size, 4);

	snprintf(fifo, sizeof(fifo), "%s", vmi_path("fifo"));
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(vmi_atomic_write(fifo, "x", 1, 0644, &d), VMI_EXIT_IO);
	assert_non_null(strstr(d.msg, "is a FIFO"));
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(vmi_outfile_check("/dev/null", &d), VMI_EXIT_IO);
	assert_non_null(strstr(d.msg, "is a character device"));

	memset(longname, 'n', 255);
	longname[255] = 0;
	snprintf(lname, sizeof(lname), "%s/%s", vmi_tmpdir, longname);
	assert_int_equal(vmi_atomic_write(lname, "x", 1, 0644, &d), VMI_EXIT_OK);
	assert_int_equal(vmi_count_entries(vmi_tmpdir), n0 + 4); /* real, link, fifo, the long name: no temporary */
	unlink(lname);
	unlink(fifo);
	unlink(link);
	unlink(real);
}

/* A sparse source keeps its holes: 64 MiB with 4 KiB of data at each end
 * copies into a file that takes about as many blocks, with the same bytes. */
static void test_outfile_copy_sparse(void **state)
{
	(void)state;
	const char *src = vmi_path("sparse.src"), *out = vmi_path("sparse.out");
	const size_t len = 64u << 20;
	static uint8_t page[4096];
	memset(page, 0xa5, sizeof(page));
	int fd = open(src, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, page, sizeof(page), 0), sizeof(page));
	assert_int_equal(pwrite(fd, page, sizeof(page), (off_t)(len - sizeof(page))), sizeof(page));
	struct stat sst, ost;
	assert_int_equal(fstat(fd, &sst), 0);
	vmi_diag d = { 0 };
	vmi_outfile of;
	assert_int_equal(vmi_outfile_create(&of, out, &d), VMI_EXIT_OK);
	assert_int_equal(vmi_outfile_copy(&of, fd, len, &d), VMI_EXIT_OK);
	assert_int_equal(vmi_outfile_commit(&of, 0644, VMI_WRITE_NO_SYNC, &d), VMI_EXIT_OK);
	assert_int_equal(stat(out, &ost), 0);
	assert_int_equal(ost.st_size, len);
	assert_true(ost.st_blocks <= sst.st_blocks + 64);
	uint8_t back[4096];
	int ofd = open(out, O_RDONLY);
	assert_true(ofd >= 0);
	assert_int_equal(pread(ofd, back, sizeof(back), (off_t)(len - sizeof(back))), sizeof(back));
	assert_memory_equal(back, page, sizeof(page));
	assert_int_equal(pread(ofd, back, sizeof(back), (off_t)(len / 2)), sizeof(back));
	for (size_t i = 0; i < sizeof(back); i++)
		assert_int_equal(back[i], 0);
	close(ofd);
	close(fd);
	unlink(src);
	unlink(out);
}

/* SIGTERM while a temporary file exists: it is removed and the process
 * dies of SIGTERM. */
static void test_outfile_sigterm(void **state)
{
	(void)state;
	const char *out = vmi_path("never.bin");
	int n0 = vmi_count_entries(vmi_tmpdir);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		vmi_diag d = { 0 };
		vmi_outfile of;
		if (vmi_outfile_create(&of, out, &d) || vmi_outfile_write(&of, "x", 1, &d))
			_exit(10);
		raise(SIGTERM);
		_exit(11);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	assert_int_equal(vmi_count_entries(vmi_tmpdir), n0); /* no temporary, no output */
}

/* ---- JSON ---- */
static void test_json_writer(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	vmi_json j;
	vmi_json_init(&j, f);
	vmi_json_obj(&j);
	vmi_json_kstr(&j, "s", "q\"b\\n\n\x01");
	vmi_json_ku64(&j, "n", 18446744073709551615ull);
	vmi_json_khex(&j, "h", 0xffffffff81000000ull);
	vmi_json_key(&j, "a");
	vmi_json_arr(&j);
	vmi_json_u64(&j, 1);
	vmi_json_obj(&j);
	vmi_json_obj_end(&j);
	vmi_json_arr(&j);
	vmi_json_arr_end(&j);
	vmi_json_arr_end(&j);
	vmi_json_kstr(&j, "z", NULL);
	vmi_json_kbool(&j, "t", true);
	vmi_json_obj_end(&j);
	vmi_json_end(&j);
	fclose(f);
	/* RFC 8259: quote and backslash escaped, control characters as \u00XX;
	 * commas only between members; 64-bit addresses as strings. */
	assert_string_equal(text, "{\"s\":\"q\\\"b\\\\n\\u000a\\u0001\",\"n\":18446744073709551615,"
				  "\"h\":\"0xffffffff81000000\",\"a\":[1,{},[]],\"z\":null,\"t\":true}\n");
	free(text);
}

/* ---- diag ---- */
static void test_diag_one_line(void **state)
{
	(void)state;
	vmi_diag d = { 0 };
	assert_int_equal(vmi_diag_set(&d, VMI_EXIT_INPUT, "f.elf", "bad\nname %d\r", 7), VMI_EXIT_INPUT);
	assert_string_equal(d.msg, "bad name 7 ");
	assert_int_equal(d.code, VMI_EXIT_INPUT);
}

/* ---- symbols ---- */
static void test_symtab_find(void **state)
{
	(void)state;
	vmi_symbol syms[] = {
		{ 0x1000, 0x10, "f" },   { 0x1010, 0, "label" }, { 0x2000, 0x20, "g" },
		{ 0x3000, 8, "real" },   { 0x3000, 0, "alias" },
	};
	vmi_symtab t = { syms, 5, NULL };
	uint64_t off = 99;
	char b[64];

	assert_string_equal(vmi_symtab_find(&t, 0x1005, &off)->name, "f");
	assert_int_equal(off, 5);
	assert_string_equal(vmi_symtab_find(&t, 0x1010, &off)->name, "label");
	assert_int_equal(off, 0);
	assert_string_equal(vmi_symtab_find(&t, 0x1500, &off)->name, "label"); /* unsized: up to the next */
	assert_null(vmi_symtab_find(&t, 0xfff, &off));
	assert_null(vmi_symtab_find(&t, 0x2020, &off)); /* past g's size */
	assert_string_equal(vmi_symtab_find(&t, 0x3004, &off)->name, "real");
	/* Past "real": the unsized alias at the same address reaches up to the next symbol. */
	assert_string_equal(vmi_symtab_find(&t, 0x3008, &off)->name, "alias");
	assert_int_equal(off, 8);
	assert_string_equal(vmi_symtab_format(&t, 0x2001, b, sizeof(b)), "g+0x1");
	assert_string_equal(vmi_symtab_format(&t, 0x2000, b, sizeof(b)), "g");
	assert_string_equal(vmi_symtab_format(&t, 0x10, b, sizeof(b)), "?");
}

/* ---- image and ROM loading ---- */
static void test_image_bad_files(void **state)
{
	(void)state;
	vmi_image img;
	vmi_diag d = { 0 };
	const char *p = vmi_path("img");

	vmi_write_file(p, "", 0);
	assert_int_equal(vmi_image_load(&img, p, 0, &d), VMI_EXIT_INPUT);
	assert_string_equal(d.msg, "not an ELF file");

	uint8_t h[64] = { 0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB, EV_CURRENT };
	vmi_write_file(p, h, 20);
	assert_int_equal(vmi_image_load(&img, p, 0, &d), VMI_EXIT_INPUT);
	assert_non_null(strstr(d.msg, "truncated"));

	/* A complete ELF64 header for AArch64, no sections: wrong machine. */
	Elf64_Ehdr eh;
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, h, EI_NIDENT);
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_AARCH64;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	vmi_write_file(p, &eh, sizeof(eh));
	assert_int_equal(vmi_image_load(&img, p, 0, &d), VMI_EXIT_INPUT);
	assert_non_null(strstr(d.msg, "machine 183"));

	/* x86-64, but the section table lies past the end of the file. */
	eh.e_machine = EM_X86_64;
	eh.e_shoff = 0x10000;
	eh.e_shnum = 3;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	vmi_write_file(p, &eh, sizeof(eh));
	assert_int_equal(vmi_image_load(&img, p, 0, &d), VMI_EXIT_INPUT);
	assert_non_null(strstr(d.msg, "past the end of the file"));

	assert_int_equal(vmi_image_load(&img, vmi_path("none"), 0, &d), VMI_EXIT_IO);
	assert_int_equal(vmi_image_load(&img, vmi_tmpdir, 0, &d), VMI_EXIT_IO); /* a directory */
	unlink(p);
}

static void test_image_guest(void **state)
{
	(void)state;
	const char *g = getenv("VMI_TEST_GUEST_X86_64");
	vmi_image img;
	vmi_guestinfo gi;
	vmi_diag d = { 0 };

	if (!g)
		skip();
	assert_int_equal(vmi_image_load(&img, g, VMI_ARCH_X86_64, &d), VMI_EXIT_OK);
	assert_int_equal(img.arch, VMI_ARCH_X86_64);
	assert_true(img.nloads >= 2);
	for (size_t i = 1; i < img.nloads; i++)
		assert_true(img.loads[i - 1].vaddr < img.loads[i].vaddr);
	const vmi_image_section *s = vmi_image_section_by_name(&img, "vmi_sites");
	assert_non_null(s);
	assert_int_equal(vmi_guestinfo_load(&img, &gi, &d), VMI_EXIT_OK);
	assert_int_equal(gi.ann.count, s->size / 16);
	assert_non_null(gi.slots);
	/* The descriptor starts 16 bytes into the note: 12-byte header + "VMI\0". */
	assert_int_equal(gi.desc_off, vmi_image_section_by_name(&img, ".note.vmi")->offset + 16);
	assert_int_equal(gi.desc_len, 28);
	vmi_image_free(&img);
	assert_int_equal(vmi_image_load(&img, g, VMI_ARCH_I386, &d), VMI_EXIT_INPUT); /* wrong class */
}

static void test_romfile_errors(void **state)
{
	(void)state;
	vmi_romfile rf;
	vmi_diag d = { 0 };
	const char *p = vmi_path("rom");
	uint8_t junk[1024];

	assert_int_equal(vmi_romfile_load(&rf, vmi_path("none.rom"), &d), VMI_EXIT_IO);
	vmi_romfile_free(&rf);
	memset(junk, 0x55, sizeof(junk));
	vmi_write_file(p, junk, sizeof(junk));
	assert_int_equal(vmi_romfile_load(&rf, p, &d), VMI_EXIT_INPUT);
	assert_non_null(strstr(d.msg, "VMI_E_ROM_SIGNATURE"));
	vmi_romfile_free(&rf);
	unlink(p);
}

/* Which stubs may be inlined: real encodings, decoded by Zydis. */
static void test_stub_check(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		uint8_t arch;
		uint8_t bytes[8];
		uint8_t len;
		bool ok;
		const char *why; /* a part of the reason when refused */
	} cases[] = {
		{ "cli", VMI_ARCH_X86_64, { 0xfa }, 1, true, NULL },
		{ "mov %cr3,%rax; mov %rax,%cr3", VMI_ARCH_X86_64, { 0x0f, 0x20, 0xd8, 0x0f, 0x22, 0xd8 }, 6, true, NULL },
		{ "test; jz to the end", VMI_ARCH_X86_64, { 0x85, 0xc0, 0x74, 0x01, 0xfa }, 5, true, NULL },
		{ "jmp back to the start", VMI_ARCH_I386, { 0xf3, 0x90, 0xeb, 0xfc }, 4, true, NULL },
		{ "ret", VMI_ARCH_X86_64, { 0xfa, 0xc3 }, 2, false, "ret at byte 1" },
		{ "call rel32", VMI_ARCH_I386, { 0xe8, 0, 0, 0, 0 }, 5, false, "call at byte 0" },
		{ "int3", VMI_ARCH_X86_64, { 0xcc }, 1, false, "int3 at byte 0" },
		{ "syscall", VMI_ARCH_X86_64, { 0x0f, 0x05 }, 2, false, "syscall at byte 0" },
		{ "jmp past the end", VMI_ARCH_X86_64, { 0xeb, 0x02, 0x90 }, 3, false, "jumps out" },
		{ "jz before the start", VMI_ARCH_I386, { 0x74, 0xf0 }, 2, false, "jumps out" },
		{ "jmp *%rax", VMI_ARCH_X86_64, { 0xff, 0xe0 }, 2, false, "indirect or far" },
		{ "undefined opcode", VMI_ARCH_X86_64, { 0x0f, 0x04 }, 2, false, "byte 0 of 2" },
		{ "cut instruction", VMI_ARCH_X86_64, { 0xfa, 0x0f, 0x20 }, 3, false, "byte 1 of 3" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ZydisDecoder dec;
		char why[128] = "";
		assert_true(vmi_zydis_init(&dec, cases[i].arch));
		bool ok = vmi_stub_check(&dec, cases[i].bytes, cases[i].len, why, sizeof(why));
		if (ok != cases[i].ok)
			fail_msg("%s: %s (%s)", cases[i].what, ok ? "accepted" : "refused", why);
		if (!ok && !strstr(why, cases[i].why))
			fail_msg("%s: reason '%s' lacks '%s'", cases[i].what, why, cases[i].why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_segmap_offset),
		cmocka_unit_test(test_atomic_write_replaces),
		cmocka_unit_test(test_atomic_write_failures),
		cmocka_unit_test(test_outfile_copy_map_commit),
		cmocka_unit_test(test_outfile_sigbus_guard),
		cmocka_unit_test(test_atomic_write_targets),
		cmocka_unit_test(test_outfile_copy_sparse),
		cmocka_unit_test(test_outfile_sigterm),
		cmocka_unit_test(test_json_writer),
		cmocka_unit_test(test_diag_one_line),
		cmocka_unit_test(test_symtab_find),
		cmocka_unit_test(test_image_bad_files),
		cmocka_unit_test(test_image_guest),
		cmocka_unit_test(test_romfile_errors),
		cmocka_unit_test(test_stub_check),
	};
	return cmocka_run_group_tests(tests, vmi_setup_dir, vmi_teardown_dir);
}
