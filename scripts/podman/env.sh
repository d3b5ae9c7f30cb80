# Sourced by scripts/image.sh: podman with this
# repository's settings, and the image names.
export CONTAINERS_CONF="${CONTAINERS_CONF:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/containers.conf}"
export IMAGE_REPO="${IMAGE_REPO:-localhost/oppfolgingsplan-mottak}"
export BASE_IMAGE="${BASE_IMAGE:-localhost/debian:bookworm-slim}"
