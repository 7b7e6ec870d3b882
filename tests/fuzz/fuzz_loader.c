/* Fuzz target for the desired-state loader: any bytes, as one YAML file.
 * Built with libFuzzer by `make fuzz`, and as a corpus replay (with
 * standalone_driver.c) by `make unit-tests`. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "desired/loader.h"
#include "util/diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct desired_state *state = NULL;
	struct diag_list diags;

	if (!sink)
		sink = fopen("/dev/null", "w");
	diag_list_init(&diags);
	desired_load_buffer(&state, "fuzz.yaml", (const char *)data, size, &diags);
	if (sink) {
		/* the printers walk every diagnostic, source line and caret */
		diag_print_text(&diags, sink, true);
		diag_print_json(&diags, sink);
	}
	desired_state_free(state);
	diag_list_dispose(&diags);
	return 0;
}
