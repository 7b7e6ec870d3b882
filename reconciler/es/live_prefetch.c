#include "es/live_prefetch.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "es/live_facts.h"

enum entry_state {
	ENTRY_QUEUED = 0,
	ENTRY_READING, /* a thread reads it */
	ENTRY_READ,    /* as far as it went: done, failed, or stopped */
	ENTRY_TAKEN,   /* the reader has it (or read it itself) */
};

/* One cluster. The entry stays until the prefetch is freed: the connection
 * handed to the reader points at its cfg. */
struct entry {
	struct cluster_config cfg;    /* the copy */
	struct live_cluster facts;    /* facts.cluster_id borrows cfg.id */
	struct es_client *client;
	size_t step;
	enum entry_state state;
};

struct live_prefetch {
	long parallel;
	struct es_client_options client_options; /* the reader's, with cancel */
	atomic_bool stopping;
	atomic_bool cancel;
	pthread_mutex_t lock;
	pthread_cond_t changed; /* an entry queued or read, or stopping */
	struct entry **entries; /* in the order added */
	size_t count, capacity, next;
	pthread_t *threads;
	size_t thread_count;
};

int live_prefetch_new(struct live_prefetch **out, long parallel, const struct es_client_options *client)
{
	struct live_prefetch *pf = calloc(1, sizeof(*pf));

	*out = NULL;
	if (!pf)
		return -ENOMEM;
	pf->parallel = parallel > 0 ? parallel : LIVE_READ_DEFAULT_PARALLEL;
	if (client)
		pf->client_options = *client;
	pf->client_options.cancel = &pf->cancel;
	pf->threads = calloc((size_t)pf->parallel, sizeof(*pf->threads));
	if (!pf->threads || pthread_mutex_init(&pf->lock, NULL)) {
		free(pf->threads);
		free(pf);
		return -ENOMEM;
	}
	if (pthread_cond_init(&pf->changed, NULL)) {
		pthread_mutex_destroy(&pf->lock);
		free(pf->threads);
		free(pf);
		return -ENOMEM;
	}
	*out = pf;
	return 0;
}

static void read_entry(struct live_prefetch *pf, struct entry *e)
{
	char *errmsg = NULL;

	if (es_client_new(&e->client, &e->cfg, &pf->client_options, &errmsg) == -ENOMEM) {
		free(errmsg);
		return; /* nothing read: the reader starts over */
	}
	/* NULL, or why the client could not be made: the reader's own would fail
	 * alike, so it is the cluster's error */
	e->facts.error = errmsg;
	if (live_read_facts(&e->facts, e->client, &e->cfg, &e->step, &pf->stopping)) {
		/* out of memory half-way: the reader starts over */
		e->facts.cluster_id = NULL;
		live_cluster_dispose(&e->facts);
		e->facts = (struct live_cluster){ .cluster_id = e->cfg.id };
		e->step = 0;
	}
}

static void *prefetch_thread(void *arg)
{
	struct live_prefetch *pf = arg;
	struct entry *e;

	pthread_mutex_lock(&pf->lock);
	for (;;) {
		while (!atomic_load(&pf->stopping) && pf->next == pf->count)
			pthread_cond_wait(&pf->changed, &pf->lock);
		if (atomic_load(&pf->stopping))
			break;
		e = pf->entries[pf->next++];
		if (e->state != ENTRY_QUEUED)
			continue; /* taken before its turn */
		e->state = ENTRY_READING;
		pthread_mutex_unlock(&pf->lock);
		read_entry(pf, e);
		pthread_mutex_lock(&pf->lock);
		e->state = ENTRY_READ;
		pthread_cond_broadcast(&pf->changed);
	}
	pthread_mutex_unlock(&pf->lock);
	return NULL;
}

/* The entry of cluster id, or NULL. Called with the lock held. */
static struct entry *find_entry(const struct live_prefetch *pf, const char *id)
{
	size_t i;

	for (i = 0; i < pf->count; i++)
		if (!strcmp(pf->entries[i]->cfg.id, id))
			return pf->entries[i];
	return NULL;
}

static void entry_free(struct entry *e)
{
	if (!e)
		return;
	e->facts.cluster_id = NULL; /* cfg's */
	live_cluster_dispose(&e->facts);
	es_client_free(e->client);
	cluster_config_dispose(&e->cfg);
	free(e);
}

/* Appends e, and starts a thread while fewer than parallel run. Called with
 * the lock held. Returns 0 or -ENOMEM (e not added). */
static int queue_entry(struct live_prefetch *pf, struct entry *e)
{
	struct entry **grown;

	if (pf->count == pf->capacity) {
		size_t capacity = pf->capacity ? 2 * pf->capacity : 16;

		if (!(grown = realloc(pf->entries, capacity * sizeof(*grown)))) /* NOLINT(bugprone-sizeof-expression): pointers */
			return -ENOMEM;
		pf->entries = grown;
		pf->capacity = capacity;
	}
	pf->entries[pf->count++] = e;
	if (pf->thread_count < (size_t)pf->parallel &&
	    !pthread_create(&pf->threads[pf->thread_count], NULL, prefetch_thread, pf))
		pf->thread_count++;
	pthread_cond_signal(&pf->changed);
	return 0;
}

void live_prefetch_add(struct live_prefetch *pf, const struct cluster_config *cfg)
{
	struct entry *e;

	if (!pf || !(e = calloc(1, sizeof(*e))))
		return;
	if (cluster_config_copy(&e->cfg, cfg)) {
		free(e);
		return;
	}
	e->facts.cluster_id = e->cfg.id;
	pthread_mutex_lock(&pf->lock);
	if (atomic_load(&pf->stopping) || find_entry(pf, cfg->id) || queue_entry(pf, e)) {
		pthread_mutex_unlock(&pf->lock);
		entry_free(e);
		return;
	}
	pthread_mutex_unlock(&pf->lock);
}

void live_prefetch_stop(struct live_prefetch *pf)
{
	if (!pf)
		return;
	pthread_mutex_lock(&pf->lock);
	atomic_store(&pf->stopping, true);
	pthread_cond_broadcast(&pf->changed);
	pthread_mutex_unlock(&pf->lock);
}

void live_prefetch_take(struct live_prefetch *pf, struct live_cluster *lc, struct es_client **client_out,
			size_t *step_out)
{
	struct entry *e;

	*client_out = NULL;
	*step_out = 0;
	if (!pf)
		return;
	pthread_mutex_lock(&pf->lock);
	e = find_entry(pf, lc->cluster_id);
	while (e && e->state == ENTRY_READING)
		pthread_cond_wait(&pf->changed, &pf->lock);
	if (e && e->state == ENTRY_READ) {
		live_facts_move(lc, &e->facts);
		*client_out = e->client;
		*step_out = e->step;
		e->client = NULL;
	}
	if (e)
		e->state = ENTRY_TAKEN;
	pthread_mutex_unlock(&pf->lock);
}

void live_prefetch_free(struct live_prefetch *pf)
{
	size_t i;

	if (!pf)
		return;
	atomic_store(&pf->cancel, true);
	live_prefetch_stop(pf);
	for (i = 0; i < pf->thread_count; i++)
		pthread_join(pf->threads[i], NULL);
	for (i = 0; i < pf->count; i++)
		entry_free(pf->entries[i]);
	free(pf->entries);
	free(pf->threads);
	pthread_cond_destroy(&pf->changed);
	pthread_mutex_destroy(&pf->lock);
	free(pf);
}
