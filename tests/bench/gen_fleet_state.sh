#!/bin/sh
# Writes the fleet desired state of the plan benchmark (bench_plan.sh) into DIR,
# offline: one file per cluster (CLUSTERS, default 20), each with REMOTES
# remotes (10), ROLES roles (1000) and USERS users (1000), the same roles and
# users on every cluster, as a fleet declares them. The URLs point nowhere:
# the state is for `esreconcile validate`. Deterministic.
#   sh tests/bench/gen_fleet_state.sh DIR [CLUSTERS] [ROLES] [USERS] [REMOTES]
set -eu
dir=$1
clusters=${2:-20}
roles=${3:-1000}
users=${4:-1000}
remotes=${5:-10}
mkdir -p "$dir"
: >"$dir/ca.pem"
printf 'version: 1\npolicy:\n  password_check: on_create\n' >"$dir/00-policy.yaml"
c=0
while [ "$c" -lt "$clusters" ]; do
	id=$(printf 'c%02d' "$c")
	awk -v id="$id" -v port=$((9200 + c)) -v roles="$roles" -v users="$users" \
		-v remotes="$remotes" 'BEGIN {
		print "version: 1"
		print "clusters:"
		printf "  %s:\n    url: https://127.0.0.1:%d\n", id, port
		printf "    auth: { username: elastic, password: \"${ESR_BENCH_PASSWORD:-bench-password}\" }\n"
		printf "    tls: { ca_file: ca.pem }\n"
		printf "remotes:\n  %s:\n", id
		for (i = 0; i < remotes; i++)
			printf "    bench_remote_%d: { mode: sniff, seeds: [\"127.0.0.1:%d\"], skip_unavailable: true }\n", i, 9300 + i
		printf "roles:\n  %s:\n", id
		for (i = 0; i < roles; i++)
			printf "    bench-role-%d: { cluster: [monitor], indices: [{ names: [\"bench-index-%d-*\"], privileges: [read, view_index_metadata] }], metadata: { seeded: true } }\n", i, i
		printf "users:\n  %s:\n", id
		for (i = 0; i < users; i++)
			printf "    bench-user-%d: { password: bench-password, roles: [bench-role-%d], full_name: \"Bench user %d\", metadata: { seeded: true } }\n", i, (roles ? i % roles : 0), i
	}' >"$dir/$id.yaml"
	c=$((c + 1))
done
