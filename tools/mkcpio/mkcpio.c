/*
 * mkcpio - write an initramfs (a newc cpio archive) from a manifest, or
 * list and check one.
 *
 *     mkcpio [-o OUT] [-D NAME=VALUE]... [-e EPOCH] MANIFEST
 *     mkcpio -l ARCHIVE
 *
 * The manifest format is documented in manifest.h.  The archive depends
 * only on the manifest, the -D values, the epoch and the contents of the
 * SOURCE files: owners, modes and times come from the manifest and the
 * epoch, never from the host, so no root is needed and two runs give the
 * same bytes.  Every entry's mtime is EPOCH (-e, else $SOURCE_DATE_EPOCH,
 * else 0); inode numbers count up from 1 in manifest order.
 *
 * -l checks the whole archive (see newc_read_next() in newc.h) and only
 * then prints one line per entry, trailer excluded:
 *
 *     MODE UID GID SIZE MTIME NAME [-> TARGET]
 *     100755 0 0 17 1700000000 bin/hello
 *     120777 0 0 10 1700000000 init -> /bin/hello
 *
 * MODE is octal with the file type, NAME as stored (no leading slash);
 * control characters and '\' in NAME and TARGET are printed as \ooo.
 * ARCHIVE "-" is stdin.
 *
 * The archive is written to OUT.tmp and renamed to OUT at the end, so a
 * failure leaves OUT as it was.  Before anything is written, every SOURCE
 * is checked, so even on stdout an error in the input writes nothing.
 *
 * Exit status: 0 done, 1 bad input or an I/O error (the message says
 * "MANIFEST:LINE: what is wrong" when a line is to blame), 2 bad usage.
 */
#include "manifest.h"
#include "newc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_BAD_INPUT 1
#define EXIT_USAGE 2

#define IO_BUFFER_SIZE 65536

static void usage(FILE *to)
{
	fputs("usage: mkcpio [-o OUT] [-D NAME=VALUE]... [-e EPOCH] MANIFEST\n"
	      "       mkcpio -l ARCHIVE\n"
	      "Write the newc cpio archive MANIFEST describes (to stdout unless -o),\n"
	      "or with -l list and check the entries of ARCHIVE.\n", to);
}

/* A decimal epoch that fits newc's 32-bit mtime. */
static int parse_epoch(const char *s, uint32_t *out)
{
	unsigned long long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* The whole of path ("-" is stdin) in a malloc'd buffer, or -1 with errno. */
static int read_all(const char *path, unsigned char **out, size_t *outlen)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t cap = IO_BUFFER_SIZE, len = 0;
	unsigned char *buf = NULL;
	int saved;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size < SIZE_MAX)
		cap = (size_t)st.st_size + 1;   /* +1: to see the end in one read */
	for (;;) {
		if (len == cap || !buf) {
			if (buf && cap > SIZE_MAX / 2) {
				errno = EFBIG;
				goto fail;
			}
			size_t newcap = buf ? cap * 2 : cap;
			unsigned char *bigger = realloc(buf, newcap);
			if (!bigger)
				goto fail;
			buf = bigger;
			cap = newcap;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	*out = buf;
	*outlen = len;
	return 0;
fail:
	saved = errno;
	free(buf);
	if (fd != STDIN_FILENO)
		close(fd);
	errno = saved;
	return -1;
}

/* ---- writing an archive --------------------------------------------------- */

struct output {
	int fd;
	size_t used;
	unsigned char buf[IO_BUFFER_SIZE];
};

static int write_fully(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int output_flush(struct output *o)
{
	int rc = write_fully(o->fd, o->buf, o->used);
	o->used = 0;
	return rc;
}

/* newc_sink: buffer small writes, pass large ones straight through. */
static int output_sink(void *ctx, const void *data, size_t len)
{
	struct output *o = ctx;

	if (len > sizeof(o->buf) - o->used) {
		if (output_flush(o) != 0)
			return -1;
		if (len >= sizeof(o->buf))
			return write_fully(o->fd, data, len);
	}
	memcpy(o->buf + o->used, data, len);
	o->used += len;
	return 0;
}

/* Everything one run of mkcpio needs, allocated once. */
struct job {
	const char *manifest_name;
	const char *out_name;           /* what errors call the output */
	uint32_t epoch;
	struct manifest m;
	struct newc_writer w;
	struct output out;
	unsigned char copy[IO_BUFFER_SIZE];
};

static int line_error(const struct job *job, const struct manifest_entry *e,
		      const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "MANIFEST:LINE: what is wrong" for the line of e; returns -1. */
static int line_error(const struct job *job, const struct manifest_entry *e,
		      const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%u: ", job->manifest_name, e->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* A SOURCE must be a regular file whose size fits in newc's filesize. */
static int check_source(const struct job *job, const struct manifest_entry *e,
			const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return line_error(job, e, "SOURCE %s is not a regular file", e->source);
	if ((uint64_t)st->st_size > UINT32_MAX) {
		return line_error(job, e, "SOURCE %s is too big for cpio (%llu bytes, at most 4294967295)",
				  e->source, (unsigned long long)st->st_size);
	}
	return 0;
}

/* Check every SOURCE before writing a byte, so input errors write nothing. */
static int check_sources(const struct job *job)
{
	for (size_t i = 0; i < job->m.count; i++) {
		const struct manifest_entry *e = &job->m.entries[i];
		struct stat st;
		if (e->kind != MANIFEST_FILE)
			continue;
		if (stat(e->source, &st) != 0)
			return line_error(job, e, "SOURCE %s: %s", e->source, strerror(errno));
		if (check_source(job, e, &st) != 0)
			return -1;
	}
	return 0;
}

static int write_error(struct job *job, int rc)
{
	fprintf(stderr, "mkcpio: %s: %s\n", job->out_name,
		rc == NEWC_ERR_SINK ? strerror(errno) : newc_strerror(rc));
	return -1;
}

static int copy_source(struct job *job, const struct manifest_entry *e,
		       struct newc_header *h)
{
	/* O_NONBLOCK: if SOURCE became a FIFO since it was checked, the open
	 * must not hang; fstat below then rejects it. */
	int fd = open(e->source, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	int rc = -1;

	if (fd < 0)
		return line_error(job, e, "SOURCE %s: %s", e->source, strerror(errno));
	if (fstat(fd, &st) != 0) {
		line_error(job, e, "SOURCE %s: %s", e->source, strerror(errno));
		goto out;
	}
	if (check_source(job, e, &st) != 0)
		goto out;
	h->filesize = (uint32_t)st.st_size;
	int wrc = newc_begin_entry(&job->w, h, e->path + 1);
	if (wrc != 0) {
		write_error(job, wrc);
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, job->copy, sizeof(job->copy));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			line_error(job, e, "SOURCE %s: %s", e->source, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		wrc = newc_write_data(&job->w, job->copy, (size_t)n);
		if (wrc == NEWC_ERR_SIZE)
			break;
		if (wrc != 0) {
			write_error(job, wrc);
			goto out;
		}
	}
	wrc = newc_end_entry(&job->w);
	if (wrc == NEWC_ERR_SIZE)
		line_error(job, e, "SOURCE %s changed size while it was read", e->source);
	else if (wrc != 0)
		write_error(job, wrc);
	else
		rc = 0;
out:
	close(fd);
	return rc;
}

static int write_entry(struct job *job, size_t index)
{
	const struct manifest_entry *e = &job->m.entries[index];
	struct newc_header h = {
		.ino = (uint32_t)index + 1,
		.uid = e->uid,
		.gid = e->gid,
		.nlink = 1,
		.mtime = job->epoch,
	};
	int rc;

	switch (e->kind) {
	case MANIFEST_DIR:
		h.mode = NEWC_S_IFDIR;
		h.nlink = 2;
		break;
	case MANIFEST_FILE:
		h.mode = NEWC_S_IFREG | e->perm;
		return copy_source(job, e, &h);
	case MANIFEST_SLINK:
		h.mode = NEWC_S_IFLNK;
		h.filesize = (uint32_t)strlen(e->source);
		break;
	case MANIFEST_NOD:
		h.mode = e->devtype == 'c' ? NEWC_S_IFCHR : NEWC_S_IFBLK;
		h.rdevmajor = e->major;
		h.rdevminor = e->minor;
		break;
	case MANIFEST_PIPE:
		h.mode = NEWC_S_IFIFO;
		break;
	case MANIFEST_SOCK:
		h.mode = NEWC_S_IFSOCK;
		break;
	}
	h.mode |= e->perm;
	if ((rc = newc_begin_entry(&job->w, &h, e->path + 1)) != 0 ||
	    (e->kind == MANIFEST_SLINK &&
	     (rc = newc_write_data(&job->w, e->source, h.filesize)) != 0) ||
	    (rc = newc_end_entry(&job->w)) != 0)
		return write_error(job, rc);
	return 0;
}

static int write_archive(struct job *job)
{
	int rc;

	newc_writer_init(&job->w, output_sink, &job->out);
	for (size_t i = 0; i < job->m.count; i++)
		if (write_entry(job, i) != 0)
			return -1;
	if ((rc = newc_write_trailer(&job->w)) != 0)
		return write_error(job, rc);
	if (output_flush(&job->out) != 0)
		return write_error(job, NEWC_ERR_SINK);
	return 0;
}

/* Write to out_path.tmp, then rename; or to stdout when out_path is NULL. */
static int write_output(struct job *job, const char *out_path)
{
	char *tmp = NULL;
	int rc;

	if (!out_path) {
		job->out_name = "stdout";
		job->out.fd = STDOUT_FILENO;
		return write_archive(job);
	}
	size_t len = strlen(out_path);
	if (!(tmp = malloc(len + sizeof(".tmp")))) {
		fprintf(stderr, "mkcpio: out of memory\n");
		return -1;
	}
	memcpy(tmp, out_path, len);
	memcpy(tmp + len, ".tmp", sizeof(".tmp"));
	job->out_name = tmp;
	job->out.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (job->out.fd < 0) {
		fprintf(stderr, "mkcpio: %s: %s\n", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	rc = write_archive(job);
	if (close(job->out.fd) != 0 && rc == 0)
		rc = write_error(job, NEWC_ERR_SINK);
	if (rc == 0 && rename(tmp, out_path) != 0) {
		fprintf(stderr, "mkcpio: rename %s to %s: %s\n", tmp, out_path, strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

static int create(struct job *job, const struct manifest_var *vars, size_t nvars,
		  const char *out_path)
{
	unsigned char *text;
	size_t len;
	struct manifest_error err;

	if (read_all(job->manifest_name, &text, &len) != 0) {
		fprintf(stderr, "mkcpio: %s: %s\n", job->manifest_name, strerror(errno));
		return -1;
	}
	int rc = manifest_parse(&job->m, (const char *)text, len, vars, nvars, &err);
	free(text);
	if (rc != 0) {
		fprintf(stderr, "%s:%u: %s\n", job->manifest_name, err.line, err.msg);
		return -1;
	}
	rc = check_sources(job);
	if (rc == 0)
		rc = write_output(job, out_path);
	manifest_free(&job->m);
	return rc;
}

/* ---- listing an archive --------------------------------------------------- */

/* Names and targets may hold any byte but NUL: keep the listing one line
 * per entry by escaping control characters and the backslash. */
static void print_escaped(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '\\')
			printf("\\%03o", c);
		else
			putchar(c);
	}
}

static int list(const char *archive)
{
	unsigned char *buf;
	size_t len;
	struct newc_reader r;
	struct newc_entry e;
	struct newc_read_error err;
	int rc;

	if (read_all(archive, &buf, &len) != 0) {
		fprintf(stderr, "mkcpio: %s: %s\n", archive, strerror(errno));
		return -1;
	}
	/* Check it all before printing anything: no half listing of a bad archive. */
	newc_reader_init(&r, buf, len);
	while ((rc = newc_read_next(&r, &e, &err)) > 0)
		;
	if (rc < 0) {
		fprintf(stderr, "mkcpio: %s: offset %zu: %s\n", archive, err.offset, err.msg);
		free(buf);
		return -1;
	}
	newc_reader_init(&r, buf, len);
	while (newc_read_next(&r, &e, &err) > 0) {
		printf("%06o %u %u %u %u ", (unsigned)e.h.mode, (unsigned)e.h.uid,
		       (unsigned)e.h.gid, (unsigned)e.h.filesize, (unsigned)e.h.mtime);
		print_escaped(e.name, strlen(e.name));
		if ((e.h.mode & NEWC_S_IFMT) == NEWC_S_IFLNK) {
			fputs(" -> ", stdout);
			print_escaped((const char *)e.data, e.h.filesize);
		}
		putchar('\n');
	}
	free(buf);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mkcpio: stdout: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- main ---------------------------------------------------------------- */

int main(int argc, char **argv)
{
	const char *out_path = NULL, *epoch_arg = NULL;
	int list_mode = 0, opt, rc;
	size_t nvars = 0;
	uint32_t epoch = 0;
	struct manifest_var *vars = calloc((size_t)argc, sizeof(*vars));

	if (!vars) {
		fprintf(stderr, "mkcpio: out of memory\n");
		return EXIT_BAD_INPUT;
	}
	while ((opt = getopt(argc, argv, "+lo:D:e:h")) != -1) {
		switch (opt) {
		case 'l':
			list_mode = 1;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'D': {
			char *eq = strchr(optarg, '=');
			if (!eq || !manifest_var_name_valid(optarg, (size_t)(eq - optarg))) {
				fprintf(stderr, "mkcpio: -D %s: expected NAME=VALUE, NAME of letters, digits and _\n",
					optarg);
				free(vars);
				return EXIT_USAGE;
			}
			*eq = '\0';     /* argv is ours to split */
			vars[nvars++] = (struct manifest_var){ optarg, eq + 1 };
			break;
		}
		case 'e':
			epoch_arg = optarg;
			break;
		case 'h':
			usage(stdout);
			free(vars);
			return 0;
		default:
			usage(stderr);
			free(vars);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 ||
	    (list_mode && (out_path || epoch_arg || nvars))) {
		usage(stderr);
		free(vars);
		return EXIT_USAGE;
	}
	if (list_mode) {
		free(vars);
		return list(argv[optind]) == 0 ? 0 : EXIT_BAD_INPUT;
	}

	const char *epoch_from = "-e";
	if (!epoch_arg && (epoch_arg = getenv("SOURCE_DATE_EPOCH")))
		epoch_from = "SOURCE_DATE_EPOCH";
	if (epoch_arg && parse_epoch(epoch_arg, &epoch) != 0) {
		fprintf(stderr, "mkcpio: %s %s: expected seconds since 1970, 0 to 4294967295\n",
			epoch_from, epoch_arg);
		free(vars);
		return EXIT_USAGE;
	}
	if (out_path && strcmp(out_path, "-") == 0)
		out_path = NULL;

	struct job *job = calloc(1, sizeof(*job));
	if (!job) {
		fprintf(stderr, "mkcpio: out of memory\n");
		free(vars);
		return EXIT_BAD_INPUT;
	}
	job->manifest_name = argv[optind];
	job->epoch = epoch;
	rc = create(job, vars, nvars, out_path);
	free(job);
	free(vars);
	return rc == 0 ? 0 : EXIT_BAD_INPUT;
}
