/*
 * newc.c - write and read "newc" cpio archives (the format is in newc.h).
 *
 * The reader trusts nothing: every length is checked against what is left
 * of the buffer before it is used, in the form "n > len - pos" so that
 * nothing can overflow.
 */
#include "newc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char hex_digits[] = "0123456789abcdef";

static void put_hex8(char *out, uint32_t v)
{
	for (int i = 7; i >= 0; i--) {
		out[i] = hex_digits[v & 0xf];
		v >>= 4;
	}
}

void newc_encode_header(const struct newc_header *h, char out[NEWC_HEADER_SIZE])
{
	const uint32_t fields[13] = {
		h->ino, h->mode, h->uid, h->gid, h->nlink, h->mtime, h->filesize,
		h->devmajor, h->devminor, h->rdevmajor, h->rdevminor,
		h->namesize, h->check,
	};

	memcpy(out, NEWC_MAGIC, 6);
	for (int i = 0; i < 13; i++)
		put_hex8(out + 6 + 8 * i, fields[i]);
}

size_t newc_padding(uint64_t offset)
{
	return (size_t)((4 - (offset & 3)) & 3);
}

/* ---- writing ------------------------------------------------------------ */

void newc_writer_init(struct newc_writer *w, newc_sink *sink, void *ctx)
{
	*w = (struct newc_writer){ .sink = sink, .ctx = ctx };
}

static int emit(struct newc_writer *w, const void *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (w->sink(w->ctx, buf, len) != 0)
		return NEWC_ERR_SINK;
	w->offset += len;
	return 0;
}

static int emit_padding(struct newc_writer *w)
{
	static const char zeros[4];
	return emit(w, zeros, newc_padding(w->offset));
}

int newc_begin_entry(struct newc_writer *w, const struct newc_header *h,
		     const char *name)
{
	char header[NEWC_HEADER_SIZE];
	size_t namelen = strlen(name);
	int rc;

	if (w->in_entry)
		return NEWC_ERR_STATE;
	if (namelen == 0 || namelen >= UINT32_MAX)
		return NEWC_ERR_NAME;
	struct newc_header full = *h;
	full.namesize = (uint32_t)namelen + 1;
	newc_encode_header(&full, header);
	if ((rc = emit(w, header, sizeof(header))) != 0 ||
	    (rc = emit(w, name, namelen + 1)) != 0 ||
	    (rc = emit_padding(w)) != 0)
		return rc;
	w->in_entry = 1;
	w->data_left = h->filesize;
	return 0;
}

int newc_write_data(struct newc_writer *w, const void *data, size_t len)
{
	if (!w->in_entry)
		return NEWC_ERR_STATE;
	if (len > w->data_left)
		return NEWC_ERR_SIZE;
	int rc = emit(w, data, len);
	if (rc == 0)
		w->data_left -= len;
	return rc;
}

int newc_end_entry(struct newc_writer *w)
{
	if (!w->in_entry)
		return NEWC_ERR_STATE;
	if (w->data_left != 0)
		return NEWC_ERR_SIZE;
	int rc = emit_padding(w);
	if (rc == 0)
		w->in_entry = 0;
	return rc;
}

int newc_write_trailer(struct newc_writer *w)
{
	const struct newc_header h = { .nlink = 1 };
	int rc = newc_begin_entry(w, &h, NEWC_TRAILER);
	return rc ? rc : newc_end_entry(w);
}

const char *newc_strerror(int err)
{
	switch (err) {
	case 0:              return "success";
	case NEWC_ERR_SINK:  return "write failed";
	case NEWC_ERR_NAME:  return "bad entry name";
	case NEWC_ERR_SIZE:  return "data size differs from the header's filesize";
	case NEWC_ERR_STATE: return "call out of order";
	default:             return "unknown error";
	}
}

/* ---- reading ------------------------------------------------------------ */

void newc_reader_init(struct newc_reader *r, const void *buf, size_t len)
{
	*r = (struct newc_reader){ .buf = buf, .len = len };
}

static int bad(struct newc_read_error *err, size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(struct newc_read_error *err, size_t offset, const char *fmt, ...)
{
	va_list ap;

	err->offset = offset;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_hex8(const unsigned char *s, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		unsigned c = s[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Check the zeros after offset up to the next 4-byte boundary. */
static int check_padding(const struct newc_reader *r, size_t offset,
			 const char *after, struct newc_read_error *err)
{
	size_t n = newc_padding(offset);

	if (n > r->len - offset)
		return bad(err, offset, "truncated: padding after the %s is missing", after);
	if (!all_zero(r->buf + offset, n))
		return bad(err, offset, "nonzero padding after the %s", after);
	return 0;
}

static const char *const field_names[13] = {
	"ino", "mode", "uid", "gid", "nlink", "mtime", "filesize",
	"devmajor", "devminor", "rdevmajor", "rdevminor", "namesize", "check",
};

/* After a trailer: zeros, then the end or another archive. */
static int after_trailer(struct newc_reader *r, size_t at, struct newc_read_error *err)
{
	while (at < r->len && r->buf[at] == 0)
		at++;
	if (at == r->len) {
		r->pos = at;
		r->done = 1;
		return 0;
	}
	if (at % 4 != 0)
		return bad(err, at, "data after " NEWC_TRAILER " at an offset not 4-aligned");
	if (r->len - at < 6 || (memcmp(r->buf + at, NEWC_MAGIC, 6) != 0 &&
				memcmp(r->buf + at, NEWC_MAGIC_CRC, 6) != 0))
		return bad(err, at, "data after " NEWC_TRAILER
			   " is not a newc archive (compressed?)");
	r->pos = at;
	return 1;
}

/* One header and what follows it: 1 an entry, 2 a trailer with another
 * archive after it, 0 the end, -1 an error. */
static int read_one(struct newc_reader *r, struct newc_entry *e,
		    struct newc_read_error *err)
{
	size_t at = r->pos;
	const unsigned char *p = r->buf + at;
	uint32_t f[13];

	if (at == r->len)
		return bad(err, at, "truncated: the archive ends without a " NEWC_TRAILER " entry");
	if (r->len - at < NEWC_HEADER_SIZE)
		return bad(err, at, "truncated header: %zu bytes left, a header takes %d",
			   r->len - at, NEWC_HEADER_SIZE);
	int crc = memcmp(p, NEWC_MAGIC_CRC, 6) == 0;
	if (!crc && memcmp(p, NEWC_MAGIC, 6) != 0)
		return bad(err, at, "bad magic (not a newc cpio header)");
	for (size_t i = 0; i < 13; i++)
		if (parse_hex8(p + 6 + 8 * i, &f[i]) != 0)
			return bad(err, at + 6 + 8 * i, "bad hex digit in field %s",
				   field_names[i]);
	*e = (struct newc_entry){
		.h = {
			.ino = f[0], .mode = f[1], .uid = f[2], .gid = f[3],
			.nlink = f[4], .mtime = f[5], .filesize = f[6],
			.devmajor = f[7], .devminor = f[8],
			.rdevmajor = f[9], .rdevminor = f[10],
			.namesize = f[11], .check = f[12],
		},
		.offset = at,
	};
	const struct newc_header *h = &e->h;

	size_t name_at = at + NEWC_HEADER_SIZE;
	if (h->namesize < 2)
		return bad(err, at, "namesize %u: the name is empty", (unsigned)h->namesize);
	if (h->namesize > r->len - name_at)
		return bad(err, name_at, "truncated: the name runs past the end");
	const char *name = (const char *)r->buf + name_at;
	if (name[h->namesize - 1] != '\0')
		return bad(err, name_at, "the name is not NUL-terminated");
	if (memchr(name, '\0', h->namesize - 1))
		return bad(err, name_at, "the name has a NUL inside (namesize too large)");
	size_t pad_at = name_at + h->namesize;
	if (check_padding(r, pad_at, "name", err) != 0)
		return -1;
	size_t data_at = pad_at + newc_padding(pad_at);
	e->name = name;

	if (strcmp(name, NEWC_TRAILER) == 0) {
		if (h->filesize != 0)
			return bad(err, at, NEWC_TRAILER " has data (filesize %u)",
				   (unsigned)h->filesize);
		int rc = after_trailer(r, data_at, err);
		return rc == 1 ? 2 : rc;
	}

	if (h->mode & ~(uint32_t)0177777)
		return bad(err, at, "mode %o has bits beyond the file type", (unsigned)h->mode);
	switch (h->mode & NEWC_S_IFMT) {
	case NEWC_S_IFREG:
		break;
	case NEWC_S_IFLNK:
		if (h->filesize == 0)
			return bad(err, at, "symlink %s has an empty target", name);
		break;
	case NEWC_S_IFDIR: case NEWC_S_IFCHR: case NEWC_S_IFBLK:
	case NEWC_S_IFIFO: case NEWC_S_IFSOCK:
		if (h->filesize != 0)
			return bad(err, at, "%s has filesize %u but its type has no data",
				   name, (unsigned)h->filesize);
		break;
	default:
		return bad(err, at, "%s has an unknown file type (mode %06o)",
			   name, (unsigned)h->mode);
	}
	if (h->filesize > r->len - data_at)
		return bad(err, data_at, "truncated: the data of %s runs past the end", name);
	e->data = r->buf + data_at;
	if ((h->mode & NEWC_S_IFMT) == NEWC_S_IFLNK && memchr(e->data, '\0', h->filesize))
		return bad(err, data_at, "symlink %s has a NUL in its target", name);
	if (crc && (h->mode & NEWC_S_IFMT) == NEWC_S_IFREG) {
		/* Only a regular file's data is summed: GNU cpio writes 0 for
		 * symlinks, and the kernel checks regular files only. */
		uint32_t sum = 0;
		for (size_t i = 0; i < h->filesize; i++)
			sum += e->data[i];
		if (sum != h->check)
			return bad(err, at, "checksum of %s is %08x, the header says %08x",
				   name, (unsigned)sum, (unsigned)h->check);
	} else if (!crc && h->check != 0) {
		return bad(err, at, "check field of %s is %08x, it must be 0 for " NEWC_MAGIC,
			   name, (unsigned)h->check);
	}
	size_t end = data_at + h->filesize;
	if (check_padding(r, end, "data", err) != 0)
		return -1;
	r->pos = end + newc_padding(end);
	return 1;
}

int newc_read_next(struct newc_reader *r, struct newc_entry *e,
		   struct newc_read_error *err)
{
	int rc;

	if (r->done)
		return 0;
	/* A loop, not recursion: a hostile input can hold millions of
	 * concatenated empty archives. */
	while ((rc = read_one(r, e, err)) == 2)
		;
	return rc;
}
