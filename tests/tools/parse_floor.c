/* parse_floor: the plan benchmark's floor (tests/bench/bench.py). A no-op plan
 * cannot cost less CPU than the libraries it must run: libyaml's parser over
 * the desired-state files and cJSON's parse of the clusters' answers. This
 * driver runs exactly that and nothing else: every YAML event is made and
 * deleted (no tree, no check), every JSON answer parsed and deleted. It prints
 * the CPU (user + sys, getrusage) of each part, the least over RUNS passes.
 *
 * usage: parse_floor [--runs N] [--yaml FILE...] [--json FILE...]
 * Output: one JSON object on stdout:
 *   {"yaml_bytes": n, "yaml_events": n, "yaml_cpu": s, "json_bytes": n, "json_answers": n, "json_cpu": s}
 * Exit: 0 printed, 1 a file could not be read or did not parse, 64 usage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cjson/cJSON.h>
#include <yaml.h>

#include "util/buf.h"

#define MAX_FILE ((size_t)256 << 20)

struct input {
	char *text;
	size_t len;
};

static double cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Every event of text made and deleted; the count goes to *events. Returns 0 or -EINVAL. */
static int yaml_events_only(const struct input *in, long *events)
{
	yaml_parser_t parser;
	yaml_event_t event;
	int err = 0, end = 0;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)in->text, in->len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	while (!err && !end) {
		if (!yaml_parser_parse(&parser, &event)) {
			err = -EINVAL;
			break;
		}
		end = event.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&event);
		(*events)++;
	}
	yaml_parser_delete(&parser);
	return err;
}

/* The answer parsed into a tree and deleted. Returns 0 or -EINVAL. */
static int json_parse_only(const struct input *in, long *parsed)
{
	cJSON *tree = cJSON_ParseWithLength(in->text, in->len);

	if (!tree)
		return -EINVAL;
	cJSON_Delete(tree);
	(*parsed)++;
	return 0;
}

/* The least CPU of runs passes of parse over inputs[0..count); *counted is what
 * one pass counted (events, answers). */
static int time_passes(int (*parse)(const struct input *, long *), const struct input *inputs,
		       size_t count, int runs, double *least, long *counted)
{
	double started;
	size_t i;
	int run, err = 0;

	*least = -1;
	for (run = 0; !err && run < runs; run++) {
		*counted = 0;
		started = cpu_now();
		for (i = 0; !err && i < count; i++)
			err = parse(&inputs[i], counted);
		if (!err && (*least < 0 || cpu_now() - started < *least))
			*least = cpu_now() - started;
	}
	return err;
}

static size_t total_bytes(const struct input *inputs, size_t count)
{
	size_t i, n = 0;

	for (i = 0; i < count; i++)
		n += inputs[i].len;
	return n;
}

int main(int argc, char **argv)
{
	struct input *yaml = calloc((size_t)argc, sizeof(*yaml)), *json = calloc((size_t)argc, sizeof(*json));
	size_t yaml_count = 0, json_count = 0, i;
	double yaml_cpu = 0, json_cpu = 0;
	long events = 0, answers = 0;
	int runs = 3, which = 0, status = 1, a;

	if (!yaml || !json)
		goto done;
	for (a = 1; a < argc; a++) {
		struct buf text;

		if (!strcmp(argv[a], "--runs") && a + 1 < argc) {
			runs = (int)strtol(argv[++a], NULL, 10);
			continue;
		}
		if (!strcmp(argv[a], "--yaml") || !strcmp(argv[a], "--json")) {
			which = argv[a][2] == 'y' ? 1 : 2;
			continue;
		}
		if (!which || runs < 1) {
			fprintf(stderr, "usage: parse_floor [--runs N] [--yaml FILE...] [--json FILE...]\n");
			status = 64;
			goto done;
		}
		buf_init(&text, MAX_FILE);
		if (buf_append_file(&text, argv[a]) < 0) {
			fprintf(stderr, "parse_floor: cannot read %s\n", argv[a]);
			buf_dispose(&text);
			goto done;
		}
		if (which == 1)
			yaml[yaml_count++] = (struct input){ .text = text.data, .len = text.len };
		else
			json[json_count++] = (struct input){ .text = text.data, .len = text.len };
	}
	if (time_passes(yaml_events_only, yaml, yaml_count, runs, &yaml_cpu, &events) ||
	    time_passes(json_parse_only, json, json_count, runs, &json_cpu, &answers)) {
		fprintf(stderr, "parse_floor: a file did not parse\n");
		goto done;
	}
	printf("{\"yaml_bytes\": %zu, \"yaml_events\": %ld, \"yaml_cpu\": %.4f, "
	       "\"json_bytes\": %zu, \"json_answers\": %ld, \"json_cpu\": %.4f}\n",
	       total_bytes(yaml, yaml_count), events, yaml_cpu > 0 ? yaml_cpu : 0,
	       total_bytes(json, json_count), answers, json_cpu > 0 ? json_cpu : 0);
	status = 0;
done:
	for (i = 0; yaml && i < yaml_count; i++)
		free(yaml[i].text);
	for (i = 0; json && i < json_count; i++)
		free(json[i].text);
	free(yaml);
	free(json);
	return status;
}
