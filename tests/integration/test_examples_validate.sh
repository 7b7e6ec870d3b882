#!/bin/sh
# Every example passes `esreconcile validate` offline, with the environment
# variables examples/README.md documents set to harmless values (the CA
# variables point at a real self-signed certificate). Ends with
# "N passed, M failed"; exits 1 on any failure.
set -u
. "$(dirname "$0")/../lib/preamble.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ca="$tmp/ca.pem"
if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$tmp/ca.key" -out "$ca" -days 1 -subj "/CN=esreconcile test CA" \
	>/dev/null 2>&1; then
	echo "not a certificate: openssl was not available" >"$ca"
fi

port=9200
for id in LOCAL CLUSTER_ONE CLUSTER_TWO CLUSTER_THREE; do
	export "ES_${id}_URL=https://127.0.0.1:$port"
	export "ES_${id}_CA=$ca" "ES_${id}_TRANSPORT_CA=$ca"
	export "ES_${id}_PASSWORD=test-password-$id"
	port=$((port + 1))
done
export CCU_PASSWORD=test-password-ccu CSU_PASSWORD=test-password-csu \
	KIBANA_CCU_PASSWORD=test-password-kibana

for f in examples/*.yaml examples/*/*.yaml; do
	[ -f "$f" ] || continue
	# deployment recipes (systemd units, Kubernetes manifests, CI pipelines), not
	# desired state: tests/integration/test_recipes.py checks them
	case $f in examples/systemd/* | examples/k8s/* | examples/ci/*) continue ;; esac
	if [ ! -x "$ESR_BIN" ]; then
		fail "$f: no executable at ESR_BIN=$ESR_BIN"
		continue
	fi
	rc=0
	"$ESR_BIN" validate -f "$f" >"$tmp/out" 2>&1 || rc=$?
	if [ "$rc" = 0 ]; then
		ok "$f"
	else
		fail "$f: exit $rc" "$tmp/out"
	fi
done

summary
