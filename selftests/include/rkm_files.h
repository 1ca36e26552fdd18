/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading and writing the small text files (debugfs, sysfs) that the rkm
 * modules are driven through. One write() per string: the modules parse a
 * whole line per write, so a split write would be two bad lines.
 */
#ifndef RKM_FILES_H
#define RKM_FILES_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Writes @s to @path: 0, or -errno of the open or the write. */
static inline int rkm_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* Reads up to @size - 1 bytes of @path into @buf, NUL-terminated: 0 or -errno. */
static inline int rkm_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

#endif /* RKM_FILES_H */
