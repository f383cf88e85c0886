/* SPDX-License-Identifier: MIT */
/*
 * init.c - the Linux guest's /init (static): a small workload that runs
 * the kernel's paravirt sites the way a real system does, then reports
 * what the kernel's VMI layer says and powers the machine off.
 *
 *   fork + exec + wait      process creation, CR3 switches, TLB flushes
 *   mmap / touch / munmap   page faults (CR2 reads), PTE writes, invlpg
 *   two workers at once     both CPUs patching-sensitive paths together
 *   nanosleep               timer interrupts, halt in the idle loop
 *
 * Every step checks its result; the last lines are the contents of
 * /proc/vmi (each prefixed "vmi-proc: ") and "VMI-INIT: DONE" or
 * "VMI-INIT: FAIL <step>". The exit goes through QEMU's isa-debug-exit
 * port (0x10 -> status 33 = done, 1 -> 3 = failed).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define EXIT_PORT 0xf4

static void finish(int ok, const char *step)
{
	if (ok)
		printf("VMI-INIT: DONE\n");
	else
		printf("VMI-INIT: FAIL %s (%s)\n", step, strerror(errno));
	fflush(stdout);
	/* The console is a UART: leaving QEMU now would drop what the tty
	 * still holds, this line included. */
	tcdrain(STDOUT_FILENO);
	if (ioperm(EXIT_PORT, 4, 1) == 0)
		outl(ok ? 0x10 : 0x01, EXIT_PORT);
	reboot(RB_POWER_OFF); /* no debug-exit device: stop the machine anyway */
	for (;;)
		pause();
}

/* Fork, exec ourselves as "child N", and check the exit status. */
static int spawn_children(int n)
{
	for (int i = 0; i < n; i++) {
		char arg[16];
		int status;
		snprintf(arg, sizeof(arg), "%d", i & 63);
		pid_t pid = fork();
		if (pid < 0)
			return 0;
		if (pid == 0) {
			execl("/init", "/init", "child", arg, (char *)NULL);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != (i & 63))
			return 0;
	}
	return 1;
}

/* Map, fault every page in, check, unmap: PTE writes and TLB work. */
static int touch_memory(int rounds, size_t len)
{
	for (int r = 0; r < rounds; r++) {
		unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 0;
		for (size_t off = 0; off < len; off += 4096)
			p[off] = (unsigned char)(r + off / 4096);
		for (size_t off = 0; off < len; off += 4096)
			if (p[off] != (unsigned char)(r + off / 4096))
				return 0;
		if (mprotect(p, len, PROT_READ) || munmap(p, len))
			return 0;
	}
	return 1;
}

/* Two processes that fault, fork and sleep at the same time (on both CPUs). */
static int parallel_workers(void)
{
	pid_t pids[2];
	for (int w = 0; w < 2; w++) {
		pids[w] = fork();
		if (pids[w] < 0)
			return 0;
		if (pids[w] == 0)
			_exit(touch_memory(40, 1 << 20) && spawn_children(10) ? 0 : 1);
	}
	int ok = 1;
	for (int w = 0; w < 2; w++) {
		int status;
		if (waitpid(pids[w], &status, 0) != pids[w] || !WIFEXITED(status) || WEXITSTATUS(status))
			ok = 0;
	}
	return ok;
}

static int sleep_a_while(int times)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	for (int i = 0; i < times; i++)
		if (nanosleep(&ts, NULL))
			return 0;
	return 1;
}

static int show_vmi(void)
{
	FILE *f = fopen("/proc/vmi", "r");
	char line[256];
	if (!f)
		return 0;
	/* Kernel messages go straight to the same UART and would land inside
	 * these lines (run.sh compares them with vmidump's): console off. */
	klogctl(6 /* SYSLOG_ACTION_CONSOLE_OFF */, NULL, 0);
	while (fgets(line, sizeof(line), f))
		printf("vmi-proc: %s", line);
	fclose(f);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "child"))
		return atoi(argv[2]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("VMI-INIT: start\n");
	if (mount("proc", "/proc", "proc", 0, NULL))
		finish(0, "mount /proc");
	if (mount("sysfs", "/sys", "sysfs", 0, NULL))
		finish(0, "mount /sys");
	if (!spawn_children(30))
		finish(0, "fork/exec");
	if (!touch_memory(30, 2 << 20))
		finish(0, "page faults");
	if (!parallel_workers())
		finish(0, "parallel workers");
	if (!sleep_a_while(20))
		finish(0, "nanosleep");
	if (!show_vmi())
		finish(0, "read /proc/vmi");
	finish(1, NULL);
	return 0;
}
