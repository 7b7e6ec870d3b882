#include "desired/yaml_events.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

/* The two threads meet once per this many events at most: often enough that
 * neither waits on a full or empty ring, rarely enough that the lock costs
 * little. Each wakes the other only when it waits, so the reader, which is
 * faster, sleeps and wakes about once per batch, and on a busy machine each
 * wakeup is a context switch or two. A no-op plan of the plan benchmark's
 * 5.6 MB fleet made about 6,300 voluntary context switches with batches of
 * 128, 2,100 with 512 and 1,200 with 2,048, for 10% less CPU (issue 12). */
#define HANDOVER_EVERY 2048

struct yevents {
	yaml_parser_t parser; /* the helper's alone while it runs */
	bool ahead;           /* a helper thread parses */
	pthread_t helper;
	pthread_mutex_t lock;
	pthread_cond_t changed; /* events handed over, taken, or the end */
	/* Event i (counted from the start) is in ring[i % YEVENTS_RING]. Under
	 * lock: the reader may read events [taken, made); it is done with those
	 * before taken, which the helper deletes when it reuses their slots (so
	 * that an event's memory is freed by the thread that allocated it). */
	yaml_event_t ring[YEVENTS_RING];
	size_t made;
	size_t taken;
	bool ended;  /* the helper made its last event, or failed */
	bool failed;
	bool stop;   /* the reader closes before the end */
	bool helper_waits, reader_waits;
	/* The reader's own: the next event to read and how far it may read unlocked. */
	size_t next;
	size_t visible;
};

static void *parse_ahead(void *arg)
{
	struct yevents *e = arg;
	size_t room, count, first;
	bool end = false, failed = false;
	yaml_event_t *slot;

	pthread_mutex_lock(&e->lock);
	while (!end) {
		while (!e->stop && e->made - e->taken == YEVENTS_RING) {
			e->helper_waits = true;
			pthread_cond_wait(&e->changed, &e->lock);
			e->helper_waits = false;
		}
		if (e->stop)
			break;
		room = YEVENTS_RING - (e->made - e->taken);
		room = room < HANDOVER_EVERY ? room : HANDOVER_EVERY;
		first = e->made;
		pthread_mutex_unlock(&e->lock);
		/* slots [made, made + room) are the helper's until made moves */
		for (count = 0; count < room && !end; count++) {
			slot = &e->ring[(first + count) % YEVENTS_RING];
			if (first + count >= YEVENTS_RING)
				yaml_event_delete(slot); /* a taken event's slot */
			if (!yaml_parser_parse(&e->parser, slot)) {
				failed = end = true;
				break;
			}
			end = slot->type == YAML_STREAM_END_EVENT;
		}
		pthread_mutex_lock(&e->lock);
		e->made += count;
		e->ended = end;
		e->failed = failed;
		if (e->reader_waits)
			pthread_cond_signal(&e->changed);
	}
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

int yevents_open(struct yevents **out, const char *text, size_t len)
{
	struct yevents *e = calloc(1, sizeof(*e));

	*out = NULL;
	if (!e)
		return -ENOMEM;
	if (!yaml_parser_initialize(&e->parser)) {
		free(e);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&e->parser, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&e->parser, YAML_UTF8_ENCODING);
	if (len >= YEVENTS_AHEAD_MIN && !pthread_mutex_init(&e->lock, NULL)) {
		if (pthread_cond_init(&e->changed, NULL)) {
			pthread_mutex_destroy(&e->lock);
		} else if (pthread_create(&e->helper, NULL, parse_ahead, e)) {
			pthread_cond_destroy(&e->changed);
			pthread_mutex_destroy(&e->lock);
		} else {
			e->ahead = true;
		}
	}
	*out = e;
	return 0;
}

const yaml_event_t *yevents_next(struct yevents *e)
{
	if (!e->ahead) {
		yaml_event_delete(&e->ring[0]);
		return yaml_parser_parse(&e->parser, &e->ring[0]) ? &e->ring[0] : NULL;
	}
	if (e->next == e->visible || e->next - e->taken >= HANDOVER_EVERY) {
		pthread_mutex_lock(&e->lock);
		e->taken = e->next; /* the caller is done with the events before next */
		if (e->helper_waits)
			pthread_cond_signal(&e->changed);
		while (e->made == e->next && !e->ended) {
			e->reader_waits = true;
			pthread_cond_wait(&e->changed, &e->lock);
			e->reader_waits = false;
		}
		e->visible = e->made;
		pthread_mutex_unlock(&e->lock);
		if (e->next == e->visible)
			return NULL; /* the helper ended on a failure: parser says which */
	}
	return &e->ring[e->next++ % YEVENTS_RING];
}

const yaml_parser_t *yevents_parser(const struct yevents *e)
{
	return &e->parser;
}

void yevents_close(struct yevents *e)
{
	size_t i;

	if (!e)
		return;
	if (e->ahead) {
		pthread_mutex_lock(&e->lock);
		e->stop = true;
		if (e->helper_waits)
			pthread_cond_signal(&e->changed);
		pthread_mutex_unlock(&e->lock);
		pthread_join(e->helper, NULL);
		for (i = e->made > YEVENTS_RING ? e->made - YEVENTS_RING : 0; i < e->made; i++)
			yaml_event_delete(&e->ring[i % YEVENTS_RING]);
		pthread_cond_destroy(&e->changed);
		pthread_mutex_destroy(&e->lock);
	} else {
		yaml_event_delete(&e->ring[0]);
	}
	yaml_parser_delete(&e->parser);
	free(e);
}
