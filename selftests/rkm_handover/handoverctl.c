// SPDX-License-Identifier: GPL-2.0
/*
 * handoverctl: the rkm_handover store from the shell, for the kexec tests
 * and the demo.
 *
 *   handoverctl status             generation, records, bytes, flags, restore
 *                                  (boot cold|kho, and restore none on a cold
 *                                  boot, restored or missing on a KHO boot
 *                                  with or without this module's state)
 *   handoverctl put KEY VALUE      store a value
 *   handoverctl get KEY            print a value, or "blob LEN"
 *   handoverctl del KEY            delete a record
 *   handoverctl list               "KEY value LEN" / "KEY blob LEN" lines
 *   handoverctl attach KEY FILE    store FILE's bytes as a blob
 *   handoverctl read KEY           write a blob to stdout
 *   handoverctl prepare            hand the state over now
 *
 * Exits 1 with the error on stderr when an ioctl fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rkm_handover.h"

static const char *const restore_names[] = {
	"none", "volatile", "restored", "refused", "corrupt", "taken", "failed",
};

static int fd;

static void fail(const char *what)
{
	fprintf(stderr, "handoverctl: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void set_key(struct rkm_handover_key *key, const char *name)
{
	size_t len = strlen(name);

	if (len > RKM_HANDOVER_KEY_MAX)
		len = RKM_HANDOVER_KEY_MAX + 1;	/* let the kernel refuse it */
	memset(key, 0, sizeof(*key));
	key->len = len;
	memcpy(key->bytes, name, len > RKM_HANDOVER_KEY_MAX ? RKM_HANDOVER_KEY_MAX : len);
}

/* The restore word, as the status file's restore line starts. */
static const char *restore_name(const struct rkm_handover_status *st)
{
	if (st->restore == RKM_HANDOVER_RESTORE_NONE && (st->flags & RKM_HANDOVER_KHO_BOOT))
		return "missing";
	if (st->restore < sizeof(restore_names) / sizeof(*restore_names))
		return restore_names[st->restore];
	return "?";
}

static int status(void)
{
	struct rkm_handover_status st;

	if (ioctl(fd, RKM_HANDOVER_IOC_STATUS, &st))
		fail("STATUS");
	printf("generation %llu records %u blobs %u value_bytes %llu blob_bytes %llu "
	       "kho %s boot %s prepared %s restore %s reclaimed %llu\n",
	       (unsigned long long)st.generation, st.records, st.blobs,
	       (unsigned long long)st.value_bytes, (unsigned long long)st.blob_bytes,
	       st.flags & RKM_HANDOVER_KHO_ENABLED ? "on" : "off",
	       st.flags & RKM_HANDOVER_KHO_BOOT ? "kho" : "cold",
	       st.flags & RKM_HANDOVER_PUBLISHED ? "yes" : "no", restore_name(&st),
	       (unsigned long long)st.reclaimed);
	return 0;
}

static int put(const char *key, const char *value)
{
	struct rkm_handover_record rec = { 0 };
	size_t len = strlen(value);

	set_key(&rec.key, key);
	rec.value_len = len;
	memcpy(rec.value, value, len > RKM_HANDOVER_VALUE_MAX ? RKM_HANDOVER_VALUE_MAX : len);
	if (ioctl(fd, RKM_HANDOVER_IOC_PUT, &rec))
		fail("PUT");
	return 0;
}

static int get(const char *key)
{
	struct rkm_handover_record rec = { 0 };

	set_key(&rec.key, key);
	if (ioctl(fd, RKM_HANDOVER_IOC_GET, &rec))
		fail("GET");
	if (rec.kind == RKM_HANDOVER_BLOB)
		printf("blob %llu\n", (unsigned long long)rec.blob_len);
	else
		printf("%.*s\n", (int)rec.value_len, rec.value);
	return 0;
}

static int del(const char *key)
{
	struct rkm_handover_key k;

	set_key(&k, key);
	if (ioctl(fd, RKM_HANDOVER_IOC_DELETE, &k))
		fail("DELETE");
	return 0;
}

static int list(void)
{
	static struct rkm_handover_entry entries[RKM_HANDOVER_RECORDS_MAX];
	struct rkm_handover_list req = {
		.entries = (unsigned long)entries,
		.capacity = RKM_HANDOVER_RECORDS_MAX,
	};
	int n = ioctl(fd, RKM_HANDOVER_IOC_LIST, &req);

	if (n < 0)
		fail("LIST");
	for (int i = 0; i < n; i++) {
		struct rkm_handover_entry *e = &entries[i];

		printf("%.*s %s %llu\n", (int)e->key.len, e->key.bytes,
		       e->kind == RKM_HANDOVER_BLOB ? "blob" : "value",
		       (unsigned long long)(e->kind == RKM_HANDOVER_BLOB ? e->blob_len :
									  e->value_len));
	}
	return 0;
}

static int attach(const char *key, const char *path)
{
	struct rkm_handover_blob blob = { 0 };
	struct stat st;
	void *data;
	int file = open(path, O_RDONLY);

	if (file < 0 || fstat(file, &st))
		fail(path);
	data = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, file, 0);
	if (data == MAP_FAILED)
		fail("mmap");
	set_key(&blob.key, key);
	blob.data = (unsigned long)data;
	blob.len = st.st_size;
	if (ioctl(fd, RKM_HANDOVER_IOC_ATTACH_BLOB, &blob))
		fail("ATTACH_BLOB");
	munmap(data, st.st_size);
	close(file);
	return 0;
}

static int read_blob(const char *key)
{
	static char buf[1 << 20];
	struct rkm_handover_blob blob = { 0 };
	unsigned long long offset = 0;
	int n;

	set_key(&blob.key, key);
	blob.data = (unsigned long)buf;
	blob.len = sizeof(buf);
	do {
		blob.offset = offset;
		n = ioctl(fd, RKM_HANDOVER_IOC_READ_BLOB, &blob);
		if (n < 0)
			fail("READ_BLOB");
		if (fwrite(buf, 1, n, stdout) != (size_t)n)
			fail("stdout");
		offset += n;
	} while (n > 0);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	fd = open("/dev/rkm_handover", O_RDWR);
	if (fd < 0)
		fail("/dev/rkm_handover");
	if (!strcmp(cmd, "status") && argc == 2)
		return status();
	if (!strcmp(cmd, "put") && argc == 4)
		return put(argv[2], argv[3]);
	if (!strcmp(cmd, "get") && argc == 3)
		return get(argv[2]);
	if (!strcmp(cmd, "del") && argc == 3)
		return del(argv[2]);
	if (!strcmp(cmd, "list") && argc == 2)
		return list();
	if (!strcmp(cmd, "attach") && argc == 4)
		return attach(argv[2], argv[3]);
	if (!strcmp(cmd, "read") && argc == 3)
		return read_blob(argv[2]);
	if (!strcmp(cmd, "prepare") && argc == 2) {
		if (ioctl(fd, RKM_HANDOVER_IOC_PREPARE))
			fail("PREPARE");
		return 0;
	}
	fprintf(stderr, "usage: handoverctl status|put KEY VALUE|get KEY|del KEY|list|"
			"attach KEY FILE|read KEY|prepare\n");
	return 2;
}
