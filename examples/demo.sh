#!/bin/sh
# make demo: the main job end to end on emulated clusters.
# Starts the Elasticsearch emulator (four clusters over real HTTPS and
# transport TLS), validates every example, then plans, applies and re-plans
# examples/07-full-setup.yaml, showing that the second plan is empty and the
# remote is connected. Everything runs on loopback and is removed at the end.
set -eu
. "$(dirname "$0")/../tests/lib/preamble.sh"
work=$(mktemp -d)
cleanup() {
	emulator_stop
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	say() { printf '\n== %s\n' "$*"; }
fi

say "starting the Elasticsearch emulator (local, cluster_one, cluster_two, cluster_three)"
emulator_start "$work/emu" "$work/emu.log" --clusters local,cluster_one,cluster_two,cluster_three
# ES_<ID>_URL, _CA, _PASSWORD, _TRANSPORT_CA for every cluster, as examples/README.md lists.
eval "$(emulator_exports "$work/emu")"
export CCU_PASSWORD="demo-ccr-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export CSU_PASSWORD="demo-ccs-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export KIBANA_CCU_PASSWORD="demo-kib-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"

say "esreconcile validate: every example"
for f in examples/*.yaml; do
	"$ESR_BIN" validate -f "$f"
	echo "  ok  $f"
done

say "esreconcile plan -f examples/07-full-setup.yaml   (exit 2: changes pending)"
rc=0
"$ESR_BIN" plan -f examples/07-full-setup.yaml || rc=$?
[ "$rc" = 2 ] || { echo "demo: expected exit 2 from plan, got $rc" >&2; exit 1; }

say "esreconcile apply --auto-approve -f examples/07-full-setup.yaml"
"$ESR_BIN" apply --auto-approve --wait 20s --report "$work/report.json" -f examples/07-full-setup.yaml

say "esreconcile plan again   (exit 0: in sync)"
"$ESR_BIN" plan -f examples/07-full-setup.yaml

say "the local cluster's view of its remote (GET /_remote/info)"
$PY - "$work/emu/clusters.json" <<'PYEOF'
import base64, json, ssl, sys, urllib.request
c = json.load(open(sys.argv[1]))["local"]
ctx = ssl.create_default_context(cafile=c["http_ca_file"])
req = urllib.request.Request(c["url"] + "/_remote/info")
token = base64.b64encode(("%s:%s" % (c["username"], c["password"])).encode()).decode()
req.add_header("Authorization", "Basic " + token)
print(json.dumps(json.load(urllib.request.urlopen(req, context=ctx)), indent=2))
PYEOF
say "demo finished: desired state applied, verified and in sync"
