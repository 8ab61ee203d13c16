/*
 * schema.h - the part of JSON Schema that tool inputSchemas use.
 *
 * Tools declare their arguments in JSON Schema; mcpd checks every call's
 * arguments against it before the handler runs, so handlers can trust
 * types and required members.  Supported keywords: type (a name or a list
 * of names; "integer" accepts integral numbers), properties, required,
 * additionalProperties (boolean), enum, const, minimum, maximum,
 * minLength, maxLength (in code points), items, minItems, maxItems.
 * Other keywords (description, title, default, $schema, and also $ref,
 * oneOf, anyOf, pattern, format) are not checked: a value they would
 * refuse gets through to the handler, which must not rely on them.
 *
 * schema_check() returns NULL when v is valid, else a message naming the
 * first offending location, allocated in the arena:
 *
 *     arguments.pid: expected integer, got string
 */
#ifndef MCPOS_MCPD_SCHEMA_H
#define MCPOS_MCPD_SCHEMA_H

#include "arena.h"
#include "json.h"

const char *schema_check(const struct json *schema, const struct json *v,
			 const char *where, struct arena *a);

#endif
