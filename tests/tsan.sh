#!/bin/sh
# The commands that talk to several clusters from several threads, built with
# ThreadSanitizer: plan (the reads begun while the desired state loads, the
# read-and-plan pipeline) and apply (clusters, and the requests of one step,
# in parallel). A data race stops the command (halt_on_error), so its test
# fails. watch's suites are left out: ThreadSanitizer holds back the signals
# they send until the process next calls into it. Ends with one
# "N passed, M failed" line.
set -u
. "$(dirname "$0")/lib/preamble.sh"
if ! make --no-print-directory SANITIZER=thread build/san-thread/esreconcile >/dev/null; then
	echo "FAIL the ThreadSanitizer build"
	echo "0 passed, 1 failed"
	exit 1
fi
ESR_BIN=$ROOT/build/san-thread/esreconcile
TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"
export ESR_BIN TSAN_OPTIONS
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for s in tests/integration/test_plan.py tests/integration/test_apply.py; do
	echo "== $s (ThreadSanitizer)"
	"$PY" "$s" >"$log" 2>&1
	rc=$?
	cat "$log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	# no summary, or a failed exit without a failed test: one failure
	if [ -z "$line" ] || { [ "$rc" != 0 ] && [ "${f:-0}" = 0 ]; }; then
		f=$((${f:-0} + 1))
	fi
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
