#!/bin/sh
# Runs every test suite and ends with one line "N passed, M failed".
#   unit tests (cmocka binaries), the fuzz corpus replay, the emulator's own
#   tests, and the integration tests (tests/integration/test_*.{sh,py}).
# Each suite prints its own summary; a suite that dies without one counts as
# one failure. VALGRIND=1 runs the C binaries under valgrind; ONLY_UNIT=1 skips
# the script suites (integration and emulator tests).
set -u
LC_ALL=C
export LC_ALL
BUILD=${BUILD:-build/default}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
export ESR_BIN="${ESR_BIN:-$ROOT/esreconcile}"
export ESR_PYTHON="$PY"

total_pass=0
total_fail=0
failed_suites=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

vg=""
if [ "${VALGRIND:-0}" = 1 ]; then
	vg="valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect"
fi

count() { # suite-name exit-code pass fail
	total_pass=$((total_pass + $3))
	total_fail=$((total_fail + $4))
	if [ "$2" != 0 ] || [ "$4" != 0 ]; then
		failed_suites="$failed_suites $1"
	fi
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	$vg "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	count "$(basename "$t")" "$rc" "$p" "$f"
done

for r in "$BUILD"/fuzz/*-replay; do
	[ -x "$r" ] || continue
	name=$(basename "$r" -replay)
	$vg "$r" "tests/fuzz/corpus/${name#fuzz_}" >"$log" 2>&1
	rc=$?
	cat "$log"
	if [ $rc = 0 ]; then count "$name" 0 1 0; else count "$name" "$rc" 0 1; fi
done

run_script() { # path
	case "$1" in
	*.py) $PY "$1" ;;
	*) sh "$1" ;;
	esac
}

for s in tests/emulator/run_tests.sh tests/integration/test_*.sh tests/integration/test_*.py; do
	[ -f "$s" ] || continue
	[ "${ONLY_UNIT:-0}" = 1 ] && continue
	echo "== $s"
	run_script "$s" >"$log" 2>&1
	rc=$?
	cat "$log"
	line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	p=$(echo "$line" | sed -n 's/^\([A-Za-z]*: \)\{0,1\}\([0-9]*\) passed.*/\2/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	p=${p:-0}
	f=${f:-0}
	[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	count "$s" "$rc" "$p" "$f"
done

[ -n "$failed_suites" ] && echo "failing suites:$failed_suites"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ] && [ "$total_pass" -gt 0 ]
