# The production image: a release build with the Swift runtime linked statically, on Debian
# bookworm-slim with librdkafka, CA certificates and time zones; runs as an unprivileged user
# with the migrations and the bundled resources beside the binary.
#
# One file, two ways to the same runtime stage:
# - NAV's CI (nais/docker-build-push): the `build` stage compiles the binary from source in the
#   pinned Swift toolchain image; the runtime base comes from the registry.
# - `make image` on a machine without a registry (scripts/image.sh): BINARY_FROM=prebuilt takes
#   the binary from the host's release build (the same toolchain version, on bookworm), and
#   RUNTIME_IMAGE is a bookworm base made with debootstrap. Unused stages are not built.
#
# Pinned, so that two builds of one commit have the same binary dependencies: the Swift
# toolchain (6.3.1, the version the host builds with), the Debian release (bookworm) and the
# librdkafka package (2.0.2-1, bookworm's; the binary is linked against it). CA certificates
# and time zones deliberately follow bookworm's updates: they must stay current.
ARG SWIFT_IMAGE=swift:6.3.1-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim
ARG LIBRDKAFKA_VERSION=2.0.2-1
ARG BINARY_FROM=build

FROM ${SWIFT_IMAGE} AS build
ARG LIBRDKAFKA_VERSION
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "librdkafka-dev=${LIBRDKAFKA_VERSION}" pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first: this layer is reused while only our sources change.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
RUN swift build -c release --static-swift-stdlib --product mottak \
    && install -D "$(swift build -c release --show-bin-path)/mottak" /out/mottak \
    && cp -R "$(swift build -c release --show-bin-path)/oppfolgingsplan-mottak_MottakApp.resources" /out/ \
    && strip /out/mottak

# The host's release build, staged by scripts/image.sh under .build/image/.
FROM scratch AS prebuilt
COPY .build/image/ /out/

FROM ${BINARY_FROM} AS binary

FROM ${RUNTIME_IMAGE} AS runtime
ARG LIBRDKAFKA_VERSION
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "librdkafka1=${LIBRDKAFKA_VERSION}" ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log
WORKDIR /app
COPY --from=binary /out/mottak /app/mottak
# openapi.yaml, Swagger UI and the demo form, where the binary looks for them (StaticAssets).
COPY --from=binary /out/oppfolgingsplan-mottak_MottakApp.resources /app/oppfolgingsplan-mottak_MottakApp.resources
COPY migrations /app/migrations
ENV MIGRATIONS_DIR=/app/migrations LOG_FORMAT=json TZ=Europe/Oslo
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/app/mottak"]
CMD ["serve"]
