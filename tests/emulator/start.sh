# Shell helpers to run the emulator from scripts (demo, benchmarks); source it.
#   emulator_start STATE_DIR LOG_FILE [esemu.py options...]
#       starts esemu.py in the background, sets EMU_PID, and returns once
#       STATE_DIR/clusters.json exists (1 after 60 s or if the emulator died).
#   emulator_stop
#       stops it (SIGTERM) and waits.
#   emulator_exports STATE_DIR
#       prints `export` lines for ES_<ID>_URL, _CA, _PASSWORD and _TRANSPORT_CA
#       of every cluster (ID upper-cased), as the examples expect.
# Needs ROOT (the repository) and PY (a python3) set by the caller.

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
