#!/bin/sh
# Runs every test suite and ends with one line "N passed, M failed".
#   unit tests (cmocka binaries), the fuzz corpus replay, the emulator's own
#   tests, and the integration tests (tests/integration/test_*.{sh,py}).
# Each suite prints its own summary; a suite that dies, or ends, without one
# counts as one failure: a C unit binary without cmocka's "[  PASSED  ]" or
# "[  FAILED  ]" line, a fuzz replay without its "N inputs replayed" line, a
# script without a "N passed, M failed" line. No unit binary or no fuzz replay
# under $BUILD is a failure too (build them with `make unit-tests`).
# VALGRIND=1 runs the C binaries under valgrind; ONLY_UNIT=1 skips the script
# suites (integration and emulator tests).
set -u
. "$(dirname "$0")/lib/preamble.sh"
BUILD=${BUILD:-build/default}

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

units=0
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	units=$((units + 1))
	$vg "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	if ! grep -Eq '^\[  (PASSED|FAILED)  \] [0-9]+ test' "$log"; then
		echo "FAIL $t: no cmocka summary line"
		[ "$f" = 0 ] && f=1
	fi
	[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	count "$(basename "$t")" "$rc" "$p" "$f"
done
if [ "$units" = 0 ]; then
	echo "FAIL no unit test binary under $BUILD/tests"
	count "unit-tests" 1 0 1
fi

replays=0
for r in "$BUILD"/fuzz/*-replay; do
	[ -x "$r" ] || continue
	replays=$((replays + 1))
	name=$(basename "$r" -replay)
	$vg "$r" "tests/fuzz/corpus/${name#fuzz_}" >"$log" 2>&1
	rc=$?
	cat "$log"
	if [ $rc = 0 ] && ! grep -Eq ': [1-9][0-9]* inputs replayed$' "$log"; then
		echo "FAIL $r: no \"N inputs replayed\" line with N > 0"
		rc=1
	fi
	if [ $rc = 0 ]; then count "$name" 0 1 0; else count "$name" "$rc" 0 1; fi
done
if [ "$replays" = 0 ]; then
	echo "FAIL no fuzz replay under $BUILD/fuzz"
	count "fuzz-replay" 1 0 1
fi

run_script() { # path
	case "$1" in
	*.py) "$PY" "$1" ;;
	*) sh "$1" ;;
	esac
}

# The plan cases need no emulator: they run with the unit tests (and under valgrind).
for s in tests/plan_cases/run.py tests/emulator/run_tests.sh tests/integration/test_*.sh \
	tests/integration/test_*.py; do
	[ -f "$s" ] || continue
	case "$s" in
	tests/plan_cases/*) ;;
	*) [ "${ONLY_UNIT:-0}" = 1 ] && continue ;;
	esac
	echo "== $s"
	run_script "$s" >"$log" 2>&1
	rc=$?
	cat "$log"
	line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL $s: no \"N passed, M failed\" line"
		count "$s" "$rc" 0 1
		continue
	fi
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
