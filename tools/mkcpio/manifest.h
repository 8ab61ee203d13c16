/*
 * manifest.h - the mkcpio manifest: what goes into an initramfs.
 *
 * A manifest is a text file with one archive entry per line.  Blank lines
 * are ignored, and a field that starts with '#' starts a comment that runs
 * to the end of the line.  Fields are separated by spaces or tabs:
 *
 *     dir   PATH MODE UID GID
 *     file  PATH SOURCE MODE UID GID     SOURCE: a host file (relative to
 *                                        the current directory, or absolute)
 *     slink PATH TARGET MODE UID GID     TARGET: what the symlink points to
 *     nod   PATH MODE UID GID c|b MAJ MIN
 *     pipe  PATH MODE UID GID
 *     sock  PATH MODE UID GID
 *
 * For example:
 *
 *     dir   /bin                  0755 0 0
 *     file  /bin/init ${BUILD}/init 0755 0 0   # the PID 1 binary
 *     slink /init  /bin/init      0777 0 0
 *     nod   /dev/console 0600 0 0 c 5 1
 *
 * PATH    absolute ("/bin/init"); it is stored without the leading slash.
 *         No empty, "." or ".." components, no trailing slash, no control
 *         characters, components of at most 255 bytes, shorter than 4096
 *         bytes in all.  "/" itself is not an entry: the root always exists.
 *         The parent of every PATH must be declared as a dir on an earlier
 *         line (or be "/"), and a PATH may appear only once.
 * MODE    octal permission bits, at most 07777 (setuid, setgid, sticky
 *         included); the file type comes from the kind.
 * UID GID decimal, 0 to 4294967295.
 * MAJ MIN decimal device numbers, major < 4096 and minor < 1048576 (what
 *         the kernel's dev_t can hold).
 *
 * ${NAME} in a field is replaced by a value the caller defines (mkcpio's
 * -D NAME=VALUE).  Substitution happens inside one field after the line is
 * split, so a value with spaces stays one field; NAME is letters, digits
 * and '_', not starting with a digit.  A '$' not followed by '{' is
 * literal, and a value is not itself searched for ${}.  Using a NAME that
 * is not defined is an error; comments are not substituted.
 *
 * The parser checks everything that can be checked from the text; whether
 * a SOURCE exists and is a regular file is for the archive writer to
 * check, as it is the one that reads it.
 *
 * Usage:
 *
 *     struct manifest m;
 *     struct manifest_error err;
 *     const struct manifest_var vars[] = { { "BUILD", "build/x86_64" } };
 *     if (manifest_parse(&m, text, len, vars, 1, &err) != 0) {
 *         fprintf(stderr, "%s:%u: %s\n", filename, err.line, err.msg);
 *         ...
 *     }
 *     for (size_t i = 0; i < m.count; i++) use(&m.entries[i]);
 *     manifest_free(&m);
 *
 * All strings and the entry array live in one arena owned by the manifest
 * and released together by manifest_free(); on error nothing is left to
 * free.
 */
#ifndef MCPOS_MKCPIO_MANIFEST_H
#define MCPOS_MKCPIO_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

/* Longest PATH or TARGET, including the terminating NUL (Linux PATH_MAX). */
#define MANIFEST_PATH_MAX 4096
/* Longest path component (Linux NAME_MAX). */
#define MANIFEST_NAME_MAX 255
/* Longest field after ${} substitution: a bound on what a line can cost. */
#define MANIFEST_FIELD_MAX 65536

enum manifest_kind {
	MANIFEST_DIR,
	MANIFEST_FILE,
	MANIFEST_SLINK,
	MANIFEST_NOD,
	MANIFEST_PIPE,
	MANIFEST_SOCK,
};

struct manifest_entry {
	enum manifest_kind kind;
	unsigned line;          /* 1-based line in the manifest, for messages */
	const char *path;       /* absolute, as written: "/bin/init" */
	const char *source;     /* file: the host file; slink: the target; else NULL */
	uint32_t perm;          /* permission bits, <= 07777 */
	uint32_t uid, gid;
	char devtype;           /* nod: 'c' or 'b'; else 0 */
	uint32_t major, minor;  /* nod only */
};

/* A -D definition: ${name} becomes value. */
struct manifest_var {
	const char *name;
	const char *value;
};

struct manifest_error {
	unsigned line;          /* 1-based; 0 when no line is to blame */
	char msg[512];
};

struct manifest_arena;

struct manifest {
	struct manifest_entry *entries;
	size_t count;
	struct manifest_arena *arena;   /* private */
};

/*
 * Parse len bytes of text (need not be NUL-terminated; NUL bytes in it
 * are an error).  When several vars share a name the last one wins.
 * Returns 0 and fills *m, or -1 and fills *err (and *m owns nothing).
 */
int manifest_parse(struct manifest *m, const char *text, size_t len,
		   const struct manifest_var *vars, size_t nvars,
		   struct manifest_error *err);

void manifest_free(struct manifest *m);

/* "dir", "file", ... as written in a manifest. */
const char *manifest_kind_name(enum manifest_kind kind);

/* 1 if name is a valid ${NAME}: [A-Za-z_][A-Za-z0-9_]*. */
int manifest_var_name_valid(const char *name, size_t len);

#endif
