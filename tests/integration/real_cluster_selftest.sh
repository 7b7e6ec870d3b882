#!/bin/sh
# Checks that the Python integration suites can target a real cluster
# (ES_URL, ES_USERNAME, ES_PASSWORD, ES_CA; see README.md, "Testing") without
# one: it starts an emulator WITHOUT the control API, points ES_URL at it,
# and runs the suites that use tests/lib/esrtest.py's Emulator. Each must end
# "N passed, 0 failed, K skipped" with K > 0 (what needs the emulator is
# skipped), and the plan and apply suites must pass tests too. A control call
# would fail (the emulator has no /_emulator/ routes), so passing also shows
# that no kept test needs the control API.
# Not run by `make test` (it runs the plan and apply suites a second time):
# run it after changing tests/lib/esrtest.py or how a test picks its emulator.
set -u
. "$(dirname "$0")/../lib/preamble.sh"

dir=$(mktemp -d)
trap 'emulator_stop 2>/dev/null; rm -rf "$dir"' EXIT
if ! emulator_start "$dir/emu" "$dir/emulator.log" --clusters local; then
	fail "the emulator starts" "$dir/emulator.log"
	summary
	exit 1
fi
ES_URL=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["local"]["url"])' "$dir/emu/clusters.json")
ES_CA=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["local"]["http_ca_file"])' "$dir/emu/clusters.json")
ES_PASSWORD=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["local"]["password"])' "$dir/emu/clusters.json")
ES_USERNAME=elastic
export ES_URL ES_CA ES_PASSWORD ES_USERNAME

for s in tests/integration/test_plan.py tests/integration/test_apply.py \
	tests/integration/test_preflight.py tests/integration/test_hostile.py \
	tests/integration/test_truth.py; do
	"$PY" "$s" >"$dir/out" 2>&1
	rc=$?
	line=$(tail -n 1 "$dir/out")
	grep -E -A12 '^FAIL' "$dir/out" >"$dir/failures"
	[ -s "$dir/failures" ] || cp "$dir/out" "$dir/failures"
	passed=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, 0 failed, [1-9][0-9]* skipped$/\1/p')
	case "$s:$passed" in
	*:) fail "$s against ES_URL ends \"N passed, 0 failed, K skipped\" (exit $rc, last line: $line)" "$dir/failures" ;;
	*test_plan.py:0 | *test_apply.py:0) fail "$s against ES_URL passes some tests" "$dir/failures" ;;
	*) [ "$rc" = 0 ] && ok "$s against ES_URL: $line" || fail "$s exits 0" "$dir/failures" ;;
	esac
	grep -E '^(ok|skip) ' "$dir/out" | sed 's/^/       /'
done
summary
