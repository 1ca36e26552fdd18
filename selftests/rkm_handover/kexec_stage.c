// SPDX-License-Identifier: GPL-2.0
/*
 * kexec into the next stage of a test that spans kernels:
 *
 *   kexec_stage BZIMAGE STAGE [WORD...]
 *
 * loads BZIMAGE with kexec_file_load() (which carries Kexec HandOver state),
 * with the running kernel's command line plus the WORDs and
 * "rkm_stage=STAGE" (replacing any rkm_stage= word), and reboots into it. The test script, run again by
 * the new kernel's init, reads its stage from /proc/cmdline. Returns only on
 * failure. Debian's kexec-tools falls back to its legacy loader with -s here,
 * hence this helper (as tools/testing/selftests/kho/init.c does).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kexec.h>

/* COMMAND_LINE_SIZE of x86 (arch/x86/include/asm/setup.h). */
#define CMDLINE_MAX 2048

/*
 * Copies the words of `in` but rkm_stage=... into `out`, then the `extra`
 * words, then the stage.
 */
static int next_cmdline(const char *in, char **extra, const char *stage, char *out,
			size_t size)
{
	char words[CMDLINE_MAX];
	size_t len = 0;
	char *word, *save;

	snprintf(words, sizeof(words), "%s", in);
	out[0] = 0;
	for (word = strtok_r(words, " \n", &save); word; word = strtok_r(NULL, " \n", &save)) {
		if (!strncmp(word, "rkm_stage=", 10))
			continue;
		len += snprintf(out + len, size > len ? size - len : 0, "%s ", word);
	}
	for (; *extra; extra++)
		len += snprintf(out + len, size > len ? size - len : 0, "%s ", *extra);
	len += snprintf(out + len, size > len ? size - len : 0, "rkm_stage=%s", stage);
	return len < size ? 0 : -1;
}

int main(int argc, char **argv)
{
	char current[CMDLINE_MAX] = "", cmdline[CMDLINE_MAX];
	ssize_t got;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: %s BZIMAGE STAGE [WORD...]\n", argv[0]);
		return 2;
	}
	fd = open("/proc/cmdline", O_RDONLY);
	if (fd < 0 || (got = read(fd, current, sizeof(current) - 1)) < 0) {
		perror("/proc/cmdline");
		return 1;
	}
	close(fd);
	current[got] = 0;
	if (next_cmdline(current, argv + 3, argv[2], cmdline, sizeof(cmdline))) {
		fprintf(stderr, "command line too long\n");
		return 1;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	if (syscall(__NR_kexec_file_load, fd, -1, strlen(cmdline) + 1, cmdline,
		    KEXEC_FILE_NO_INITRAMFS)) {
		perror("kexec_file_load");
		return 1;
	}
	close(fd);
	printf("kexec into stage %s\n", argv[2]);
	fflush(stdout);
	sync();
	reboot(RB_KEXEC);
	perror("reboot(RB_KEXEC)");
	return 1;
}
