#!/usr/bin/env python3
"""Write a benchmark fleet: a tlsfleet config (mode 0600, dummy inline keys:
the bench nginx checks no signature) and the same instances as a TSV for
bench/refclient, so both clients send the same requests.

    gen-fleet.py --instances N --port P --ca CA.pem --out PREFIX
                 [--accounts A] [--services LIST] [--rate R] [--concurrency C]
                 [--timeout S] [--retries N]

Instances go round-robin over the services (default all four:
tencent/redis, tencent/postgres, huawei/dcs, alibaba/redis) and, within a
provider, round-robin over its A accounts. Writes PREFIX.conf and
PREFIX.tsv (provider, service, region, id, key id, key secret, project,
account name). fetch_ca = false: the bench measures the API refresh path,
not CA file inspection (which is one fetch per distinct URL anyway)."""
import argparse
import os
import sys

SERVICES = {
    "tencent/redis": ("tencent", "redis", "ap-guangzhou", "crs-{:08x}"),
    "tencent/postgres": ("tencent", "postgres", "ap-shanghai", "postgres-{:08x}"),
    "huawei/dcs": ("huawei", "dcs", "eu-de", "{:08x}-b865-4159-b774-204dc0a36e37"),
    "alibaba/redis": ("alibaba", "redis", "cn-hangzhou", "r-bp{:08x}"),
}
PROJECT = "0504201b8c80d4c22f00c0069f4f5d8e"


def account_block(provider, name, key, secret, rate, endpoint):
    common = 'name = "%s"; provider = "%s"; endpoint = "%s"; rate_limit = %s;' % (
        name, provider, endpoint, rate)
    if provider == "tencent":
        creds = 'secret_id = "%s"; secret_key = "%s";' % (key, secret)
    elif provider == "huawei":
        creds = 'access_key = "%s"; secret_key = "%s"; project_id = "%s";' % (key, secret, PROJECT)
    else:
        creds = 'access_key_id = "%s"; access_key_secret = "%s";' % (key, secret)
    return "  { %s\n    %s }" % (common, creds)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--instances", type=int, required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--accounts", type=int, default=1, help="accounts per provider")
    ap.add_argument("--services", default=",".join(SERVICES))
    ap.add_argument("--rate", default="0")
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--timeout", default="30")
    ap.add_argument("--retries", type=int, default=3)
    o = ap.parse_args()

    services = [s.strip() for s in o.services.split(",") if s.strip()]
    for s in services:
        if s not in SERVICES:
            sys.exit("gen-fleet: unknown service %s (one of %s)" % (s, ", ".join(SERVICES)))
    endpoint = "https://127.0.0.1:%d" % o.port
    providers = sorted({SERVICES[s][0] for s in services})
    accounts = {}   # provider -> [(name, key, secret)]
    for p in providers:
        accounts[p] = [("%s-%d" % (p, a), "BENCH%sKEY%04d" % (p.upper(), a), "bench-dummy-secret-%d" % a)
                       for a in range(o.accounts)]

    conf, tsv = o.out + ".conf", o.out + ".tsv"
    fd = os.open(conf + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    tfd = os.open(tsv, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f, os.fdopen(tfd, "w") as t:
        f.write("# tlsfleet benchmark fleet: %d instances (bench/gen-fleet.py)\n" % o.instances)
        f.write("refresh_interval = 0;\nconcurrency = %d;\ntimeout = %s;\nretries = %d;\n"
                % (o.concurrency, o.timeout, o.retries))
        f.write('fetch_ca = false;\nca_file = "%s";\ndownload_dir = "%s";\n'
                % (os.path.abspath(o.ca), os.path.abspath(o.out) + "-downloads"))
        f.write("accounts = (\n")
        f.write(",\n".join(account_block(p, n, k, s, o.rate, endpoint)
                           for p in providers for (n, k, s) in accounts[p]))
        f.write("\n);\ninstances = (\n")
        per_provider = {p: 0 for p in providers}
        for i in range(o.instances):
            provider, service, region, idfmt = SERVICES[services[i % len(services)]]
            n = per_provider[provider]
            per_provider[provider] += 1
            name, key, secret = accounts[provider][n % len(accounts[provider])]
            iid = idfmt.format(i)
            f.write('  { name = "bench-%06d"; account = "%s"; service = "%s"; region = "%s"; id = "%s"; }%s\n'
                    % (i, name, service, region, iid, "," if i + 1 < o.instances else ""))
            t.write("\t".join([provider, service, region, iid, key, secret,
                               PROJECT if provider == "huawei" else "-", name]) + "\n")
        f.write(");\n")
    os.rename(conf + ".tmp", conf)


if __name__ == "__main__":
    main()
