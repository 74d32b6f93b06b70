# tlsfleet in a container, for a Kubernetes CronJob (contrib/kubernetes/)
# or a long-running exporter (--serve). Build: docker build -t tlsfleet .
# The image holds no credentials and no config: mount them (see
# contrib/kubernetes/cronjob.yaml) or pass keys through the environment.

FROM debian:bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
        build-essential autoconf automake pkg-config libncurses-dev \
        libcurl4-openssl-dev libcjson-dev libconfig-dev libssl-dev \
        libzip-dev libmicrohttpd-dev ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN autoreconf -fi && ./configure --prefix=/usr --sysconfdir=/etc \
    && make -j"$(nproc)" && make install DESTDIR=/out

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
        libncursesw6 libcurl4 libcjson1 libconfig9 libssl3 libzip4 \
        libmicrohttpd12 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /home/tlsfleet tlsfleet
COPY --from=build /out/usr/ /usr/
USER tlsfleet
WORKDIR /home/tlsfleet
# State and cache stay inside the container unless a volume is mounted on
# /home/tlsfleet/.local; the config is read from /etc/tlsfleet/config.
ENV XDG_CONFIG_HOME=/etc LANG=C.UTF-8
ENTRYPOINT ["tlsfleet"]
CMD ["--check"]
