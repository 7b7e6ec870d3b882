#!/bin/sh
# Benchmark of a no-op `esreconcile plan`: CLUSTERS clusters, each with ROLES
# roles, USERS users and REMOTES remotes, LATENCY_MS of emulated latency per
# response. The clusters are seeded with POST /_emulator/seed, the desired
# state (one file per cluster) declares exactly what was seeded, and one apply
# adopts it (adds managed_by and the remote ledger), so the measured plans are
# no-ops. Prints, per phase: wall time, requests the emulator received, peak
# RSS of esreconcile (/usr/bin/time -v), exit code.
#   password_check on_create: the constant reads only;
#   password_check probe:     plus one authentication per declared user.
# Env overrides: CLUSTERS (20), ROLES (1000), USERS (1000), REMOTES (10),
# LATENCY_MS (20), PARALLEL (8).
set -eu
. "$(dirname "$0")/../lib/preamble.sh"
CLUSTERS=${CLUSTERS:-20}
ROLES=${ROLES:-1000}
USERS=${USERS:-1000}
REMOTES=${REMOTES:-10}
LATENCY_MS=${LATENCY_MS:-20}
PARALLEL=${PARALLEL:-8}
TMP=$(mktemp -d)
cleanup() {
	emulator_stop
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

ids=$($PY -c "print(','.join('c%02d' % i for i in range($CLUSTERS)))")
emulator_start "$TMP/emu" "$TMP/emu.log" --clusters "$ids" --control --latency-ms "$LATENCY_MS"

cat >"$TMP/bench.py" <<'PYEOF'
import json, os, ssl, sys, urllib.request

cmd, tmp = sys.argv[1], sys.argv[2]
roles, users, remotes = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
info = json.load(open(os.path.join(tmp, "emu", "clusters.json")))


def control(cid, method, path, body=None):
    c = info[cid]
    ctx = ssl.create_default_context(cafile=c["http_ca_file"])
    req = urllib.request.Request(c["url"] + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, context=ctx, timeout=600) as r:
        return json.loads(r.read() or b"null")


if cmd == "seed":
    for cid in info:
        control(cid, "POST", "/_emulator/seed", {"roles": roles, "users": users, "remotes": remotes})
elif cmd == "desired":
    check = sys.argv[6]
    d = os.path.join(tmp, "desired")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "00-policy.yaml"), "w") as f:
        f.write("version: 1\npolicy:\n  password_check: %s\n" % check)
    for cid, c in info.items():
        own = "127.0.0.1:%s" % c["transport_address"].rsplit(":", 1)[1]
        out = ["version: 1", "clusters:", "  %s:" % cid, "    url: %s" % c["url"],
               "    auth: { username: elastic, password: \"%s\" }" % c["password"],
               "    tls: { ca_file: \"%s\" }" % c["http_ca_file"], "remotes:", "  %s:" % cid]
        for i in range(remotes):
            out.append("    bench_remote_%d: { mode: sniff, seeds: [\"%s\"], skip_unavailable: true }" % (i, own))
        out += ["roles:", "  %s:" % cid]
        for i in range(roles):
            out.append("    bench-role-%d: { cluster: [monitor], indices: [{ names: [\"bench-index-%d-*\"], "
                       "privileges: [read, view_index_metadata] }], metadata: { seeded: true } }" % (i, i))
        out += ["users:", "  %s:" % cid]
        for i in range(users):
            role = "[bench-role-%d]" % (i % max(roles, 1)) if roles else "[]"
            out.append("    bench-user-%d: { password: bench-password, roles: %s, full_name: \"Bench user %d\", "
                       "metadata: { seeded: true } }" % (i, role, i))
        with open(os.path.join(d, "%s.yaml" % cid), "w") as f:
            f.write("\n".join(out) + "\n")
elif cmd == "clear":
    for cid in info:
        control(cid, "DELETE", "/_emulator/requests")
elif cmd == "count":
    print(sum(len(control(cid, "GET", "/_emulator/requests")) for cid in info))
PYEOF

bench() { # $1 = args...
	$PY "$TMP/bench.py" clear "$TMP" "$ROLES" "$USERS" "$REMOTES"
	start=$(date +%s.%N)
	set +e
	/usr/bin/time -v "$ESR_BIN" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	end=$(date +%s.%N)
	wall=$(echo "$end - $start" | bc)
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/err")
	reqs=$($PY "$TMP/bench.py" count "$TMP" "$ROLES" "$USERS" "$REMOTES")
}

echo "clusters=$CLUSTERS roles=$ROLES users=$USERS remotes=$REMOTES latency=${LATENCY_MS}ms parallel=$PARALLEL"
$PY "$TMP/bench.py" seed "$TMP" "$ROLES" "$USERS" "$REMOTES"
$PY "$TMP/bench.py" desired "$TMP" "$ROLES" "$USERS" "$REMOTES" on_create

bench plan -f "$TMP/desired" -o json --parallel "$PARALLEL"
summary=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['summary'])" "$TMP/out")
echo "first plan (adoption of seeded objects): exit $rc, wall ${wall}s, $reqs requests, peak RSS ${rss} KiB, $summary"

bench apply -f "$TMP/desired" --auto-approve --parallel "$PARALLEL" --wait 0
echo "apply (setup, adopts everything): exit $rc, wall ${wall}s, $reqs requests, peak RSS ${rss} KiB"

status=0
bench plan -f "$TMP/desired" -o json --parallel "$PARALLEL"
[ "$rc" = 0 ] || { status=1; tail -5 "$TMP/err"; }
echo "no-op plan, password_check on_create: exit $rc, wall ${wall}s, $reqs requests, peak RSS ${rss} KiB"

$PY "$TMP/bench.py" desired "$TMP" "$ROLES" "$USERS" "$REMOTES" probe
bench plan -f "$TMP/desired" -o json --parallel "$PARALLEL"
[ "$rc" = 0 ] || { status=1; tail -5 "$TMP/err"; }
echo "no-op plan, password_check probe:     exit $rc, wall ${wall}s, $reqs requests, peak RSS ${rss} KiB"
exit $status
