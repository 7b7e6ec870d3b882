/* path: building Elasticsearch request paths from names, without any I/O, so
 * the plan stage can write the paths of its requests without linking the HTTP
 * client. What is returned belongs to the caller. */
#ifndef ESR_ES_PATH_H
#define ESR_ES_PATH_H

/* Percent-encodes a role or user name for use as one path segment
 * ("a b/c" -> "a%20b%2Fc"; the dot segments "." and ".." -> "%2E", "%2E%2E").
 * Returns NULL on allocation failure; the caller frees. */
char *es_escape_path_segment(const char *segment);

#endif
