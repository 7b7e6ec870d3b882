/* yaml_events: libyaml's events of one YAML text, parsed ahead.
 *
 * libyaml's parser is most of the cost of loading a file (the tree built from
 * its events, and the checks, are the rest). For a text of YEVENTS_AHEAD_MIN
 * bytes or more a helper thread runs the parser and hands its events over in
 * batches through a ring of YEVENTS_RING events, while the caller builds its
 * tree from the events before: on two cores loading a big desired state takes
 * about the parser's time instead of the sum (issue 12). A smaller text, or
 * one whose helper could not start, is parsed on the caller's thread. Either
 * way the events, their order and a failure are exactly libyaml's.
 *
 * The helper only reads the text (which the caller keeps unchanged until
 * yevents_close()) and touches nothing else; it is always joined before
 * yevents_close() returns, so loading stays a pure function of the files.
 * This is the one thread a pure module starts (docs/architecture.md, Purity). */
#ifndef ESR_DESIRED_YAML_EVENTS_H
#define ESR_DESIRED_YAML_EVENTS_H

#include <stddef.h>

#include <yaml.h>

#define YEVENTS_AHEAD_MIN ((size_t)64 << 10)
#define YEVENTS_RING 8192

struct yevents;

/* Starts parsing text[0..len) as UTF-8; *out is the caller's, closed with
 * yevents_close(). Returns 0 or -ENOMEM. */
int yevents_open(struct yevents **out, const char *text, size_t len);

/* The next event, owned by events and valid until the next call (the helper
 * frees it in the thread that made it), or NULL when the parser failed
 * (yevents_parser() says why). Not called again after YAML_STREAM_END_EVENT
 * or a failure. */
const yaml_event_t *yevents_next(struct yevents *events);

/* The parser, for its error fields once yevents_next() returned 0; borrowed. */
const yaml_parser_t *yevents_parser(const struct yevents *events);

/* Stops the helper (the events not taken are freed) and frees everything; NULL-safe. */
void yevents_close(struct yevents *events);

#endif
