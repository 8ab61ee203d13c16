/*
 * test_mkcpio_newc.c - the newc cpio writer and reader, in memory.
 *
 * The expected bytes are spelled out from the format's definition (the
 * kernel's buffer-format.rst); round trips check that the reader returns
 * what the writer wrote; every damaged archive must be refused.
 */
#include "check.h"
#include "newc.h"

#include <errno.h>
#include <stdlib.h>

#define SUITE "mkcpio newc"

/* A sink into a fixed buffer; fails (ENOSPC) once full. */
struct memsink {
	unsigned char buf[8192];
	size_t len;
	size_t limit;           /* fail past this many bytes */
	size_t calls;
};

static int memsink_write(void *ctx, const void *data, size_t len)
{
	struct memsink *s = ctx;

	s->calls++;
	if (len > s->limit - s->len) {
		errno = ENOSPC;
		return -1;
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	return 0;
}

static void memsink_init(struct memsink *s)
{
	s->len = 0;
	s->limit = sizeof(s->buf);
	s->calls = 0;
}

/* Write one entry with its data in one call. */
static int put(struct newc_writer *w, uint32_t mode, const char *name,
	       const char *data)
{
	struct newc_header h = { .ino = 7, .mode = mode, .nlink = 1, .mtime = 1700000000 };
	int rc;

	h.filesize = data ? (uint32_t)strlen(data) : 0;
	if ((rc = newc_begin_entry(w, &h, name)) != 0)
		return rc;
	if (data && (rc = newc_write_data(w, data, strlen(data))) != 0)
		return rc;
	return newc_end_entry(w);
}

/* A small archive with every type; returns its length in s. */
static void sample(struct memsink *s)
{
	struct newc_writer w;

	memsink_init(s);
	newc_writer_init(&w, memsink_write, s);
	put(&w, NEWC_S_IFDIR | 0755, "bin", NULL);
	put(&w, NEWC_S_IFREG | 0644, "bin/hello", "hello\n");
	put(&w, NEWC_S_IFLNK | 0777, "init", "bin/hello");
	put(&w, NEWC_S_IFREG | 0600, "empty", NULL);
	put(&w, NEWC_S_IFCHR | 0600, "console", NULL);
	put(&w, NEWC_S_IFIFO | 0600, "fifo", NULL);
	newc_write_trailer(&w);
}

/* Read a whole archive; returns entries read, or -1 on error. */
static int read_all(const void *buf, size_t len, struct newc_read_error *err)
{
	struct newc_reader r;
	struct newc_entry e;
	int n = 0, rc;

	newc_reader_init(&r, buf, len);
	while ((rc = newc_read_next(&r, &e, err)) > 0)
		n++;
	return rc < 0 ? -1 : n;
}

/* Does reading buf fail with a message containing want? */
static int refused(const void *buf, size_t len, const char *want)
{
	struct newc_read_error err;

	if (read_all(buf, len, &err) >= 0) {
		printf("#   accepted, wanted: %s\n", want);
		return 0;
	}
	if (!strstr(err.msg, want)) {
		printf("#   offset %zu: %s (wanted ...%s...)\n", err.offset, err.msg, want);
		return 0;
	}
	return 1;
}

/* Offset of the header of entry `name` in the sample archive. */
static size_t offset_of(const struct memsink *s, const char *name)
{
	struct newc_reader r;
	struct newc_entry e;
	struct newc_read_error err;

	newc_reader_init(&r, s->buf, s->len);
	while (newc_read_next(&r, &e, &err) > 0)
		if (strcmp(e.name, name) == 0)
			return e.offset;
	return (size_t)-1;
}

/* Overwrite field i (0 = ino ... 12 = check) of the header at off. */
static void set_field(unsigned char *buf, size_t off, int i, const char *hex8)
{
	memcpy(buf + off + 6 + 8 * i, hex8, 8);
}

int main(void)
{
	TEST(SUITE, "header encoding is the magic and 13 fields of 8 hex digits") {
		const struct newc_header h = {
			.ino = 1, .mode = 0100644, .uid = 1000, .gid = 0xffffffff,
			.nlink = 1, .mtime = 1700000000, .filesize = 4780,
			.devmajor = 0, .devminor = 0, .rdevmajor = 5, .rdevminor = 1,
			.namesize = 6, .check = 0xabcdef01,
		};
		char out[NEWC_HEADER_SIZE + 1];
		newc_encode_header(&h, out);
		out[NEWC_HEADER_SIZE] = '\0';
		CHECK_STR(out, "070701" "00000001" "000081a4" "000003e8" "ffffffff"
			       "00000001" "6553f100" "000012ac" "00000000" "00000000"
			       "00000005" "00000001" "00000006" "abcdef01");
	}

	TEST(SUITE, "padding to 4 bytes") {
		CHECK_EQ(newc_padding(0), 0);
		CHECK_EQ(newc_padding(1), 3);
		CHECK_EQ(newc_padding(2), 2);
		CHECK_EQ(newc_padding(3), 1);
		CHECK_EQ(newc_padding(4), 0);
		CHECK_EQ(newc_padding(110 + 4), 2);
		CHECK_EQ(newc_padding(0x100000001ull), 3);
	}

	TEST(SUITE, "one entry and a trailer, byte by byte") {
		struct memsink s;
		struct newc_writer w;
		memsink_init(&s);
		newc_writer_init(&w, memsink_write, &s);
		CHECK_EQ(put(&w, NEWC_S_IFREG | 0755, "ab", "xyz"), 0);
		CHECK_EQ(newc_write_trailer(&w), 0);
		/* 110 + "ab\0" = 113, pad 3 -> 116; data 3, pad 1 -> 120;
		 * trailer 110 + 11 = 121, pad 3 -> 244. */
		const char want[] =
			"070701" "00000007" "000081ed" "00000000" "00000000" "00000001"
			"6553f100" "00000003" "00000000" "00000000" "00000000" "00000000"
			"00000003" "00000000" "ab\0" "\0\0\0" "xyz" "\0"
			"070701" "00000000" "00000000" "00000000" "00000000" "00000001"
			"00000000" "00000000" "00000000" "00000000" "00000000" "00000000"
			"0000000b" "00000000" "TRAILER!!!\0" "\0\0";
		CHECK_EQ(s.len, sizeof(want));  /* the literal's own NUL is the last pad byte */
		CHECK_EQ(w.offset, s.len);
		CHECK(memcmp(s.buf, want, sizeof(want)) == 0);
	}

	TEST(SUITE, "every header and every data block starts 4-aligned") {
		struct memsink s;
		sample(&s);
		struct newc_reader r;
		struct newc_entry e;
		struct newc_read_error err;
		int n = 0, aligned = 1, rc;
		newc_reader_init(&r, s.buf, s.len);
		while ((rc = newc_read_next(&r, &e, &err)) > 0) {
			n++;
			if (e.offset % 4 || (size_t)(e.data - s.buf) % 4)
				aligned = 0;
		}
		CHECK_EQ(rc, 0);
		CHECK_EQ(n, 6);
		CHECK(aligned);
		CHECK_EQ(s.len % 4, 0);
	}

	TEST(SUITE, "what is read back is what was written") {
		struct memsink s;
		sample(&s);
		struct newc_reader r;
		struct newc_entry e;
		struct newc_read_error err;
		newc_reader_init(&r, s.buf, s.len);
		CHECK_EQ(newc_read_next(&r, &e, &err), 1);
		CHECK_STR(e.name, "bin");
		CHECK_EQ(e.h.mode, NEWC_S_IFDIR | 0755);
		CHECK_EQ(e.h.namesize, 4);
		CHECK_EQ(e.h.mtime, 1700000000);
		CHECK_EQ(newc_read_next(&r, &e, &err), 1);
		CHECK_STR(e.name, "bin/hello");
		CHECK_EQ(e.h.filesize, 6);
		CHECK(memcmp(e.data, "hello\n", 6) == 0);
		CHECK_EQ(newc_read_next(&r, &e, &err), 1);
		CHECK_STR(e.name, "init");
		CHECK_EQ(e.h.mode, NEWC_S_IFLNK | 0777);
		CHECK_EQ(e.h.filesize, 9);
		CHECK(memcmp(e.data, "bin/hello", 9) == 0);
		CHECK_EQ(newc_read_next(&r, &e, &err), 1);
		CHECK_STR(e.name, "empty");
		CHECK_EQ(e.h.filesize, 0);
		CHECK_EQ(newc_read_next(&r, &e, &err), 1);
		CHECK_STR(e.name, "console");
		CHECK_EQ(newc_read_next(&r, &e, &err), 1);
		CHECK_STR(e.name, "fifo");
		CHECK_EQ(newc_read_next(&r, &e, &err), 0);
		CHECK_EQ(newc_read_next(&r, &e, &err), 0);     /* stays at the end */
	}

	TEST(SUITE, "data may come in pieces; a large one bypasses nothing") {
		struct memsink s;
		struct newc_writer w;
		memsink_init(&s);
		newc_writer_init(&w, memsink_write, &s);
		struct newc_header h = { .mode = NEWC_S_IFREG | 0644, .nlink = 1, .filesize = 5000 };
		char block[1000];
		CHECK_EQ(newc_begin_entry(&w, &h, "big"), 0);
		for (int i = 0; i < 5; i++) {
			memset(block, 'a' + i, sizeof(block));
			CHECK_EQ(newc_write_data(&w, block, sizeof(block)), 0);
		}
		CHECK_EQ(newc_end_entry(&w), 0);
		CHECK_EQ(newc_write_trailer(&w), 0);
		struct newc_reader r;
		struct newc_entry e;
		struct newc_read_error err;
		newc_reader_init(&r, s.buf, s.len);
		CHECK_EQ(newc_read_next(&r, &e, &err), 1);
		CHECK_EQ(e.h.filesize, 5000);
		CHECK(e.data[0] == 'a' && e.data[999] == 'a' && e.data[1000] == 'b' &&
		      e.data[4999] == 'e');
		CHECK_EQ(newc_read_next(&r, &e, &err), 0);
	}

	TEST(SUITE, "the writer enforces filesize and call order") {
		struct memsink s;
		struct newc_writer w;
		memsink_init(&s);
		newc_writer_init(&w, memsink_write, &s);
		struct newc_header h = { .mode = NEWC_S_IFREG | 0644, .nlink = 1, .filesize = 3 };
		CHECK_EQ(newc_write_data(&w, "x", 1), NEWC_ERR_STATE);
		CHECK_EQ(newc_end_entry(&w), NEWC_ERR_STATE);
		CHECK_EQ(newc_begin_entry(&w, &h, ""), NEWC_ERR_NAME);
		CHECK_EQ(s.len, 0);
		CHECK_EQ(newc_begin_entry(&w, &h, "f"), 0);
		CHECK_EQ(newc_begin_entry(&w, &h, "g"), NEWC_ERR_STATE);
		CHECK_EQ(newc_write_data(&w, "ab", 2), 0);
		CHECK_EQ(newc_write_data(&w, "cd", 2), NEWC_ERR_SIZE);
		CHECK_EQ(newc_end_entry(&w), NEWC_ERR_SIZE);     /* one byte short */
		CHECK_EQ(newc_write_data(&w, "c", 1), 0);
		CHECK_EQ(newc_end_entry(&w), 0);
		CHECK_STR(newc_strerror(NEWC_ERR_SIZE), "data size differs from the header's filesize");
	}

	TEST(SUITE, "a failing sink is reported, not ignored") {
		struct memsink s;
		struct newc_writer w;
		memsink_init(&s);
		s.limit = 200;
		newc_writer_init(&w, memsink_write, &s);
		CHECK_EQ(put(&w, NEWC_S_IFDIR | 0755, "a", NULL), 0);
		errno = 0;
		CHECK_EQ(put(&w, NEWC_S_IFDIR | 0755, "b", NULL), NEWC_ERR_SINK);
		CHECK_EQ(errno, ENOSPC);
		CHECK_EQ(w.offset, s.len);
	}

	TEST(SUITE, "every truncation of an archive is refused") {
		struct memsink s;
		sample(&s);
		struct newc_read_error err;
		int all_refused = 1;
		for (size_t len = 0; len < s.len; len++) {
			/* a copy of exactly len bytes, so ASan sees any overread */
			unsigned char *copy = malloc(len ? len : 1);
			memcpy(copy, s.buf, len);
			if (read_all(copy, len, &err) >= 0 || !strstr(err.msg, "truncated")) {
				printf("#   %zu bytes: %s\n", len, err.msg);
				all_refused = 0;
			}
			free(copy);
		}
		CHECK(all_refused);
		CHECK_EQ(read_all(s.buf, s.len, &err), 6);
	}

	TEST(SUITE, "zeros after the trailer are fine, anything else is not") {
		struct memsink s;
		sample(&s);
		struct newc_read_error err;
		memset(s.buf + s.len, 0, 512);
		CHECK_EQ(read_all(s.buf, s.len + 512, &err), 6);
		s.buf[s.len + 100] = '0';
		CHECK(refused(s.buf, s.len + 512, "data after TRAILER!!! is not a newc archive"));
		s.buf[s.len + 100] = 0;
		s.buf[s.len + 101] = '0';
		CHECK(refused(s.buf, s.len + 512, "not 4-aligned"));
	}

	TEST(SUITE, "concatenated archives read as one, as the kernel reads them") {
		struct memsink one, two;
		sample(&one);
		sample(&two);
		static unsigned char both[sizeof(one.buf) * 2 + 64];
		memcpy(both, one.buf, one.len);
		memset(both + one.len, 0, 64);          /* zeros between are allowed */
		memcpy(both + one.len + 64, two.buf, two.len);
		struct newc_read_error err;
		CHECK_EQ(read_all(both, one.len + 64 + two.len, &err), 12);
		CHECK_EQ(read_all(both, one.len + 64 + two.len - 1, &err), -1);
		/* nothing but trailers */
		struct newc_writer w;
		memsink_init(&one);
		newc_writer_init(&w, memsink_write, &one);
		for (int i = 0; i < 50; i++)
			newc_write_trailer(&w);
		CHECK_EQ(read_all(one.buf, one.len, &err), 0);
	}

	TEST(SUITE, "damaged headers are refused") {
		struct memsink s;
		size_t off;

		sample(&s);
		s.buf[0] = '1';
		CHECK(refused(s.buf, s.len, "bad magic"));

		sample(&s);
		off = offset_of(&s, "bin/hello");
		s.buf[off + 6 + 8 * 6 + 3] = 'g';         /* filesize */
		CHECK(refused(s.buf, s.len, "bad hex digit in field filesize"));

		sample(&s);
		set_field(s.buf, offset_of(&s, "bin"), 11, "00000001");
		CHECK(refused(s.buf, s.len, "the name is empty"));

		sample(&s);
		set_field(s.buf, offset_of(&s, "bin"), 11, "00000003");   /* "bi" */
		CHECK(refused(s.buf, s.len, "not NUL-terminated"));

		sample(&s);
		set_field(s.buf, offset_of(&s, "bin"), 11, "00000005");   /* past the NUL */
		CHECK(refused(s.buf, s.len, "NUL inside"));

		sample(&s);
		set_field(s.buf, offset_of(&s, "bin"), 11, "7fffffff");
		CHECK(refused(s.buf, s.len, "truncated: the name runs past the end"));

		sample(&s);
		set_field(s.buf, offset_of(&s, "bin/hello"), 6, "7ffffff0");
		CHECK(refused(s.buf, s.len, "truncated: the data of bin/hello"));

		sample(&s);
		set_field(s.buf, offset_of(&s, "bin"), 6, "00000004");
		CHECK(refused(s.buf, s.len, "bin has filesize 4 but its type has no data"));

		sample(&s);
		set_field(s.buf, offset_of(&s, "console"), 1, "0000d180");   /* 0150600 */
		CHECK(refused(s.buf, s.len, "unknown file type"));

		sample(&s);
		set_field(s.buf, offset_of(&s, "console"), 1, "000121ed");
		CHECK(refused(s.buf, s.len, "bits beyond the file type"));

		sample(&s);
		set_field(s.buf, offset_of(&s, "fifo"), 12, "00000001");
		CHECK(refused(s.buf, s.len, "check field of fifo"));
	}

	TEST(SUITE, "damaged padding and symlinks are refused") {
		struct memsink s;
		size_t off;

		sample(&s);
		off = offset_of(&s, "bin");                /* 110 + "bin\0": 2 pad bytes */
		s.buf[off + 110 + 4] = 1;
		CHECK(refused(s.buf, s.len, "nonzero padding after the name"));

		sample(&s);
		off = offset_of(&s, "bin/hello");          /* 110+10 = 120, data 6, pad 2 */
		s.buf[off + 120 + 6] = ' ';
		CHECK(refused(s.buf, s.len, "nonzero padding after the data"));

		sample(&s);
		off = offset_of(&s, "init");
		s.buf[off + 116 + 3] = '\0';              /* "bin\0hello" */
		CHECK(refused(s.buf, s.len, "symlink init has a NUL in its target"));

		/* An empty symlink: change "empty" into a symlink. */
		sample(&s);
		set_field(s.buf, offset_of(&s, "empty"), 1, "0000a1ff");
		CHECK(refused(s.buf, s.len, "symlink empty has an empty target"));

		/* A trailer with data. */
		sample(&s);
		struct newc_reader r;
		struct newc_entry e;
		struct newc_read_error err;
		newc_reader_init(&r, s.buf, s.len);
		while (newc_read_next(&r, &e, &err) > 0)
			;
		off = r.pos;   /* the end; the trailer is the last 124 bytes */
		set_field(s.buf, off - 124, 6, "00000004");
		CHECK(refused(s.buf, s.len, "TRAILER!!! has data"));
	}

	TEST(SUITE, "070702 archives: the checksum is verified") {
		struct memsink s;
		sample(&s);
		size_t off = offset_of(&s, "bin/hello");
		size_t link = offset_of(&s, "init");
		/* sum of "hello\n" = 104+101+108+108+111+10 = 542 = 0x21e */
		for (size_t at = 0; at < s.len; at += 4)
			if (memcmp(s.buf + at, NEWC_MAGIC, 6) == 0)
				memcpy(s.buf + at, NEWC_MAGIC_CRC, 6);
		set_field(s.buf, off, 12, "0000021e");
		/* Only regular files are summed: GNU cpio writes 0 for a symlink,
		 * so the symlink's check field is not looked at. */
		set_field(s.buf, link, 12, "12345678");
		struct newc_read_error err;
		CHECK_EQ(read_all(s.buf, s.len, &err), 6);
		set_field(s.buf, off, 12, "0000021f");
		CHECK(refused(s.buf, s.len, "checksum of bin/hello is 0000021e"));
	}

	TEST(SUITE, "upper-case hex digits are read") {
		struct memsink s;
		sample(&s);
		size_t off = offset_of(&s, "bin");
		set_field(s.buf, off, 2, "000003E8");
		struct newc_reader r;
		struct newc_entry e;
		struct newc_read_error err;
		newc_reader_init(&r, s.buf, s.len);
		CHECK_EQ(newc_read_next(&r, &e, &err), 1);
		CHECK_EQ(e.h.uid, 1000);
	}

	return check_done();
}
