#!/usr/bin/env bash
# Installs the Debian packages that building and the local stack need, when they are missing:
# librdkafka-dev (Kafka client and its mock cluster), postgresql (server binaries for the
# throwaway cluster; its default cluster is never used) and pkg-config (SwiftPM finds
# librdkafka through it). Idempotent and silent when everything is present.
#
#   scripts/install-system-packages.sh [EXTRA_PACKAGE...]   also ensures the named packages
#   (for example kcat for the Kafka benchmark).
set -euo pipefail

needed=()
for extra in "$@"; do
    dpkg-query -W -f='${Status}' "$extra" 2>/dev/null | grep -q "install ok installed" || needed+=("$extra")
done
command -v pkg-config >/dev/null 2>&1 || needed+=(pkg-config)
{ command -v pkg-config >/dev/null 2>&1 && pkg-config --exists rdkafka; } || needed+=(librdkafka-dev)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || needed+=(postgresql)

if ((${#needed[@]} == 0)); then
    exit 0
fi

sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
echo "Installing system packages: ${needed[*]}" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
