/*
 * test_mkcpio_manifest.c - the mkcpio manifest parser: what it accepts,
 * what it makes of it, and that every kind of bad line is rejected with
 * its line number and a message that says what is wrong.
 */
#include "check.h"
#include "manifest.h"

#include <stdlib.h>

#define SUITE "mkcpio manifest"

static int parse(struct manifest *m, const char *text, struct manifest_error *err)
{
	return manifest_parse(m, text, strlen(text), NULL, 0, err);
}

/* Parse text that must fail; returns 1 if it failed on line `line` with a
 * message containing `want` and left nothing behind. */
static int fails_with(const char *text, unsigned line, const char *want)
{
	struct manifest m;
	struct manifest_error err;

	if (parse(&m, text, &err) == 0) {
		printf("#   accepted: %s\n", text);
		manifest_free(&m);
		return 0;
	}
	if (err.line != line || !strstr(err.msg, want)) {
		printf("#   line %u: %s (wanted line %u: ...%s...)\n", err.line, err.msg,
		       line, want);
		return 0;
	}
	return m.count == 0 && m.entries == NULL;
}

static const char example[] =
	"# the root of a small system\n"
	"\n"
	"dir   /bin 0755 0 0\n"
	"file  /bin/init build/init 0755 0 0   # PID 1\n"
	"slink /init bin/init 0777 0 0\n"
	"\tdir\t/dev\t0755\t0\t0\t\n"
	"nod   /dev/console 0600 0 5 c 5 1\n"
	"nod   /dev/sda 0660 0 6 b 8 0\n"
	"pipe  /dev/initctl 0600 0 0\n"
	"sock  /dev/log 0666 0 0\n"
	"dir   /tmp 1777 4294967295 65534";        /* no final newline */

int main(void)
{
	TEST(SUITE, "parses every kind with its fields") {
		struct manifest m;
		struct manifest_error err;
		CHECK_EQ(parse(&m, example, &err), 0);
		CHECK_EQ(m.count, 9);
		if (m.count == 9) {
			const struct manifest_entry *e = m.entries;
			CHECK_EQ(e[0].kind, MANIFEST_DIR);
			CHECK_STR(e[0].path, "/bin");
			CHECK_EQ(e[0].perm, 0755);
			CHECK_EQ(e[0].line, 3);
			CHECK(e[0].source == NULL);
			CHECK_EQ(e[1].kind, MANIFEST_FILE);
			CHECK_STR(e[1].path, "/bin/init");
			CHECK_STR(e[1].source, "build/init");
			CHECK_EQ(e[1].line, 4);
			CHECK_EQ(e[2].kind, MANIFEST_SLINK);
			CHECK_STR(e[2].source, "bin/init");
			CHECK_EQ(e[2].perm, 0777);
			CHECK_EQ(e[3].kind, MANIFEST_DIR);
			CHECK_STR(e[3].path, "/dev");
			CHECK_EQ(e[4].kind, MANIFEST_NOD);
			CHECK_EQ(e[4].devtype, 'c');
			CHECK_EQ(e[4].major, 5);
			CHECK_EQ(e[4].minor, 1);
			CHECK_EQ(e[4].gid, 5);
			CHECK_EQ(e[5].devtype, 'b');
			CHECK_EQ(e[5].major, 8);
			CHECK_EQ(e[5].minor, 0);
			CHECK_EQ(e[6].kind, MANIFEST_PIPE);
			CHECK_EQ(e[7].kind, MANIFEST_SOCK);
			CHECK_EQ(e[7].perm, 0666);
			CHECK_EQ(e[8].perm, 01777);
			CHECK_EQ(e[8].uid, 4294967295u);
			CHECK_EQ(e[8].gid, 65534);
			CHECK_EQ(e[8].line, 11);
		}
		manifest_free(&m);
		CHECK(m.entries == NULL && m.count == 0);
	}

	TEST(SUITE, "empty and comment-only manifests have no entries") {
		struct manifest m;
		struct manifest_error err;
		CHECK_EQ(parse(&m, "", &err), 0);
		CHECK_EQ(m.count, 0);
		manifest_free(&m);
		CHECK_EQ(parse(&m, "# nothing\n\n   \n\t# still nothing\n", &err), 0);
		CHECK_EQ(m.count, 0);
		manifest_free(&m);
	}

	TEST(SUITE, "CRLF line ends and a '#' inside a field") {
		struct manifest m;
		struct manifest_error err;
		CHECK_EQ(parse(&m, "dir /a#b 0755 0 0\r\ndir /c 0700 1 2 #x\r\n", &err), 0);
		CHECK_EQ(m.count, 2);
		if (m.count == 2) {
			CHECK_STR(m.entries[0].path, "/a#b");
			CHECK_EQ(m.entries[1].gid, 2);
		}
		manifest_free(&m);
	}

	TEST(SUITE, "${NAME} is substituted inside a field") {
		const struct manifest_var vars[] = {
			{ "BUILD", "build/x86_64" },
			{ "SP", "a b" },
			{ "MODE", "0700" },
			{ "BUILD", "build/aarch64" },   /* the last definition wins */
			{ "E", "" },
		};
		const char *text =
			"dir /d${E}ir ${MODE} 0 0\n"
			"file /dir/init ${BUILD}/init 0755 0 0\n"
			"file /dir/sp ${SP}$x${E}$ 0644 0 0\n";
		struct manifest m;
		struct manifest_error err;
		CHECK_EQ(manifest_parse(&m, text, strlen(text), vars, 5, &err), 0);
		CHECK_EQ(m.count, 3);
		if (m.count == 3) {
			CHECK_STR(m.entries[0].path, "/dir");
			CHECK_EQ(m.entries[0].perm, 0700);
			CHECK_STR(m.entries[1].source, "build/aarch64/init");
			CHECK_STR(m.entries[2].source, "a b$x$");
		}
		manifest_free(&m);
	}

	TEST(SUITE, "an undefined variable names itself and its line") {
		CHECK(fails_with("dir /a 0755 0 0\nfile /a/b ${NOPE}/x 0644 0 0\n",
				 2, "undefined variable ${NOPE}"));
		CHECK(fails_with("dir /a${X 0755 0 0\n", 1, "unterminated ${"));
		CHECK(fails_with("dir /a${1X} 0755 0 0\n", 1, "bad variable name '${1X}'"));
		CHECK(fails_with("dir /a${} 0755 0 0\n", 1, "bad variable name"));
		/* a comment is not substituted */
		CHECK(fails_with("dir /a 0755 0 0 # ${NOPE}\ndir /a 0 0 0\n", 2, "duplicate"));
	}

	TEST(SUITE, "bad paths are rejected") {
		CHECK(fails_with("dir bin 0755 0 0\n", 1, "PATH 'bin' is not absolute"));
		CHECK(fails_with("dir / 0755 0 0\n", 1, "root"));
		CHECK(fails_with("dir /a 0755 0 0\ndir /a/../b 0755 0 0\n", 2, "'..' component"));
		CHECK(fails_with("dir /a/. 0755 0 0\n", 1, "'.' component"));
		CHECK(fails_with("dir //a 0755 0 0\n", 1, "empty component"));
		CHECK(fails_with("dir /a/ 0755 0 0\n", 1, "empty component"));
		CHECK(fails_with("dir /a\x01 0755 0 0\n", 1, "control character"));
		CHECK(fails_with("dir /a\x7f 0755 0 0\n", 1, "control character"));
	}

	TEST(SUITE, "path length limits: 4095 bytes, 255 per component") {
		/* A component of 255 bytes is fine, 256 is not. */
		char text[8192], *p = text;
		p += sprintf(p, "dir /");
		for (int i = 0; i < 255; i++)
			*p++ = 'a';
		p += sprintf(p, " 0755 0 0\ndir /");
		for (int i = 0; i < 256; i++)
			*p++ = 'b';
		p += sprintf(p, " 0755 0 0\n");
		CHECK(fails_with(text, 2, "component longer than 255 bytes"));

		/* Nested dirs of 100-byte names, then a pipe that brings the
		 * path to exactly 4095 bytes: accepted.  4096: rejected. */
		static char big[4096 * 48];
		char path[4200] = "", *q = path, *b = big;
		size_t depth = 0;
		while (q - path + 101 <= 4095) {
			*q++ = '/';
			memset(q, 'c', 100);
			q += 100;
			*q = '\0';
			b += sprintf(b, "dir %s 0755 0 0\n", path);
			depth++;
		}
		size_t used = (size_t)(q - path);
		size_t fill = 4095 - used - 1;          /* leaves one byte for '/' */
		*q++ = '/';
		memset(q, 'd', fill);
		q[fill] = '\0';
		CHECK_EQ(strlen(path), 4095);
		sprintf(b, "pipe %s 0644 0 0\n", path);
		struct manifest m;
		struct manifest_error err;
		CHECK_EQ(parse(&m, big, &err), 0);
		CHECK_EQ(m.count, depth + 1);
		manifest_free(&m);
		/* One byte more is too long. */
		q[fill] = 'd';
		q[fill + 1] = '\0';
		CHECK_EQ(strlen(path), 4096);
		sprintf(b, "pipe %s 0644 0 0\n", path);
		CHECK_EQ(parse(&m, big, &err), -1);
		CHECK(strstr(err.msg, "too long") != NULL);
		CHECK_EQ(err.line, depth + 1);
	}

	TEST(SUITE, "unknown kinds and wrong field counts") {
		CHECK(fails_with("\n\nfifo /p 0644 0 0\n", 3, "unknown kind 'fifo'"));
		CHECK(fails_with("dir /a 0755 0\n", 1, "too few fields for dir: expected 'dir PATH MODE UID GID'"));
		CHECK(fails_with("dir /a 0755 0 0 0\n", 1, "too many fields for dir"));
		CHECK(fails_with("file /a src 0644 0\n", 1, "too few fields for file"));
		CHECK(fails_with("file /a src 0644 0 0 9\n", 1, "too many fields for file"));
		CHECK(fails_with("slink /a 0777 0 0\n", 1, "too few fields for slink"));
		CHECK(fails_with("nod /c 0600 0 0 c 5\n", 1, "too few fields for nod"));
		CHECK(fails_with("nod /c 0600 0 0 c 5 1 1\n", 1, "too many fields for nod"));
		CHECK(fails_with("pipe /p 0600 0 0 0\n", 1, "too many fields for pipe"));
		CHECK(fails_with("sock /s 0600\n", 1, "too few fields for sock"));
		CHECK(fails_with("dir\n", 1, "too few fields for dir"));
	}

	TEST(SUITE, "numbers that do not parse") {
		CHECK(fails_with("dir /a 0759 0 0\n", 1, "bad MODE '0759': expected octal digits"));
		CHECK(fails_with("dir /a 010000 0 0\n", 1, "bad MODE '010000': more than 07777"));
		CHECK(fails_with("dir /a 0x1ed 0 0\n", 1, "bad MODE"));
		CHECK(fails_with("dir /a -755 0 0\n", 1, "bad MODE"));
		CHECK(fails_with("dir /a 0755 4294967296 0\n", 1, "bad UID '4294967296'"));
		CHECK(fails_with("dir /a 0755 0 99999999999999999999999\n", 1, "bad GID"));
		CHECK(fails_with("dir /a 0755 root 0\n", 1, "bad UID 'root': expected a decimal number"));
		CHECK(fails_with("dir /a 0755 0 +1\n", 1, "bad GID"));
		CHECK(fails_with("nod /c 0600 0 0 x 5 1\n", 1, "bad device type 'x'"));
		CHECK(fails_with("nod /c 0600 0 0 cc 5 1\n", 1, "bad device type 'cc'"));
		CHECK(fails_with("nod /c 0600 0 0 c 4096 1\n", 1, "bad MAJ '4096': more than 4095"));
		CHECK(fails_with("nod /c 0600 0 0 b 1 1048576\n", 1, "bad MIN"));
		const struct manifest_var empty = { "E", "" };
		struct manifest m;
		struct manifest_error err;
		const char *t = "dir /a ${E} 0 0\n";
		CHECK_EQ(manifest_parse(&m, t, strlen(t), &empty, 1, &err), -1);
		CHECK_STR(err.msg, "empty MODE");
		t = "file /a ${E} 0644 0 0\n";
		CHECK_EQ(manifest_parse(&m, t, strlen(t), &empty, 1, &err), -1);
		CHECK_STR(err.msg, "empty SOURCE");
	}

	TEST(SUITE, "largest numbers are accepted") {
		struct manifest m;
		struct manifest_error err;
		CHECK_EQ(parse(&m, "nod /c 07777 4294967295 0 b 4095 1048575\n", &err), 0);
		CHECK_EQ(m.count, 1);
		if (m.count == 1) {
			CHECK_EQ(m.entries[0].perm, 07777);
			CHECK_EQ(m.entries[0].major, 4095);
			CHECK_EQ(m.entries[0].minor, 1048575);
		}
		manifest_free(&m);
	}

	TEST(SUITE, "parents come first, paths once") {
		CHECK(fails_with("file /bin/sh sh 0755 0 0\n", 1,
				 "parent directory /bin of /bin/sh is not declared before this line"));
		CHECK(fails_with("file /bin/sh sh 0755 0 0\ndir /bin 0755 0 0\n", 1, "parent directory /bin"));
		CHECK(fails_with("file /bin sh 0755 0 0\nfile /bin/sh sh 0755 0 0\n", 2,
				 "parent /bin of /bin/sh is a file (line 1), not a dir"));
		CHECK(fails_with("slink /bin x 0777 0 0\npipe /bin/p 0644 0 0\n", 2, "is a slink"));
		CHECK(fails_with("dir /a 0755 0 0\n\ndir /a 0700 0 0\n", 3,
				 "duplicate path /a (first on line 1)"));
		CHECK(fails_with("dir /a 0755 0 0\nfile /a x 0700 0 0\n", 2, "duplicate path /a"));
		CHECK(fails_with("dir /a 0755 0 0\ndir /a/b 0755 0 0\ndir /a/b/c 0755 0 0\n"
				 "dir /a/c/b 0755 0 0\n", 4, "parent directory /a/c"));
	}

	TEST(SUITE, "the TARGET of a symlink is checked") {
		CHECK(fails_with("slink /l a\x02 0777 0 0\n", 1, "TARGET 'a\x02' has a control character"));
		char *text = malloc(5000);
		char *p = text + sprintf(text, "slink /l ");
		memset(p, 't', 4096);
		strcpy(p + 4096, " 0777 0 0\n");
		CHECK(fails_with(text, 1, "TARGET is too long"));
		free(text);
		/* Relative targets and ".." are fine in a target. */
		struct manifest m;
		struct manifest_error err;
		CHECK_EQ(parse(&m, "slink /l ../x/./y 0777 0 0\n", &err), 0);
		manifest_free(&m);
	}

	TEST(SUITE, "a NUL byte is an error, not the end of the text") {
		struct manifest m;
		struct manifest_error err;
		const char text[] = "dir /a 0755 0 0\ndir /b\0x 0755 0 0\n";
		CHECK_EQ(manifest_parse(&m, text, sizeof(text) - 1, NULL, 0, &err), -1);
		CHECK_EQ(err.line, 2);
		CHECK(strstr(err.msg, "NUL") != NULL);
		const char comment[] = "# \0\n";
		CHECK_EQ(manifest_parse(&m, comment, sizeof(comment) - 1, NULL, 0, &err), -1);
	}

	TEST(SUITE, "thousands of entries: order kept, every duplicate found") {
		/* 64 dirs with 100 pipes each: grows the entry array and the path
		 * table many times over. */
		size_t cap = 64 * 101 * 40 + 64;
		char *text = malloc(cap), *p = text;
		for (int d = 0; d < 64; d++) {
			p += sprintf(p, "dir /d%d 0755 0 0\n", d);
			for (int f = 0; f < 100; f++)
				p += sprintf(p, "pipe /d%d/p%d 0644 %d %d\n", d, f, d, f);
		}
		struct manifest m;
		struct manifest_error err;
		CHECK_EQ(parse(&m, text, &err), 0);
		CHECK_EQ(m.count, 64 * 101);
		int in_order = 1;
		for (size_t i = 0; i < m.count; i++) {
			char want[32];
			size_t d = i / 101, f = i % 101;
			if (f == 0)
				sprintf(want, "/d%zu", d);
			else
				sprintf(want, "/d%zu/p%zu", d, f - 1);
			if (strcmp(m.entries[i].path, want) != 0 || m.entries[i].line != i + 1)
				in_order = 0;
		}
		CHECK(in_order);
		manifest_free(&m);
		/* Every one of them, repeated at the end, is a duplicate. */
		int all_found = 1;
		for (int d = 0; d < 64; d += 7) {
			for (int f = 0; f < 100; f += 13) {
				sprintf(p, "pipe /d%d/p%d 0644 0 0\n", d, f);
				if (parse(&m, text, &err) == 0) {
					manifest_free(&m);
					all_found = 0;
				} else if (err.line != 64 * 101 + 1 || !strstr(err.msg, "duplicate")) {
					all_found = 0;
				}
				*p = '\0';
			}
		}
		CHECK(all_found);
		free(text);
	}

	TEST(SUITE, "variable names") {
		CHECK(manifest_var_name_valid("A", 1));
		CHECK(manifest_var_name_valid("_a1", 3));
		CHECK(!manifest_var_name_valid("1a", 2));
		CHECK(!manifest_var_name_valid("", 0));
		CHECK(!manifest_var_name_valid("a-b", 3));
		CHECK(!manifest_var_name_valid("a b", 3));
	}

	TEST(SUITE, "kind names") {
		CHECK_STR(manifest_kind_name(MANIFEST_DIR), "dir");
		CHECK_STR(manifest_kind_name(MANIFEST_NOD), "nod");
		CHECK_STR(manifest_kind_name(MANIFEST_SOCK), "sock");
	}

	return check_done();
}
