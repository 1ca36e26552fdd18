// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl ABI of /dev/rkm_handover (uapi/rkm_handover.h): records, blobs,
 * listing, status and prepare, and every kind of bad input, which must fail
 * with its errno and leave the store (and the kernel log) clean.
 *
 * The store is shared with the other tests of the boot, so each test uses
 * keys of its own and deletes them; the fixture's teardown deletes whatever a
 * test left behind (even when it failed) and fails a test that left anything.
 * Without rkm_handover loaded the tests skip; loaded without its device, they
 * fail.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rkm_handover.h"
#include "rkm_module.h"

#define DEVICE "/dev/rkm_handover"

static void set_key(struct rkm_handover_key *key, const char *name)
{
	memset(key, 0, sizeof(*key));
	key->len = strlen(name);
	memcpy(key->bytes, name, key->len);
}

/* ioctl() as 0 or -errno. */
static int call(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

static int put(int fd, const char *key, const char *value)
{
	struct rkm_handover_record rec = { 0 };

	set_key(&rec.key, key);
	rec.value_len = strlen(value);
	memcpy(rec.value, value, rec.value_len);
	return call(fd, RKM_HANDOVER_IOC_PUT, &rec);
}

static int del(int fd, const char *key)
{
	struct rkm_handover_key k;

	set_key(&k, key);
	return call(fd, RKM_HANDOVER_IOC_DELETE, &k);
}

static int get(int fd, const char *key, struct rkm_handover_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	set_key(&rec->key, key);
	return call(fd, RKM_HANDOVER_IOC_GET, rec);
}

static int attach(int fd, const char *key, const void *data, unsigned long long len)
{
	struct rkm_handover_blob blob = { 0 };

	set_key(&blob.key, key);
	blob.data = (unsigned long)data;
	blob.len = len;
	return call(fd, RKM_HANDOVER_IOC_ATTACH_BLOB, &blob);
}

static int read_blob(int fd, const char *key, void *data, unsigned long long offset,
		     unsigned long long len)
{
	struct rkm_handover_blob blob = { 0 };

	set_key(&blob.key, key);
	blob.data = (unsigned long)data;
	blob.offset = offset;
	blob.len = len;
	return call(fd, RKM_HANDOVER_IOC_READ_BLOB, &blob);
}

/* Every record of the store into entries: the count, or -errno. */
static int list_all(int fd, struct rkm_handover_entry entries[RKM_HANDOVER_RECORDS_MAX])
{
	struct rkm_handover_list list = {
		.entries = (unsigned long)entries,
		.capacity = RKM_HANDOVER_RECORDS_MAX,
	};

	return call(fd, RKM_HANDOVER_IOC_LIST, &list);
}

/* Appends an entry to the list in the string out: "KEY (blob LEN)". */
static void describe(char *out, size_t size, const struct rkm_handover_entry *entry)
{
	size_t at = strlen(out);

	if (at && at + 2 < size)
		at += snprintf(out + at, size - at, ", ");

	/* Keys may hold any bytes. */
	for (unsigned int i = 0; i < entry->key.len && i < RKM_HANDOVER_KEY_MAX; i++) {
		unsigned char c = entry->key.bytes[i];

		if (at + 5 >= size)
			return;
		at += snprintf(out + at, size - at, isprint(c) && c != '\\' ? "%c" : "\\x%02x", c);
	}
	snprintf(out + at, size - at, " (%s %llu)",
		 entry->kind == RKM_HANDOVER_BLOB ? "blob" : "value",
		 (unsigned long long)(entry->kind == RKM_HANDOVER_BLOB ? entry->blob_len :
									   entry->value_len));
}

/* The records of the store, for a message. */
static const char *store_records(int fd, char *out, size_t size)
{
	static struct rkm_handover_entry entries[RKM_HANDOVER_RECORDS_MAX];
	int n = list_all(fd, entries);

	out[0] = 0;
	if (n < 0)
		snprintf(out, size, "LIST failed: %s", strerror(-n));
	for (int i = 0; i < n; i++)
		describe(out, size, &entries[i]);
	return out;
}

static struct rkm_handover_status status(int fd)
{
	struct rkm_handover_status st = { 0 };

	if (call(fd, RKM_HANDOVER_IOC_STATUS, &st))
		st.generation = 0;
	return st;
}

static unsigned char pattern(unsigned long long at)
{
	return (at * 13) ^ (at >> 11);
}

static int kho_on_cmdline(void)
{
	char cmdline[4096] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(cmdline, sizeof(cmdline), f))
			cmdline[0] = 0;
		fclose(f);
	}
	return strstr(cmdline, "kho=on") != NULL;
}

FIXTURE(store) {
	int fd;
	/* The records the store held before the test: teardown keeps these. */
	int kept;
	struct rkm_handover_entry before[RKM_HANDOVER_RECORDS_MAX];
};

FIXTURE_SETUP(store)
{
	int err;

	self->fd = open(DEVICE, O_RDWR);
	err = errno;
	if (self->fd < 0 && !rkm_module_loaded("rkm_handover"))
		SKIP(return, "rkm_handover is not loaded");
	ASSERT_LE(0, self->fd) TH_LOG("rkm_handover is loaded, but open %s: %s", DEVICE,
				       strerror(err));
	self->kept = list_all(self->fd, self->before);
	ASSERT_LE(0, self->kept) TH_LOG("LIST: %s", strerror(-self->kept));
}

static int was_there(const FIXTURE_DATA(store) *self, const struct rkm_handover_key *key)
{
	for (int i = 0; i < self->kept; i++)
		if (self->before[i].key.len == key->len &&
		    !memcmp(self->before[i].key.bytes, key->bytes, key->len))
			return 1;
	return 0;
}

/*
 * In the parent, so that it also runs when the test process died: deletes
 * every record the test added, and fails the test if there was any. No
 * ASSERT and no EXPECT ... TH_LOG here: after an ASSERT failed in the test
 * process, the harness's shared state would run the TH_LOG of the next
 * check (and abort on an ASSERT) whatever its outcome.
 */
FIXTURE_TEARDOWN_PARENT(store)
{
	static struct rkm_handover_entry now[RKM_HANDOVER_RECORDS_MAX];
	char left[1024] = "";
	int fd = open(DEVICE, O_RDWR), n, added = 0;

	if (fd < 0)
		TH_LOG("teardown: open %s: %s", DEVICE, strerror(errno));
	EXPECT_LE(0, fd);
	if (fd < 0)
		return;
	n = list_all(fd, now);
	if (n < 0)
		TH_LOG("teardown: LIST: %s", strerror(-n));
	EXPECT_LE(0, n);
	for (int i = 0; i < n; i++) {
		if (was_there(self, &now[i].key))
			continue;
		describe(left, sizeof(left), &now[i]);
		EXPECT_EQ(0, call(fd, RKM_HANDOVER_IOC_DELETE, &now[i].key));
		added++;
	}
	close(fd);
	if (added)
		TH_LOG("the test left %d records behind, deleted now: %s", added, left);
	EXPECT_EQ(0, added);
}

TEST_F(store, put_get_replace_delete)
{
	struct rkm_handover_record rec;
	struct rkm_handover_status before = status(self->fd), after;

	ASSERT_EQ(0, put(self->fd, "t.pgd", "first"));
	ASSERT_EQ(0, get(self->fd, "t.pgd", &rec));
	EXPECT_EQ(RKM_HANDOVER_VALUE, rec.kind);
	EXPECT_EQ(5, rec.value_len);
	EXPECT_EQ(0, memcmp(rec.value, "first", 5));
	ASSERT_EQ(0, put(self->fd, "t.pgd", "second value"));
	ASSERT_EQ(0, get(self->fd, "t.pgd", &rec));
	EXPECT_EQ(12, rec.value_len);
	EXPECT_EQ(0, memcmp(rec.value, "second value", 12));
	after = status(self->fd);
	EXPECT_EQ(before.records + 1, after.records);
	EXPECT_EQ(before.value_bytes + 12, after.value_bytes);
	ASSERT_EQ(0, del(self->fd, "t.pgd"));
	EXPECT_EQ(-ENOENT, get(self->fd, "t.pgd", &rec));
	EXPECT_EQ(-ENOENT, del(self->fd, "t.pgd"));
	EXPECT_EQ(before.records, status(self->fd).records);
}

TEST_F(store, empty_and_full_size_values)
{
	struct rkm_handover_record rec = { 0 };

	set_key(&rec.key, "t.sizes");
	ASSERT_EQ(0, call(self->fd, RKM_HANDOVER_IOC_PUT, &rec));
	ASSERT_EQ(0, get(self->fd, "t.sizes", &rec));
	EXPECT_EQ(0, rec.value_len);
	memset(rec.value, 0xa5, sizeof(rec.value));
	rec.value_len = RKM_HANDOVER_VALUE_MAX;
	rec.kind = RKM_HANDOVER_VALUE;
	ASSERT_EQ(0, call(self->fd, RKM_HANDOVER_IOC_PUT, &rec));
	ASSERT_EQ(0, get(self->fd, "t.sizes", &rec));
	EXPECT_EQ(RKM_HANDOVER_VALUE_MAX, rec.value_len);
	EXPECT_EQ(0xa5, rec.value[RKM_HANDOVER_VALUE_MAX - 1]);
	/* A 64-byte key of any bytes. */
	memset(&rec, 0, sizeof(rec));
	rec.key.len = RKM_HANDOVER_KEY_MAX;
	memset(rec.key.bytes, 0xff, RKM_HANDOVER_KEY_MAX);
	ASSERT_EQ(0, call(self->fd, RKM_HANDOVER_IOC_PUT, &rec));
	EXPECT_EQ(0, call(self->fd, RKM_HANDOVER_IOC_DELETE, &rec.key));
	EXPECT_EQ(0, del(self->fd, "t.sizes"));
}

TEST_F(store, bad_records_are_refused)
{
	struct rkm_handover_record rec = { 0 };
	struct rkm_handover_status before = status(self->fd);

	set_key(&rec.key, "t.bad");
	rec.key.len = 0;
	EXPECT_EQ(-EINVAL, call(self->fd, RKM_HANDOVER_IOC_PUT, &rec));
	rec.key.len = RKM_HANDOVER_KEY_MAX + 1;
	EXPECT_EQ(-EINVAL, call(self->fd, RKM_HANDOVER_IOC_PUT, &rec));
	rec.key.len = 0xffffffff;
	EXPECT_EQ(-EINVAL, call(self->fd, RKM_HANDOVER_IOC_PUT, &rec));
	set_key(&rec.key, "t.bad");
	rec.key.flags = 1;
	EXPECT_EQ(-EINVAL, call(self->fd, RKM_HANDOVER_IOC_PUT, &rec));
	rec.key.flags = 0;
	rec.value_len = RKM_HANDOVER_VALUE_MAX + 1;
	EXPECT_EQ(-E2BIG, call(self->fd, RKM_HANDOVER_IOC_PUT, &rec));
	rec.value_len = 0xffffffff;
	EXPECT_EQ(-E2BIG, call(self->fd, RKM_HANDOVER_IOC_PUT, &rec));
	rec.value_len = 1;
	rec.kind = RKM_HANDOVER_BLOB;
	EXPECT_EQ(-EINVAL, call(self->fd, RKM_HANDOVER_IOC_PUT, &rec));
	rec.kind = 0;
	rec.blob_len = 1;
	EXPECT_EQ(-EINVAL, call(self->fd, RKM_HANDOVER_IOC_PUT, &rec));
	rec.key.len = 0;
	EXPECT_EQ(-EINVAL, call(self->fd, RKM_HANDOVER_IOC_GET, &rec));
	EXPECT_EQ(-EINVAL, call(self->fd, RKM_HANDOVER_IOC_DELETE, &rec.key));
	EXPECT_EQ(before.records, status(self->fd).records);
}

TEST_F(store, bad_pointers_fault)
{
	struct rkm_handover_list list = { .entries = 1, .capacity = 4 };
	char *unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct rkm_handover_status before = status(self->fd);
	char buf[16];

	ASSERT_NE(MAP_FAILED, unmapped);
	EXPECT_EQ(-EFAULT, call(self->fd, RKM_HANDOVER_IOC_PUT, NULL));
	EXPECT_EQ(-EFAULT, call(self->fd, RKM_HANDOVER_IOC_GET, unmapped));
	EXPECT_EQ(-EFAULT, call(self->fd, RKM_HANDOVER_IOC_DELETE, (void *)1));
	EXPECT_EQ(-EFAULT, call(self->fd, RKM_HANDOVER_IOC_STATUS, unmapped));
	EXPECT_EQ(-EFAULT, call(self->fd, RKM_HANDOVER_IOC_LIST, unmapped));
	/* The list itself is readable, the array it points to is not. */
	ASSERT_EQ(0, put(self->fd, "t.fault", "x"));
	EXPECT_EQ(-EFAULT, call(self->fd, RKM_HANDOVER_IOC_LIST, &list));
	list.entries = (unsigned long)unmapped;
	EXPECT_EQ(-EFAULT, call(self->fd, RKM_HANDOVER_IOC_LIST, &list));
	/* A blob whose bytes cannot be read is not stored. */
	EXPECT_EQ(-EFAULT, attach(self->fd, "t.fault.blob", unmapped, 4096));
	EXPECT_EQ(-EFAULT, attach(self->fd, "t.fault.blob", (void *)8, 1 << 20));
	EXPECT_EQ(before.records + 1, status(self->fd).records);
	ASSERT_EQ(0, attach(self->fd, "t.fault.blob", buf, sizeof(buf)));
	EXPECT_EQ(-EFAULT, read_blob(self->fd, "t.fault.blob", unmapped, 0, sizeof(buf)));
	EXPECT_EQ(0, del(self->fd, "t.fault.blob"));
	EXPECT_EQ(0, del(self->fd, "t.fault"));
	munmap(unmapped, 4096);
}

TEST_F(store, unknown_commands)
{
	int value = 0;

	EXPECT_EQ(-ENOTTY, call(self->fd, _IO(RKM_HANDOVER_IOC_MAGIC, 0x00), NULL));
	EXPECT_EQ(-ENOTTY, call(self->fd, _IO(RKM_HANDOVER_IOC_MAGIC, 0x09), NULL));
	EXPECT_EQ(-ENOTTY, call(self->fd, _IO(RKM_HANDOVER_IOC_MAGIC ^ 1, 0x01), NULL));
	/* The right number with the wrong size or direction. */
	EXPECT_EQ(-ENOTTY, call(self->fd, _IOW(RKM_HANDOVER_IOC_MAGIC, 0x01, int), &value));
	EXPECT_EQ(-ENOTTY, call(self->fd, _IOR(RKM_HANDOVER_IOC_MAGIC, 0x01,
					       struct rkm_handover_record), &value));
	EXPECT_EQ(-ENOTTY, call(self->fd, _IO(RKM_HANDOVER_IOC_MAGIC, 0x07), NULL));
}

TEST_F(store, list_pages_in_key_order)
{
	struct rkm_handover_entry entries[3];
	struct rkm_handover_list list = {
		.entries = (unsigned long)entries,
		.capacity = 3,
	};
	const char *keys[] = { "t.list.c", "t.list.a", "t.list.b" };
	int n, start = -1;

	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, put(self->fd, keys[i], keys[i]));
	/* Find the first of our keys, then list from there. */
	for (unsigned int at = 0; start < 0; at++) {
		list.start = at;
		list.capacity = 1;
		n = call(self->fd, RKM_HANDOVER_IOC_LIST, &list);
		ASSERT_EQ(1, n);
		if (entries[0].key.len == 8 && !memcmp(entries[0].key.bytes, "t.list.a", 8))
			start = at;
	}
	list.start = start;
	list.capacity = 3;
	ASSERT_EQ(3, call(self->fd, RKM_HANDOVER_IOC_LIST, &list));
	EXPECT_EQ(status(self->fd).records, list.total);
	EXPECT_EQ(0, memcmp(entries[0].key.bytes, "t.list.a", 8));
	EXPECT_EQ(0, memcmp(entries[1].key.bytes, "t.list.b", 8));
	EXPECT_EQ(0, memcmp(entries[2].key.bytes, "t.list.c", 8));
	EXPECT_EQ(RKM_HANDOVER_VALUE, entries[1].kind);
	EXPECT_EQ(8, entries[1].value_len);
	/* Past the end: nothing, and the total still. */
	list.start = list.total;
	EXPECT_EQ(0, call(self->fd, RKM_HANDOVER_IOC_LIST, &list));
	list.start = 0xffffffff;
	EXPECT_EQ(0, call(self->fd, RKM_HANDOVER_IOC_LIST, &list));
	list.capacity = 0;
	list.start = 0;
	EXPECT_EQ(0, call(self->fd, RKM_HANDOVER_IOC_LIST, &list));
	list.capacity = RKM_HANDOVER_RECORDS_MAX + 1;
	EXPECT_EQ(-EINVAL, call(self->fd, RKM_HANDOVER_IOC_LIST, &list));
	list.capacity = 1;
	list.reserved = 1;
	EXPECT_EQ(-EINVAL, call(self->fd, RKM_HANDOVER_IOC_LIST, &list));
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(0, del(self->fd, keys[i]));
}

TEST_F(store, blob_round_trip)
{
	const unsigned long long len = (5 << 20) + 3;
	unsigned char *data = malloc(len), *back = malloc(len);
	struct rkm_handover_status before = status(self->fd), after;
	struct rkm_handover_record rec;
	unsigned long long done = 0;
	int n;

	ASSERT_NE(NULL, data);
	ASSERT_NE(NULL, back);
	for (unsigned long long i = 0; i < len; i++)
		data[i] = pattern(i);
	ASSERT_EQ(0, attach(self->fd, "t.blob", data, len));
	ASSERT_EQ(0, get(self->fd, "t.blob", &rec));
	EXPECT_EQ(RKM_HANDOVER_BLOB, rec.kind);
	EXPECT_EQ(len, rec.blob_len);
	EXPECT_EQ(0, rec.value_len);
	after = status(self->fd);
	EXPECT_EQ(before.blobs + 1, after.blobs);
	EXPECT_EQ(before.blob_bytes + len, after.blob_bytes);
	/* Read it back in odd pieces, across folio boundaries. */
	while (done < len) {
		n = read_blob(self->fd, "t.blob", back + done, done, 999999);
		ASSERT_GT(n, 0);
		done += n;
	}
	EXPECT_EQ(len, done);
	EXPECT_EQ(0, memcmp(data, back, len));
	EXPECT_EQ(0, read_blob(self->fd, "t.blob", back, len, 10));
	EXPECT_EQ(0, read_blob(self->fd, "t.blob", back, ~0ULL, 10));
	EXPECT_EQ(3, read_blob(self->fd, "t.blob", back, len - 3, 10));
	EXPECT_EQ(0, read_blob(self->fd, "t.blob", back, 0, 0));
	/* Replacing a blob by a value gives its bytes back. */
	ASSERT_EQ(0, put(self->fd, "t.blob", "small"));
	EXPECT_EQ(before.blob_bytes, status(self->fd).blob_bytes);
	EXPECT_EQ(-EMEDIUMTYPE, read_blob(self->fd, "t.blob", back, 0, 10));
	EXPECT_EQ(0, del(self->fd, "t.blob"));
	EXPECT_EQ(-ENOENT, read_blob(self->fd, "t.blob", back, 0, 10));
	free(data);
	free(back);
}

TEST_F(store, bad_blobs_are_refused)
{
	struct rkm_handover_blob blob = { 0 };
	char byte = 1;

	set_key(&blob.key, "t.badblob");
	blob.data = (unsigned long)&byte;
	blob.len = 0;
	EXPECT_EQ(-EINVAL, call(self->fd, RKM_HANDOVER_IOC_ATTACH_BLOB, &blob));
	blob.len = 1;
	blob.offset = 1;
	EXPECT_EQ(-EINVAL, call(self->fd, RKM_HANDOVER_IOC_ATTACH_BLOB, &blob));
	blob.offset = 0;
	blob.len = RKM_HANDOVER_BLOB_BYTES_MAX + 1;
	EXPECT_EQ(-E2BIG, call(self->fd, RKM_HANDOVER_IOC_ATTACH_BLOB, &blob));
	blob.len = ~0ULL;
	EXPECT_EQ(-E2BIG, call(self->fd, RKM_HANDOVER_IOC_ATTACH_BLOB, &blob));
	blob.key.len = RKM_HANDOVER_KEY_MAX + 1;
	blob.len = 1;
	EXPECT_EQ(-EINVAL, call(self->fd, RKM_HANDOVER_IOC_ATTACH_BLOB, &blob));
	EXPECT_EQ(-EINVAL, call(self->fd, RKM_HANDOVER_IOC_READ_BLOB, &blob));
}

/* The largest blob the store holds, and one byte more than it holds. */
TEST_F(store, blob_bytes_limit)
{
	const size_t max = RKM_HANDOVER_BLOB_BYTES_MAX;
	struct rkm_handover_status before = status(self->fd);
	unsigned char *data;
	char byte = 7, back[4], left[1024];

	/* Only an empty store holds the largest blob. */
	ASSERT_EQ(0, before.records) TH_LOG("the store is not empty: %s",
					    store_records(self->fd, left, sizeof(left)));
	data = mmap(NULL, max, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, data);
	for (size_t i = 0; i < max; i += 4096)
		data[i] = pattern(i);
	data[max - 1] = 0x5a;
	ASSERT_EQ(0, attach(self->fd, "t.max", data, max));
	EXPECT_EQ(-ENOSPC, attach(self->fd, "t.max.more", &byte, 1));
	/* Replacing the full blob is judged on the result. */
	EXPECT_EQ(0, attach(self->fd, "t.max", &byte, 1));
	EXPECT_EQ(0, attach(self->fd, "t.max", data, max));
	EXPECT_EQ(1, read_blob(self->fd, "t.max", back, max - 1, 4));
	EXPECT_EQ(0x5a, (unsigned char)back[0]);
	EXPECT_EQ(0, del(self->fd, "t.max"));
	EXPECT_EQ(0, attach(self->fd, "t.max.more", &byte, 1));
	EXPECT_EQ(0, del(self->fd, "t.max.more"));
	munmap(data, max);
}

TEST_F(store, record_and_blob_count_limits)
{
	struct rkm_handover_status before = status(self->fd);
	char key[32];
	int added = 0, blobs = 0, err;

	/* Values until the store is full. */
	for (;;) {
		snprintf(key, sizeof(key), "t.fill.%05d", added);
		err = put(self->fd, key, "v");
		if (err)
			break;
		added++;
	}
	EXPECT_EQ(-ENOSPC, err);
	EXPECT_EQ(RKM_HANDOVER_RECORDS_MAX, before.records + added);
	EXPECT_EQ(RKM_HANDOVER_RECORDS_MAX, status(self->fd).records);
	/* A full store still replaces. */
	EXPECT_EQ(0, put(self->fd, "t.fill.00000", "replaced"));
	while (added)
		ASSERT_EQ(0, del(self->fd, (snprintf(key, sizeof(key), "t.fill.%05d", --added), key)));

	/* Blobs until there are as many as a handover carries. */
	for (;;) {
		snprintf(key, sizeof(key), "t.blobs.%02d", blobs);
		err = attach(self->fd, key, key, 1);
		if (err)
			break;
		blobs++;
	}
	EXPECT_EQ(-ENOSPC, err);
	EXPECT_EQ(RKM_HANDOVER_BLOBS_MAX, before.blobs + blobs);
	while (blobs)
		ASSERT_EQ(0, del(self->fd, (snprintf(key, sizeof(key), "t.blobs.%02d", --blobs), key)));
	EXPECT_EQ(before.records, status(self->fd).records);
}

struct writer {
	int fd;
	int id;
	int errors;
};

static void *write_loop(void *arg)
{
	struct writer *w = arg;
	char key[32], value[32];
	char blob[4096];

	memset(blob, w->id, sizeof(blob));
	for (int i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "t.race.%d.%d", w->id, i % 10);
		snprintf(value, sizeof(value), "%d", i);
		/* Everybody also fights over one key. */
		if (put(w->fd, key, value) || put(w->fd, "t.race.shared", value))
			w->errors++;
		if (i % 25 == 0 && attach(w->fd, "t.race.blob", blob, sizeof(blob)))
			w->errors++;
		if (i % 10 == 9 && del(w->fd, key))
			w->errors++;
	}
	return NULL;
}

TEST_F(store, concurrent_writers)
{
	struct rkm_handover_status before = status(self->fd);
	struct writer writers[4];
	pthread_t threads[4];
	struct rkm_handover_record rec;
	char key[32];

	for (int i = 0; i < 4; i++) {
		writers[i] = (struct writer){ .fd = self->fd, .id = i };
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, write_loop, &writers[i]));
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(threads[i], NULL);
		EXPECT_EQ(0, writers[i].errors);
	}
	/* Each writer deleted its last key of each ten; nine remain each. */
	EXPECT_EQ(before.records + 4 * 9 + 2, status(self->fd).records);
	EXPECT_EQ(0, get(self->fd, "t.race.shared", &rec));
	EXPECT_EQ(0, del(self->fd, "t.race.shared"));
	EXPECT_EQ(0, del(self->fd, "t.race.blob"));
	for (int w = 0; w < 4; w++)
		for (int i = 0; i < 9; i++)
			EXPECT_EQ(0, del(self->fd, (snprintf(key, sizeof(key), "t.race.%d.%d", w, i),
						    key)));
	EXPECT_EQ(before.records, status(self->fd).records);
}

TEST_F(store, status_matches_the_boot)
{
	struct rkm_handover_status st = status(self->fd);

	ASSERT_NE(0, st.generation);
	EXPECT_EQ(kho_on_cmdline(), !!(st.flags & RKM_HANDOVER_KHO_ENABLED));
	if (kho_on_cmdline()) {
		/* The shared boot is a cold boot: nothing was handed over. */
		EXPECT_EQ(0, st.flags & RKM_HANDOVER_KHO_BOOT);
		EXPECT_EQ(RKM_HANDOVER_RESTORE_NONE, st.restore);
		EXPECT_EQ(1, st.generation);
	} else {
		EXPECT_EQ(RKM_HANDOVER_RESTORE_VOLATILE, st.restore);
	}
	EXPECT_EQ(0, st.reclaimed);
}

TEST_F(store, prepare_hands_over_until_changed)
{
	if (!kho_on_cmdline()) {
		EXPECT_EQ(-EOPNOTSUPP, call(self->fd, RKM_HANDOVER_IOC_PREPARE, NULL));
		EXPECT_EQ(0, status(self->fd).flags & RKM_HANDOVER_PUBLISHED);
		return;
	}
	ASSERT_EQ(0, call(self->fd, RKM_HANDOVER_IOC_PREPARE, NULL));
	EXPECT_TRUE(status(self->fd).flags & RKM_HANDOVER_PUBLISHED);
	ASSERT_EQ(0, put(self->fd, "t.prepare", "changed"));
	EXPECT_FALSE(status(self->fd).flags & RKM_HANDOVER_PUBLISHED);
	ASSERT_EQ(0, call(self->fd, RKM_HANDOVER_IOC_PREPARE, NULL));
	EXPECT_TRUE(status(self->fd).flags & RKM_HANDOVER_PUBLISHED);
	EXPECT_EQ(0, del(self->fd, "t.prepare"));
}

/* The device is root's: anybody else is refused at open. */
TEST(device_is_root_only)
{
	int status;
	pid_t pid;

	if (!rkm_module_loaded("rkm_handover"))
		SKIP(return, "rkm_handover is not loaded");
	ASSERT_EQ(0, access(DEVICE, F_OK)) TH_LOG("rkm_handover is loaded, but %s: %s", DEVICE,
						  strerror(errno));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(open(DEVICE, O_RDWR) < 0 && errno == EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
