# Multi-stage image with the three programs: build on Debian 12, run on a slim Debian 12 with
# only the runtime libraries. docker-compose.yml runs one service per program from it.
FROM debian:bookworm-slim AS build
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      build-essential cmake pkg-config libmicrohttpd-dev libcurl4-gnutls-dev libgnutls28-dev \
      nettle-dev libjansson-dev zlib1g-dev libmimalloc-dev libpcre2-dev libxml2-dev libluajit-5.1-dev \
      libprotobuf-c-dev protobuf-c-compiler ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake cmake
COPY common common
COPY gateway gateway
COPY mock-backend mock-backend
COPY mock-thunder mock-thunder
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
 && cmake --build /build -j"$(nproc)" \
 && cmake --install /build --prefix /opt/kt --strip

FROM debian:bookworm-slim
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libmicrohttpd12 libcurl3-gnutls libgnutls30 libnettle8 libhogweed6 libjansson4 libmimalloc2.0 \
      libpcre2-8-0 libxml2 tzdata libluajit-5.1-2 libprotobuf-c1 zlib1g \
      ca-certificates curl jq \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 1000 --create-home --shell /usr/sbin/nologin kt \
 && mkdir -p /etc/krakend /var/lib/mock-thunder && chown kt /var/lib/mock-thunder
COPY --from=build /opt/kt/bin/ /usr/local/bin/
COPY demo/ /opt/demo/
USER kt
WORKDIR /etc/krakend
