/* files.c - see files.h. */
#include "files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437   /* the same on every architecture */
#endif
/* The kernel's struct open_how and resolve flags (linux/openat2.h, which
 * musl does not ship). */
struct open_how_ {
	uint64_t flags, mode, resolve;
};
#define RESOLVE_NO_MAGICLINKS_ 0x02
#define RESOLVE_BENEATH_ 0x08

/* Opens path (absolute, inside a root) with flags; -1 and *why on failure. */
static int open_confined(const struct mcp_server *srv, const char *path, int flags,
			 const char **why)
{
	const char *rel = NULL, *root = NULL;
	for (const char *const *r = srv->opt.file_roots; r && *r; r++) {
		size_t n = strlen(*r);
		while (n > 1 && (*r)[n - 1] == '/')
			n--;
		if (!strncmp(path, *r, n) && (path[n] == '/' || path[n] == '\0')) {
			root = *r;
			rel = path + n;
			break;
		}
	}
	if (!root) {
		*why = "outside the allowed roots";
		errno = EACCES;
		return -1;
	}
	while (*rel == '/')
		rel++;
	if (!*rel)
		rel = ".";
	int dir = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		*why = "root not available";
		return -1;
	}
	struct open_how_ how = {
		.flags = (uint64_t)(flags | O_CLOEXEC | O_NOCTTY),
		.mode = (flags & O_CREAT) ? 0644 : 0,
		.resolve = RESOLVE_BENEATH_ | RESOLVE_NO_MAGICLINKS_,
	};
	int fd = (int)syscall(SYS_openat2, dir, rel, &how, sizeof how);
	int e = errno;
	close(dir);
	errno = e;
	if (fd < 0)
		*why = errno == EXDEV ? "escapes its root (through .. or a symlink)"
		     : errno == ENOSYS ? "this kernel has no openat2: file tools are disabled"
		     : strerror(errno);
	if (fd < 0 && errno == EXDEV)
		errno = EACCES;
	return fd;
}

static enum tool_status file_list(struct tool_call *c)
{
	const char *path = json_str(json_get(c->args, "path")), *why;
	int fd = open_confined(c->srv, path, O_RDONLY | O_DIRECTORY, &why);
	if (fd < 0)
		return tool_fail(c, "%s: %s", path, why);
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return tool_fail(c, "%s: %s", path, strerror(errno));
	}
	struct jw *w = &c->structured;
	jw_obj(w);
	jw_key(w, "path"); jw_str(w, path);
	jw_key(w, "entries");
	jw_arr(w);
	struct dirent *e;
	size_t n = 0;
	while ((e = readdir(d)) && n < 10000) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		n++;
		jw_obj(w);
		jw_key(w, "name"); jw_str(w, e->d_name);
		jw_key(w, "type");
		jw_str(w, S_ISDIR(st.st_mode) ? "directory" : S_ISREG(st.st_mode) ? "file"
			  : S_ISLNK(st.st_mode) ? "symlink" : "other");
		jw_key(w, "size"); jw_int(w, (int64_t)st.st_size);
		jw_end_obj(w);
	}
	closedir(d);
	jw_end_arr(w);
	jw_end_obj(w);
	return TOOL_DONE;
}

static enum tool_status file_read(struct tool_call *c)
{
	const char *path = json_str(json_get(c->args, "path")), *why;
	int64_t offset = 0, length = 64 * 1024;
	json_int(json_get(c->args, "offset"), &offset);
	json_int(json_get(c->args, "length"), &length);
	int fd = open_confined(c->srv, path, O_RDONLY, &why);
	if (fd < 0)
		return tool_fail(c, "%s: %s", path, why);
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return tool_fail(c, "%s: not a regular file", path);
	}
	char *buf = arena_alloc(c->arena, (size_t)length + 1);
	ssize_t n = buf ? pread(fd, buf, (size_t)length, (off_t)offset) : -1;
	close(fd);
	if (n < 0)
		return tool_fail(c, "%s: %s", path, buf ? strerror(errno) : "out of memory");
	if (!json_utf8_valid(buf, (size_t)n))
		return tool_fail(c, "%s: not UTF-8 text (binary files cannot be read here)", path);
	struct jw *w = &c->structured;
	jw_obj(w);
	jw_key(w, "path"); jw_str(w, path);
	jw_key(w, "size"); jw_int(w, (int64_t)st.st_size);
	jw_key(w, "offset"); jw_int(w, offset);
	jw_key(w, "text"); jw_strn(w, buf, (size_t)n);
	jw_key(w, "eof"); jw_bool(w, offset + n >= st.st_size);
	jw_end_obj(w);
	return TOOL_DONE;
}

static enum tool_status file_write(struct tool_call *c)
{
	const char *path = json_str(json_get(c->args, "path")), *why;
	const struct json *content = json_get(c->args, "content");
	const struct json *append = json_get(c->args, "append");
	bool app = append && append->type == JSON_TRUE;
	if (content->u.str.len > FILES_MAX_IO)
		return tool_fail(c, "content larger than %u bytes", FILES_MAX_IO);
	int fd = open_confined(c->srv, path, O_WRONLY | O_CREAT | (app ? O_APPEND : O_TRUNC), &why);
	if (fd < 0)
		return tool_fail(c, "%s: %s", path, why);
	const char *p = content->u.str.s;
	size_t left = content->u.str.len;
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return tool_fail(c, "%s: %s", path, strerror(e));
		}
		p += n;
		left -= (size_t)n;
	}
	if (close(fd))
		return tool_fail(c, "%s: %s", path, strerror(errno));
	tool_text(c, "wrote %zu bytes to %s", content->u.str.len, path);
	return TOOL_DONE;
}

#define PATH_PROP "\"path\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":4096," \
	"\"description\":\"absolute path inside an allowed root\"}"

static const struct mcp_tool TOOLS[] = {
	{
		.name = "file_list", .title = "List a directory",
		.description = "Entries of a directory under the allowed roots "
			       "(/mnt/models, /var/lib/mcpos, /tmp in the image).",
		.input_schema = "{\"type\":\"object\",\"properties\":{" PATH_PROP "},"
			"\"required\":[\"path\"],\"additionalProperties\":false}",
		.output_schema = "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"},"
			"\"entries\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
			"\"name\":{\"type\":\"string\"},\"type\":{\"type\":\"string\"},"
			"\"size\":{\"type\":\"integer\"}},\"required\":[\"name\",\"type\",\"size\"]}}},"
			"\"required\":[\"path\",\"entries\"]}",
		.read_only = true, .run = file_list,
	},
	{
		.name = "file_read", .title = "Read a text file",
		.description = "Up to 1 MiB of a UTF-8 text file under the allowed roots.",
		.input_schema = "{\"type\":\"object\",\"properties\":{" PATH_PROP ","
			"\"offset\":{\"type\":\"integer\",\"minimum\":0},"
			"\"length\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1048576}},"
			"\"required\":[\"path\"],\"additionalProperties\":false}",
		.output_schema = "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"},"
			"\"size\":{\"type\":\"integer\"},\"offset\":{\"type\":\"integer\"},"
			"\"text\":{\"type\":\"string\"},\"eof\":{\"type\":\"boolean\"}},"
			"\"required\":[\"path\",\"size\",\"text\",\"eof\"]}",
		.read_only = true, .run = file_read,
	},
	{
		.name = "file_write", .title = "Write a text file",
		.description = "Create, replace or append to a file under the allowed roots "
			       "(at most 1 MiB per call).",
		.input_schema = "{\"type\":\"object\",\"properties\":{" PATH_PROP ","
			"\"content\":{\"type\":\"string\"},\"append\":{\"type\":\"boolean\"}},"
			"\"required\":[\"path\",\"content\"],\"additionalProperties\":false}",
		.destructive = true, .run = file_write,
	},
};

int files_register(struct mcp_server *srv, const char **err)
{
	return mcp_add_tools(srv, TOOLS, sizeof TOOLS / sizeof *TOOLS, err);
}
