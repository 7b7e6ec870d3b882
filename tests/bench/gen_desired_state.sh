#!/bin/sh
# Writes a large desired-state file to stdout: 4 clusters, ROLES roles (default
# 10,000), one user per 10 roles and one remote per 100, about 3.9 MiB at the
# default size (the loader refuses files over 4 MiB). Deterministic.
#   sh tests/bench/gen_desired_state.sh [ROLES] > big.yaml
set -eu
roles=${1:-10000}
awk -v roles="$roles" 'BEGIN {
	print "version: 1"
	print "clusters:"
	for (c = 0; c < 4; c++) {
		printf "  c%d:\n    url: https://127.0.0.1:%d\n", c, 9200 + c
		printf "    auth: { username: elastic, password: \"${ESR_BENCH_PASSWORD:-bench-password}\" }\n"
		printf "    timeout: 30s\n"
	}
	print "remotes:"
	print "  c0:"
	for (i = 0; i < roles / 100; i++) {
		printf "    remote-%d:\n      mode: sniff\n", i
		printf "      seeds: [\"10.0.%d.%d:9300\", \"[::1]:%d\"]\n", i / 250, i % 250 + 1, 9300 + i
		printf "      skip_unavailable: true\n      transport: { compress: true, ping_schedule: 30s }\n"
	}
	print "roles:"
	for (c = 0; c < 4; c++) {
		printf "  c%d:\n", c
		for (i = c; i < roles; i += 4) {
			printf "    role-%05d:\n", i
			printf "      cluster: [monitor, manage_ccr]\n"
			printf "      indices:\n"
			printf "        - names: [\"logs-%d-*\", \"metrics-%d-*\"]\n", i, i
			printf "          privileges: [read, view_index_metadata, monitor]\n"
			printf "          field_security: { grant: [\"*\"], except: [secret] }\n"
			printf "        - names: follower-%d\n", i
			printf "          privileges: [write, manage_follow_index]\n"
			printf "      metadata: { team: team-%d, cost_center: %d }\n", i % 50, i
		}
	}
	print "users:"
	print "  c1:"
	for (i = 0; i < roles / 10; i++) {
		printf "    user-%04d:\n      password: \"${ESR_BENCH_PASSWORD:-bench-password}\"\n", i
		printf "      roles: [role-%05d]\n      full_name: Bench User %d\n      enabled: true\n", i, i
	}
}'
