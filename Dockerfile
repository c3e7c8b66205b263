# Pulk itself in a container: the tracking server and web UI (`pulk server`), or one endpoint
# (`pulk serve`). `pulk deploy --emit dockerfile` writes a different image: one model, one endpoint.
#   docker build -t pulk .
#   docker run -p 5000:5000 -v pulk-data:/data pulk
#   docker run -p 8080:8080 -v pulk-data:/data pulk serve --model NAME@champion --host 0.0.0.0 --port 8080
ARG SWIFT_IMAGE=swift:6.3-bookworm
FROM ${SWIFT_IMAGE} AS build
RUN apt-get update -qq && apt-get install -y -qq libsqlite3-dev zlib1g-dev libzstd-dev libcurl4-openssl-dev >/dev/null
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product pulk --static-swift-stdlib -q && cp .build/release/pulk /usr/local/bin/pulk

FROM debian:bookworm-slim
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends libsqlite3-0 zlib1g libzstd1 libcurl4 libstdc++6 ca-certificates \
    >/dev/null && rm -rf /var/lib/apt/lists/* && useradd --system --home /data pulk && mkdir -p /data && chown pulk /data
COPY --from=build /usr/local/bin/pulk /usr/local/bin/pulk
USER pulk
ENV PULK_HOME=/data/pulk-workspace
VOLUME /data
WORKDIR /data
EXPOSE 5000
ENTRYPOINT ["pulk"]
# On all interfaces inside the container: the host names it answers to are the operator's to list
# with --allowed-host (any by default off loopback).
CMD ["server", "--host", "0.0.0.0", "--port", "5000"]
