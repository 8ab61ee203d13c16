/* schema.c - see schema.h. */
#include "schema.h"

#include <string.h>

static bool type_matches(const char *name, const struct json *v)
{
	int64_t ignored;
	if (!strcmp(name, "integer"))
		return json_int(v, &ignored);
	if (!strcmp(name, "number"))
		return json_is_number(v);
	if (!strcmp(name, "boolean"))
		return json_is_bool(v);
	return !strcmp(name, json_type_name(v->type));
}

/* A bound as written in the schema: 1048576, not 1.04858e+06. */
static const char *bound_text(struct arena *a, const struct json *b)
{
	int64_t i;
	if (json_int(b, &i))
		return arena_printf(a, "%lld", (long long)i);
	return arena_printf(a, "%.17g", json_number(b));
}

static size_t utf8_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static const char *check_type(const struct json *type, const struct json *v,
			      const char *where, struct arena *a)
{
	if (type->type == JSON_STRING) {
		if (type_matches(type->u.str.s, v))
			return NULL;
		return arena_printf(a, "%s: expected %s, got %s", where,
				    type->u.str.s, json_type_name(v->type));
	}
	if (type->type == JSON_ARRAY) {
		for (const struct json *t = type->u.kids.head; t; t = t->next)
			if (t->type == JSON_STRING && type_matches(t->u.str.s, v))
				return NULL;
		return arena_printf(a, "%s: %s is not an allowed type", where,
				    json_type_name(v->type));
	}
	return NULL;
}

const char *schema_check(const struct json *schema, const struct json *v,
			 const char *where, struct arena *a)
{
	if (!schema || schema->type != JSON_OBJECT)
		return NULL;   /* true, or no schema: anything goes */
	const struct json *k;
	const char *err;
	if ((k = json_get(schema, "type")) && (err = check_type(k, v, where, a)))
		return err;
	if ((k = json_get(schema, "const")) && !json_equal(k, v))
		return arena_printf(a, "%s: does not have the required value", where);
	if ((k = json_get(schema, "enum")) && k->type == JSON_ARRAY) {
		const struct json *e = k->u.kids.head;
		while (e && !json_equal(e, v))
			e = e->next;
		if (!e)
			return arena_printf(a, "%s: not one of the allowed values", where);
	}
	if (json_is_number(v)) {
		double d = json_number(v);
		if ((k = json_get(schema, "minimum")) && json_is_number(k) && d < json_number(k))
			return arena_printf(a, "%s: must be >= %s", where, bound_text(a, k));
		if ((k = json_get(schema, "maximum")) && json_is_number(k) && d > json_number(k))
			return arena_printf(a, "%s: must be <= %s", where, bound_text(a, k));
	}
	int64_t lim;
	if (v->type == JSON_STRING) {
		size_t n = utf8_chars(v->u.str.s, v->u.str.len);
		if (json_int(json_get(schema, "minLength"), &lim) && (int64_t)n < lim)
			return arena_printf(a, "%s: shorter than %lld characters", where, (long long)lim);
		if (json_int(json_get(schema, "maxLength"), &lim) && (int64_t)n > lim)
			return arena_printf(a, "%s: longer than %lld characters", where, (long long)lim);
	}
	if (v->type == JSON_ARRAY) {
		int64_t n = (int64_t)v->u.kids.count;
		if (json_int(json_get(schema, "minItems"), &lim) && n < lim)
			return arena_printf(a, "%s: fewer than %lld items", where, (long long)lim);
		if (json_int(json_get(schema, "maxItems"), &lim) && n > lim)
			return arena_printf(a, "%s: more than %lld items", where, (long long)lim);
		const struct json *items = json_get(schema, "items");
		size_t i = 0;
		for (const struct json *e = v->u.kids.head; items && e; e = e->next, i++) {
			const char *sub = arena_printf(a, "%s[%zu]", where, i);
			if (!sub)
				return "out of memory";
			if ((err = schema_check(items, e, sub, a)))
				return err;
		}
	}
	if (v->type == JSON_OBJECT) {
		const struct json *props = json_get(schema, "properties");
		const struct json *req = json_get(schema, "required");
		for (const struct json *r = req ? req->u.kids.head : NULL;
		     req && req->type == JSON_ARRAY && r; r = r->next)
			if (r->type == JSON_STRING && !json_get(v, r->u.str.s))
				return arena_printf(a, "%s: missing required property \"%s\"",
						    where, r->u.str.s);
		const struct json *addl = json_get(schema, "additionalProperties");
		for (const struct json *m = v->u.kids.head; m; m = m->next) {
			const struct json *ps = NULL;
			if (props && props->type == JSON_OBJECT)
				for (ps = props->u.kids.head; ps; ps = ps->next)
					if (ps->key_len == m->key_len && !memcmp(ps->key, m->key, m->key_len))
						break;
			const char *sub = arena_printf(a, "%s.%.*s", where, (int)m->key_len, m->key);
			if (!sub)
				return "out of memory";
			if (ps) {
				if ((err = schema_check(ps, m, sub, a)))
					return err;
			} else if (addl && addl->type == JSON_FALSE) {
				return arena_printf(a, "%s: unknown property", sub);
			} else if (addl && addl->type == JSON_OBJECT) {
				if ((err = schema_check(addl, m, sub, a)))
					return err;
			}
		}
	}
	return NULL;
}
