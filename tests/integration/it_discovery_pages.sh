#!/bin/bash
# A listing's pages side by side: once the first page tells the total, the
# other pages are asked without waiting for each other's answers (the
# simulator answers after --latency-ms 300, its log gives when each request
# arrived and when its answer was ready), at the rate limit, and the items
# still come out in list order although a throttled page answers after the
# pages behind it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
require_sim
trap cleanup EXIT

. "$top_srcdir/tests/integration/discovery.sh"

# 400 Alibaba Redis instances (8 pages of 50), 450 Tencent PostgreSQL (5
# pages of 100); Alibaba's page 2 is throttled once, so it is answered
# after pages 3 and later.
"$PYTHON3" - "$top_srcdir/tests/data/sim/discovery.json" "$WORK/fleet.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
f["accounts"] = [a for a in f["accounts"] if a["name"] in ("tc-disc", "ali-disc")]
f["instances"] = [
    {"generate": {"count": 400, "name": "a-{n:05d}", "id": "r-p{n:06d}"}, "account": "ali-disc",
     "service": "redis", "region": "cn-hangzhou", "in_config": False},
    {"generate": {"count": 450, "name": "p-{n:05d}", "id": "postgres-p{n:06d}"}, "account": "tc-disc",
     "service": "postgres", "region": "ap-guangzhou", "in_config": False},
]
f["list_faults"] = [{"account": "ali-disc", "service": "redis", "page": 2, "fault": "throttle", "times": 1}]
json.dump(f, open(sys.argv[2], "w"))
PY
start_sim "$WORK/fleet.json" --latency-ms 300
DISC_ACCOUNTS="tc-disc ali-disc"
export DISC_ACCOUNTS
SPEC='{"tc-disc": "regions = [\"ap-guangzhou\"]; services = [\"postgres\"];", "ali-disc": "regions = [\"cn-hangzhou\"]; services = [\"redis\"];"}'
write_config "$WORK/pages.conf" "$WORK/fleet.json" "$SPEC"

timeout 120 "$TLSFLEET" -c "$WORK/pages.conf" --discover >"$WORK/pages.snip" 2>"$WORK/pages.err"
is "$?" 0 "--discover exits 0 (the throttled page was retried)"
sed "s/^/# /" "$WORK/pages.err"

# first[(action, page)]: the first request of each page
FIRST='first = {}
for r in sorted(reqs, key=lambda r: r["t"]):
    first.setdefault((r["action"], r["page"]), r)
'
pycheck "pages fetched exactly to the total: Alibaba 1-8 (2 twice), PostgreSQL 1-5" \
	'sorted((r["action"], r["page"]) for r in reqs) == sorted([("DescribeInstances", p) for p in list(range(1, 9)) + [2]] + [("DescribeDBInstances", p) for p in range(1, 6)])'
pycheck "the first page is answered before any other is asked (it tells the total)" \
	'all(r["t"] > min(s["answered"] for s in reqs if s["action"] == r["action"] and s["page"] == 1) for r in reqs if r["page"] > 1)'
pycheck "Alibaba: page k+1 is asked before page k is answered, k = 2..7" \
	"exec(j[0]) or all(first[('DescribeInstances', k + 1)]['t'] < first[('DescribeInstances', k)]['answered'] for k in range(2, 8))" "$FIRST"
pycheck "PostgreSQL: page k+1 is asked before page k is answered, k = 2..4" \
	"exec(j[0]) or all(first[('DescribeDBInstances', k + 1)]['t'] < first[('DescribeDBInstances', k)]['answered'] for k in range(2, 5))" "$FIRST"
pycheck "the throttled Alibaba page 2 was answered after page 3 (so the order below is the engine's doing)" \
	'max(r["answered"] for r in reqs if r["action"] == "DescribeInstances" and r["page"] == 2) > max(r["answered"] for r in reqs if r["action"] == "DescribeInstances" and r["page"] == 3)'
pycheck "rate_limit 20 held per (account, list action): at most 20 starts in any second" \
	'max(len([s for s in reqs if s["action"] == r["action"] and r["t"] <= s["t"] < r["t"] + 1.0]) for r in reqs) <= 20'

# The snippet's instances of each listing in the simulator's list order.
snippet_set "$WORK/pages.snip" >"$WORK/pages.got"
{
	for n in $(seq 1 450); do printf 'tc-disc postgres ap-guangzhou postgres-p%06d\n' "$n"; done
	for n in $(seq 1 400); do printf 'ali-disc redis cn-hangzhou r-p%06d\n' "$n"; done
} >"$WORK/pages.want"
check "every instance, each listing in list order" cmp -s "$WORK/pages.want" "$WORK/pages.got"
if ! cmp -s "$WORK/pages.want" "$WORK/pages.got"; then
	diff "$WORK/pages.want" "$WORK/pages.got" | head -10 | sed 's/^/# /'
fi

stop_sim

# ---- a page fails while later ones are on the wire -------------------------
# 1000 Alibaba instances (20 pages), page 3 refused (auth): the pages asked
# before its answer finish and are dropped, those still queued are never
# asked, pages 1-2 are kept, as when pages were read one after another.
"$PYTHON3" - "$WORK/fleet.json" "$WORK/fail.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
f["instances"][0]["generate"]["count"] = 1000
f["list_faults"] = [{"account": "ali-disc", "service": "redis", "page": 3, "fault": "auth_error", "times": 0}]
json.dump(f, open(sys.argv[2], "w"))
PY
start_sim "$WORK/fail.json" --latency-ms 300
SPEC='{"ali-disc": "regions = [\"cn-hangzhou\"]; services = [\"redis\"];"}'
write_config "$WORK/fail.conf" "$WORK/fail.json" "$SPEC"
timeout 120 "$TLSFLEET" -c "$WORK/fail.conf" --discover >"$WORK/fail.snip" 2>"$WORK/fail.err"
is "$?" 1 "--discover exits 1 when a page failed"
check "the listing failed after the 2 pages before the failed one" \
	grep -q 'listing ali-disc redis in cn-hangzhou failed after 2 pages read: Forbidden.RAM' "$WORK/fail.err"
pycheck "pages after the failed one were on the wire when it failed" \
	'any(r["page"] > 3 and r["t"] < min(s["answered"] for s in reqs if s["page"] == 3) for r in reqs)'
pycheck "the pages still queued then were never asked (not all 20)" \
	'max(r["page"] for r in reqs) < 20 and sorted(r["page"] for r in reqs) == list(range(1, max(r["page"] for r in reqs) + 1))'
for n in $(seq 1 100); do printf 'ali-disc redis cn-hangzhou r-p%06d\n' "$n"; done >"$WORK/fail.want"
snippet_set "$WORK/fail.snip" >"$WORK/fail.got"
check "the snippet holds pages 1-2 in list order and nothing of the pages after the failed one" \
	cmp -s "$WORK/fail.want" "$WORK/fail.got"
stop_sim
done_testing
