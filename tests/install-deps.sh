#!/bin/sh
# Installs what esreconcile needs to build and test, when something is missing.
# Debian 12; needs root for apt-get. Quiet when everything is present.
set -eu

packages="build-essential pkg-config libyaml-dev libcurl4-openssl-dev libcjson-dev libssl-dev
libmicrohttpd-dev libcmocka-dev openssl python3 python3-jsonschema python3-yaml python3-elasticsearch python3-bcrypt clang valgrind
clang-tidy cppcheck"

missing=""
for p in $packages; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "installing missing packages:$missing" >&2
if [ "$(id -u)" != 0 ]; then
	echo "not root: run  sudo apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
