# The production image: a release build with the Swift runtime linked statically, on Debian
# bookworm-slim with librdkafka (the same major version as Debian's librdkafka-dev the build
# links against), CA certificates and time zones; runs as an unprivileged user with the
# migrations beside the binary. Build: docker build -t oppfolgingsplan-mottak .
ARG SWIFT_IMAGE=swift:6.3-bookworm

FROM ${SWIFT_IMAGE} AS build
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends librdkafka-dev pkg-config \
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

FROM debian:bookworm-slim
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends librdkafka1 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out/mottak /app/mottak
# openapi.yaml, Swagger UI and the demo form, where the binary looks for them (StaticAssets).
COPY --from=build /out/oppfolgingsplan-mottak_MottakApp.resources /app/oppfolgingsplan-mottak_MottakApp.resources
COPY migrations /app/migrations
ENV MIGRATIONS_DIR=/app/migrations LOG_FORMAT=json TZ=Europe/Oslo
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/app/mottak"]
CMD ["serve"]
