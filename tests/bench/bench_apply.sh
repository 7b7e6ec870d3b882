#!/bin/sh
# Benchmark of `esreconcile apply`: a full apply from empty clusters, then the
# correction of a 1% drift, against the emulator with a network latency.
#   CLUSTERS x ROLES roles x USERS users x REMOTES remotes, LATENCY_MS per response.
# Prints, per phase: wall time and CPU time of esreconcile, requests the
# emulator received, peak RSS of esreconcile (/usr/bin/time -v), exit code. Env overrides: CLUSTERS (20),
# ROLES (1000), USERS (1000), REMOTES (10), LATENCY_MS (20), PARALLEL (4 x CLUSTERS),
# PASSWORD_CHECK (probe: one GET /_security/_authenticate per user and read;
# on_create: none).
set -eu
. "$(dirname "$0")/../lib/preamble.sh"
CLUSTERS=${CLUSTERS:-20}
ROLES=${ROLES:-1000}
USERS=${USERS:-1000}
REMOTES=${REMOTES:-10}
LATENCY_MS=${LATENCY_MS:-20}
PARALLEL=${PARALLEL:-$((CLUSTERS * 4))}
PASSWORD_CHECK=${PASSWORD_CHECK:-probe}
TMP=$(mktemp -d)
cleanup() {
	emulator_stop
	[ -n "${KEEP_TMP:-}" ] && echo "kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

ids=$($PY -c "print(','.join('c%02d' % i for i in range($CLUSTERS)))")
emulator_start "$TMP/emu" "$TMP/emu.log" --clusters "$ids" --control --latency-ms "$LATENCY_MS"

# The desired state, the environment it needs, and the helpers the phases use.
cat >"$TMP/bench.py" <<'PYEOF'
import json, os, ssl, sys, urllib.request

tmp, roles, users, remotes = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
password_check = os.environ.get("PASSWORD_CHECK", "probe")
info = json.load(open(os.path.join(tmp, "emu", "clusters.json")))


def call(cid, method, path, body=None):
    c = info[cid]
    ctx = ssl.create_default_context(cafile=c["http_ca_file"])
    req = urllib.request.Request(c["url"] + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    import base64
    req.add_header("Authorization", "Basic " + base64.b64encode(("elastic:" + c["password"]).encode()).decode())
    with urllib.request.urlopen(req, context=ctx, timeout=600) as r:
        return json.loads(r.read() or b"null")


cmd = sys.argv[1]
if cmd == "desired":
    # One file per cluster (a file may hold at most 4 MiB), merged by -f DIR.
    os.makedirs(os.path.join(tmp, "desired"), exist_ok=True)
    for i, (cid, c) in enumerate(info.items()):
        k = cid.upper()
        out = ["version: 1", "clusters:", "  %s:" % cid, "    url: ${ES_%s_URL}" % k,
               "    auth: { username: elastic, password: \"${ES_%s_PASSWORD}\" }" % k,
               "    tls: { ca_file: \"${ES_%s_CA}\" }" % k, "    timeout: 120s"]
        out += ["remotes:", "  %s:" % cid]
        for r in range(remotes):
            out.append("    bench_remote_%d: { mode: sniff, seeds: [\"%s\"], skip_unavailable: true }"
                       % (r, c["transport_address"]))
        out += ["roles:", "  %s:" % cid]
        for r in range(roles):
            out.append("    bench-role-%d: { cluster: [monitor], indices: [{ names: [\"logs-%d-*\"], "
                       "privileges: [read, view_index_metadata] }] }" % (r, r))
        out += ["users:", "  %s:" % cid]
        for u in range(users):
            out.append("    bench-user-%d: { password: \"${BENCH_PASSWORD}\", roles: [bench-role-%d], "
                       "full_name: \"Bench user %d\", enabled: true }" % (u, u % max(roles, 1), u))
        if i == 0:
            out += ["policy:", "  prune: { remotes: managed, roles: managed, users: managed }",
                    "  max_deletes: 100000", "  password_check: %s" % password_check]
        open(os.path.join(tmp, "desired", "%s.yaml" % cid), "w").write("\n".join(out) + "\n")
elif cmd == "env":
    for cid, c in info.items():
        k = cid.upper()
        print("export ES_%s_URL='%s' ES_%s_CA='%s' ES_%s_PASSWORD='%s'"
              % (k, c["url"], k, c["http_ca_file"], k, c["password"]))
elif cmd == "clear":
    for cid in info:
        call(cid, "DELETE", "/_emulator/requests")
elif cmd == "count":
    total = writes = 0
    for cid in info:
        log = call(cid, "GET", "/_emulator/requests")
        total += len(log)
        writes += sum(1 for r in log if r["method"] in ("PUT", "POST", "DELETE"))
    print("%d %d" % (total, writes))
elif cmd == "drift":
    # 1%: of each cluster's roles and users, edited by hand; one remote on every tenth cluster.
    n_roles, n_users = max(1, roles // 100), max(1, users // 100)
    for i, cid in enumerate(info):
        for r in range(n_roles):
            call(cid, "PUT", "/_security/role/bench-role-%d" % (r * 100),
                 {"cluster": ["all"], "metadata": {"managed_by": "esreconcile"}})
        for u in range(n_users):
            call(cid, "PUT", "/_security/user/bench-user-%d" % (u * 100),
                 {"roles": ["bench-role-%d" % ((u * 100) % max(roles, 1))], "full_name": "changed by hand",
                  "metadata": {"managed_by": "esreconcile"}})
        if i % 10 == 0 and remotes:
            call(cid, "PUT", "/_cluster/settings",
                 {"persistent": {"cluster.remote.bench_remote_0.skip_unavailable": False}})
PYEOF

PASSWORD_CHECK=$PASSWORD_CHECK $PY "$TMP/bench.py" desired "$TMP" "$ROLES" "$USERS" "$REMOTES"
eval "$($PY "$TMP/bench.py" env "$TMP" "$ROLES" "$USERS" "$REMOTES")"
BENCH_PASSWORD=bench-password-1
export BENCH_PASSWORD

phase() { # name
	$PY "$TMP/bench.py" clear "$TMP" "$ROLES" "$USERS" "$REMOTES"
	set +e
	/usr/bin/time -v "$ESR_BIN" apply -f "$TMP/desired" --auto-approve --parallel "$PARALLEL" \
		--wait 30s -o json >"$TMP/report.json" 2>"$TMP/time.txt"
	rc=$?
	set -e
	wall=$(sed -n 's/^.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$TMP/time.txt")
	rss=$(sed -n 's/^.*Maximum resident set size (kbytes): //p' "$TMP/time.txt")
	user=$(sed -n 's/^.*User time (seconds): //p' "$TMP/time.txt")
	sys=$(sed -n 's/^.*System time (seconds): //p' "$TMP/time.txt")
	counts=$($PY "$TMP/bench.py" count "$TMP" "$ROLES" "$USERS" "$REMOTES")
	summary=$($PY -c "import json,sys; r=json.load(open(sys.argv[1])); s=r['summary']; \
print('applied=%d failed=%d skipped=%d converged=%s' % (s['applied'], s['failed'], s['skipped'], r['converged']))" \
		"$TMP/report.json" 2>/dev/null || echo "no report")
	echo "$1: wall ${wall}, esreconcile CPU ${user}s user ${sys}s sys, requests ${counts% *} (writes ${counts#* }), peak RSS ${rss} KiB, exit $rc, $summary"
	[ "$rc" = 0 ] || { grep -v "^	" "$TMP/time.txt" | tail -n 20; return 1; }
}

echo "apply benchmark: $CLUSTERS clusters x $ROLES roles x $USERS users x $REMOTES remotes, latency ${LATENCY_MS} ms, --parallel $PARALLEL, password_check $PASSWORD_CHECK"
phase "full apply from empty"
$PY "$TMP/bench.py" drift "$TMP" "$ROLES" "$USERS" "$REMOTES"
phase "1% drift correction"
