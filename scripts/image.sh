#!/usr/bin/env bash
# `make image`: builds the production image (Dockerfile, stage runtime) on a machine without a
# Docker engine or registry: podman with runc, a Debian bookworm base made by debootstrap, and
# the binary from the host's release build (`swift build -c release --static-swift-stdlib`,
# run by the Makefile first). Prints the image's size and how long each step took.
#
#   scripts/image.sh            builds localhost/oppfolgingsplan-mottak:<commit> (and :local)
#
# Podman's settings for this kind of machine (crun and the default ulimits fail in its sandbox)
# are in scripts/podman/containers.conf; CONTAINERS_CONF points podman at them, nothing
# system-wide is changed. The base is made once and kept as localhost/debian:bookworm-slim
# (`podman rmi` it to make it anew).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/podman/env.sh

started=$(date +%s)
step() { echo "image: $* ($(($(date +%s) - started)) s)" >&2; }

# The base: bookworm minbase with the sources a debian:bookworm-slim image has (updates and
# security), so that the runtime stage installs current CA certificates and time zones.
if ! podman image exists "$BASE_IMAGE"; then
    step "making $BASE_IMAGE with debootstrap"
    rootfs=$(mktemp -d /var/tmp/mottak-base.XXXXXX)
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$rootfs.log" 2>&1 \
        || { tail -20 "$rootfs.log" >&2; exit 1; }
    rm -f "$rootfs.log"
    cat >"$rootfs/etc/apt/sources.list" <<'EOF'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
    # Slim as Debian's own -slim images are: no documentation, manuals or translations, and
    # dpkg told to leave them out of every package installed later. (Every path is inside
    # "$rootfs", checked first: this runs as root.)
    [ -d "$rootfs/etc/dpkg/dpkg.cfg.d" ] || { echo "image: debootstrap left no $rootfs/etc/dpkg" >&2; exit 1; }
    printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' 'path-exclude /usr/share/man/*' \
        'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' 'path-exclude /usr/share/lintian/*' \
        >"$rootfs/etc/dpkg/dpkg.cfg.d/slim"
    find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    for trimmed in usr/share/man usr/share/info usr/share/locale usr/share/lintian var/cache/apt/archives var/lib/apt/lists; do
        if [ -d "$rootfs/$trimmed" ]; then find "$rootfs/$trimmed" -mindepth 1 -maxdepth 1 -not -name partial -exec rm -rf {} +; fi
    done
    tar -C "$rootfs" -c . | podman import --quiet - "$BASE_IMAGE" >/dev/null
    rm -rf "$rootfs"
    trap - EXIT
fi

step "staging the release binary"
bin=$(swift build -c release --show-bin-path)
rm -rf .build/image
mkdir -p .build/image
install -m 0755 "$bin/mottak" .build/image/mottak
strip .build/image/mottak
cp -R "$bin/oppfolgingsplan-mottak_MottakApp.resources" .build/image/

step "podman build"
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
podman build --quiet --pull=never --network host \
    --build-arg BINARY_FROM=prebuilt --build-arg RUNTIME_IMAGE="$BASE_IMAGE" \
    --target runtime --tag "$IMAGE_REPO:$commit" --tag "$IMAGE_REPO:local" . >/dev/null

size=$(podman image inspect --format '{{.Size}}' "$IMAGE_REPO:local")
step "built $IMAGE_REPO:$commit ($((size / 1024 / 1024)) MiB)"
echo "RESULT image=$IMAGE_REPO:$commit size_mib=$((size / 1024 / 1024)) seconds=$(($(date +%s) - started))"
