# The setup every shell script of the tests, the benchmarks and the demo shares
# (POSIX sh; the scripts run under `sh`). A script sources it by its own path:
#     . "$(dirname "$0")/../lib/preamble.sh"        (tests/<dir>/<script>.sh)
#     . "$(dirname "$0")/lib/preamble.sh"           (tests/run_all.sh)
#     . "$(dirname "$0")/../tests/lib/preamble.sh"  (examples/demo.sh)
# It sets
#   ROOT      the repository (the directory above the script that holds
#             tests/lib/preamble.sh), and changes to it
#   LC_ALL=C  (exported)
#   PY        $ESR_PYTHON, else /usr/bin/python3 (the interpreter the tests run
#             under), else python3; exported as ESR_PYTHON for the scripts it runs
#   ESR_BIN   $ESR_BIN, else $ROOT/esreconcile (exported)
# and defines
#   ok NAME                       counts a passed test and prints "ok   NAME"
#   fail NAME [FILE|TEXT]         counts a failed test, prints "FAIL NAME" and the
#                                 detail (the first 15 lines of FILE, indented)
#   summary                       prints "N passed, M failed" (a script that ran no
#                                 test fails); returns 0 when nothing failed
#   emulator_start DIR LOG [esemu.py options...]
#                                 starts tests/emulator/esemu.py in the background
#                                 with --state-dir DIR, sets EMU_PID, and returns
#                                 once DIR/clusters.json exists (1 after 60 s or
#                                 when the emulator died)
#   emulator_stop                 stops it (SIGTERM) and waits
#   emulator_exports DIR          prints `export` lines for ES_<ID>_URL, _CA,
#                                 _PASSWORD and _TRANSPORT_CA of every cluster (ID
#                                 upper-cased, '-' as '_'), as the examples expect

ROOT=$(cd "$(dirname "$0")" && pwd)
while [ ! -f "$ROOT/tests/lib/preamble.sh" ]; do
	if [ "$ROOT" = / ]; then
		echo "preamble: no repository above $0" >&2
		exit 1
	fi
	ROOT=$(dirname "$ROOT")
done
cd "$ROOT" || exit 1

LC_ALL=C
export LC_ALL

if [ -n "${ESR_PYTHON:-}" ]; then
	PY=$ESR_PYTHON
elif [ -x /usr/bin/python3 ]; then
	PY=/usr/bin/python3
else
	PY=python3
fi
ESR_PYTHON=$PY
export ESR_PYTHON

ESR_BIN=${ESR_BIN:-$ROOT/esreconcile}
export ESR_BIN

# ---- test counting

passed=0
failed=0

ok() {
	passed=$((passed + 1))
	echo "ok   $1"
}

fail() {
	failed=$((failed + 1))
	echo "FAIL $1"
	if [ -f "${2:-}" ]; then
		sed 's/^/       /' "$2" | head -n 15
	elif [ -n "${2:-}" ]; then
		echo "       $2"
	fi
}

summary() {
	if [ $((passed + failed)) = 0 ]; then
		fail "no test ran"
	fi
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}

# ---- the emulator in the background

emulator_start() {
	_emu_dir=$1
	_emu_log=$2
	shift 2
	"$PY" "$ROOT/tests/emulator/esemu.py" --state-dir "$_emu_dir" "$@" >"$_emu_log" 2>&1 &
	EMU_PID=$!
	_emu_wait=0
	while [ ! -f "$_emu_dir/clusters.json" ]; do
		_emu_wait=$((_emu_wait + 1))
		if [ $_emu_wait -gt 600 ] || ! kill -0 "$EMU_PID" 2>/dev/null; then
			cat "$_emu_log" >&2
			echo "the emulator did not start" >&2
			return 1
		fi
		sleep 0.1
	done
}

emulator_stop() {
	if [ -n "${EMU_PID:-}" ]; then
		kill "$EMU_PID" 2>/dev/null && wait "$EMU_PID" 2>/dev/null
		EMU_PID=""
	fi
	return 0
}

emulator_exports() {
	"$PY" - "$1/clusters.json" <<'PYEOF'
import json, shlex, sys
for cid, c in json.load(open(sys.argv[1])).items():
    p = "ES_" + cid.upper().replace("-", "_")
    for key, field in (("URL", "url"), ("CA", "http_ca_file"), ("PASSWORD", "password"),
                       ("TRANSPORT_CA", "transport_ca_file")):
        print("export %s_%s=%s" % (p, key, shlex.quote(c[field])))
PYEOF
}
