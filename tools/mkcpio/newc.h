/*
 * newc.h - the "newc" cpio format, as the Linux kernel unpacks it for an
 * initramfs: writing it, and reading it back with every field checked.
 *
 * An archive is a sequence of entries and a trailer:
 *
 *     entry   = header, name, NUL, zeros to a 4-byte boundary,
 *               data, zeros to a 4-byte boundary
 *     trailer = an entry named "TRAILER!!!" with no data
 *
 * The header is 110 ASCII bytes: the magic "070701" then thirteen fields
 * of exactly 8 hex digits (ino, mode, uid, gid, nlink, mtime, filesize,
 * devmajor, devminor, rdevmajor, rdevminor, namesize, check).  Offsets
 * are counted from the start of the archive.  namesize counts the NUL.
 * A regular file's data is its contents, a symlink's is its target
 * (without a NUL), and every other type has none.  "070702" is the same
 * with check = the 32-bit sum of a regular file's data bytes; the reader
 * accepts it.
 *
 * The writer does no I/O itself: it hands bytes to a sink, so the same
 * code writes to a file, a pipe or memory.
 */
#ifndef MCPOS_MKCPIO_NEWC_H
#define MCPOS_MKCPIO_NEWC_H

#include <stddef.h>
#include <stdint.h>

#define NEWC_MAGIC "070701"
#define NEWC_MAGIC_CRC "070702"
#define NEWC_HEADER_SIZE 110
#define NEWC_TRAILER "TRAILER!!!"

/* File types in the mode field: the values of Linux's st_mode. */
#define NEWC_S_IFMT   0170000
#define NEWC_S_IFSOCK 0140000
#define NEWC_S_IFLNK  0120000
#define NEWC_S_IFREG  0100000
#define NEWC_S_IFBLK  0060000
#define NEWC_S_IFDIR  0040000
#define NEWC_S_IFCHR  0020000
#define NEWC_S_IFIFO  0010000

/* One header, decoded.  Every field of the format is 32 bits. */
struct newc_header {
	uint32_t ino, mode, uid, gid, nlink, mtime, filesize;
	uint32_t devmajor, devminor, rdevmajor, rdevminor;
	uint32_t namesize, check;
};

/* Write the 110 header bytes for h with magic "070701" (no NUL added). */
void newc_encode_header(const struct newc_header *h, char out[NEWC_HEADER_SIZE]);

/* Zeros needed after offset to reach a 4-byte boundary. */
size_t newc_padding(uint64_t offset);

/* ---- writing ------------------------------------------------------------ */

/* Errors the writer returns (all negative; 0 is success). */
enum {
	NEWC_ERR_SINK = -1,     /* the sink failed: see its own error (errno) */
	NEWC_ERR_NAME = -2,     /* empty name, or name too long for namesize */
	NEWC_ERR_SIZE = -3,     /* more or less data than the header's filesize */
	NEWC_ERR_STATE = -4,    /* a call out of order (e.g. header before the
	                           previous entry's data was complete) */
};

/* Takes len bytes; returns 0, or -1 (with errno set) if they could not be
 * written. */
typedef int newc_sink(void *ctx, const void *buf, size_t len);

struct newc_writer {
	newc_sink *sink;
	void *ctx;
	uint64_t offset;        /* bytes written so far */
	uint64_t data_left;     /* of the current entry's filesize */
	int in_entry;           /* a header was written, its data not ended */
};

void newc_writer_init(struct newc_writer *w, newc_sink *sink, void *ctx);

/*
 * Begin an entry: header, name and padding.  h->namesize is ignored and
 * computed from name; h->filesize bytes of data must follow through
 * newc_write_data(), then newc_end_entry() (even when filesize is 0).
 */
int newc_begin_entry(struct newc_writer *w, const struct newc_header *h,
		     const char *name);
int newc_write_data(struct newc_writer *w, const void *data, size_t len);
int newc_end_entry(struct newc_writer *w);

/* The "TRAILER!!!" entry that ends the archive. */
int newc_write_trailer(struct newc_writer *w);

/* A short English description of a NEWC_ERR_* code. */
const char *newc_strerror(int err);

/* ---- reading ------------------------------------------------------------ */

/* An archive in memory, read one entry at a time. */
struct newc_reader {
	const unsigned char *buf;
	size_t len;
	size_t pos;
	int done;               /* the trailer was read */
};

struct newc_entry {
	struct newc_header h;
	size_t offset;          /* where the header starts */
	const char *name;       /* NUL-terminated, inside buf */
	const unsigned char *data;      /* h.filesize bytes inside buf */
};

struct newc_read_error {
	size_t offset;          /* where the fault is */
	char msg[160];
};

void newc_reader_init(struct newc_reader *r, const void *buf, size_t len);

/*
 * Read the next entry.  Returns 1 and fills *e; 0 at the end, which is a
 * trailer followed by nothing but zeros; -1 with *err filled if the
 * archive is truncated or corrupt.  Checked: magic, hex digits, name
 * present and NUL-terminated with no NUL inside, that the file type is one
 * Linux knows, no data for types that have none, a non-empty symlink
 * target without NUL, the checksum of regular files for 070702 (and a
 * zero check field for 070701), zero padding, and that nothing
 * runs past the end.  Like the kernel, the reader goes on past a trailer
 * followed by zeros and another archive (at a 4-byte boundary), so
 * concatenated archives read as one; anything else after a trailer is an
 * error.
 */
int newc_read_next(struct newc_reader *r, struct newc_entry *e,
		   struct newc_read_error *err);

#endif
