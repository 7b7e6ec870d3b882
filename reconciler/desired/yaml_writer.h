/* yaml_writer: a desired-state document, given as a cJSON tree, written as
 * YAML in the style of the examples, such that the loader (yaml_doc.h) reads
 * back exactly the values of the tree.
 *
 * Style: block mappings indented by two spaces, a blank line between the
 * top-level sections, lists of scalars in flow style ([a, b]) when they fit on
 * the line, lists of mappings as blocks; strings plain when the YAML 1.2 core
 * schema keeps them strings and no YAML 1.1 reader would take them for
 * something else, double-quoted otherwise; "${" written "$${", so nothing is
 * interpolated on the way back.
 *
 * Two conventions mark what the tree cannot say:
 * - a member of type cJSON_Raw under a key: its text is the value, written as
 *   it is (an interpolation placeholder such as "${ES_LOCAL_PASSWORD}");
 * - a member of type cJSON_Raw under the empty key (no desired-state key is
 *   empty): comment lines at that place, one "# " line per line of its text.
 *
 * Pure: nothing but the buffer is touched; nothing is kept. */
#ifndef ESR_DESIRED_YAML_WRITER_H
#define ESR_DESIRED_YAML_WRITER_H

#include <cjson/cJSON.h>

#include "util/buf.h"

/* Appends the mapping `document` as a YAML document. Returns 0, -EINVAL when
 * document is not an object, or -ENOSPC / -ENOMEM from the buffer. */
int yaml_write_document(struct buf *out, const cJSON *document);

/* Appends s as a YAML scalar that reads back as the string s: plain when
 * safe, else double-quoted; "${" as "$${". Returns 0 or a negative errno. */
int yaml_write_string(struct buf *out, const char *s);

#endif
