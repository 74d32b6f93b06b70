#!/bin/bash
# Discovery of the database services beyond Redis, PostgreSQL and DCS
# through the real binary and the simulator (tests/data/sim/services.json):
# Tencent MySQL (cdb), MongoDB and SQL Server DescribeDBInstances, Huawei RDS
# GET /v3/{project}/instances, Alibaba RDS DescribeDBInstances, PolarDB
# DescribeDBClusters and MongoDB (dds) DescribeDBInstances, whose replica
# sets and sharded clusters are two listings of their own (DBInstanceType
# replicate, then sharding). Each lists more instances than one page holds: every page is read at the provider's
# largest page size and no further, a throttled page is retried, the
# snippet holds exactly what the simulator lists, the listed address
# fills the instance, tag filters reach the API, and a refused list call
# (each product's CAM/RAM/IAM answer) fails its listing with its code.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
require_sim
trap cleanup EXIT
. "$top_srcdir/tests/integration/discovery.sh"

FLEET="$top_srcdir/tests/data/sim/services.json"
DISC_ACCOUNTS="tc-svc hw-svc hw-deny ali-svc"
SERVICES="mysql mongodb sqlserver"

start_sim "$FLEET"

# expected_services NAME-FILTER-TENCENT-HUAWEI NAME-FILTER-ALIBABA [TAG]: what
# the simulator lists of the seven services whose names match the globs
# (and whose team tag is TAG, when given), sorted.
expected_services() {
	local tc_hw=$1 ali=$2 team=${3:-}
	local f='fnmatch.fnmatchcase(e["provider_name"], "%s")'
	[ -n "$team" ] && f="$f and e[\"tags\"].get(\"team\") == \"$team\""
	{
		for s in $SERVICES; do expected_set tc-svc "$s" ap-guangzhou "$(printf "$f" "$tc_hw")"; done
		expected_set hw-svc rds eu-de "$(printf "$f" "$tc_hw")"
		for s in rds polardb mongodb; do expected_set ali-svc "$s" cn-hangzhou "$(printf "$f" "$ali")"; done
	} | sort
}

# ---- every service, more than one page each ---------------------------------
ALL='{"tc-svc": "regions = [\"ap-guangzhou\"]; services = [\"mysql\", \"mongodb\", \"sqlserver\"];", "hw-svc": "regions = [\"eu-de\"]; services = [\"rds\"];", "ali-svc": "regions = [\"cn-hangzhou\"]; services = [\"rds\", \"polardb\", \"mongodb\"];"}'
write_config "$WORK/all.conf" "$FLEET" "$ALL"
timeout 300 "$TLSFLEET" -c "$WORK/all.conf" --discover >"$WORK/all.snip" 2>"$WORK/all.err"
is "$?" 0 "--discover over every service exits 0 (the throttled pages were retried)"
expected_services "*" "*" >"$WORK/all.want"
snippet_set "$WORK/all.snip" | sort >"$WORK/all.got"
check "the snippet holds every listed instance of every service" cmp -s "$WORK/all.want" "$WORK/all.got"
is "$(wc -l <"$WORK/all.got")" 2709 "2709 instances listed (2001 + 101 x 6 + 100 + 2 RDS of other engines)"
check "dds sharded clusters are in the snippet" grep -q 'dds-s00101' "$WORK/all.snip"
check "an unlisted instance is not in the snippet" sh -c "! grep -q rm-hidden01 '$WORK/all.snip'"
# (account, action, page) of the answered pages, per service: two pages each
# (dds: two per architecture)
pycheck "pages read to the total and no further: two per service" \
	'sorted((r["account_name"], r["path"][:4], r["page"]) for r in reqs if r["status"] == 200 and not r["code"] and r.get("page")) == sorted([(a, p, n) for a, p, k in [("tc-svc", "/", 3), ("hw-svc", "/v3/", 1), ("ali-svc", "/", 4)] for n in (1, 2) for _ in range(k)])'
pycheck "dds: replica sets pages 1 and 2, then sharded clusters pages 1 and 2" \
	'[(r["list_type"], r["page"]) for r in reqs if r.get("list_type") and r["status"] == 200 and not r["code"]] == [("replicate", 1), ("replicate", 2), ("sharding", 1), ("sharding", 2)]'
pycheck "each service asked at its largest page size: no paging refusal" \
	'not [r for r in reqs if (r["code"] or "").startswith(("InvalidParameter", "DBS.200001"))] and reqs'
pycheck "each throttled page 2 was retried (7 throttling answers)" \
	'len([r for r in reqs if r["fault"] == "throttle" and r.get("page") == 2]) == 7'
pycheck "Tencent's three DescribeDBInstances went to the products' versions" \
	'sorted(set(r["account_name"] for r in reqs if r["action"] == "DescribeDBInstances")) == ["ali-svc", "tc-svc"]'

# ---- every list call of the cloud, some with nothing to list ----------------
# No `services`: Tencent's five list calls in two regions, Redis and
# PostgreSQL empty in both, every service empty in ap-chengdu; an empty
# answer is a listing of nothing, not a failure.
EMPTY='{"tc-svc": "regions = [\"ap-guangzhou\", \"ap-chengdu\"];"}'
DISC_ACCOUNTS=tc-svc write_config "$WORK/empty.conf" "$FLEET" "$EMPTY"
timeout 120 "$TLSFLEET" -c "$WORK/empty.conf" --discover >"$WORK/empty.snip" 2>"$WORK/empty.err"
is "$?" 0 "every Tencent list call, seven of ten with nothing to list: exit 0"
sed 's/^/# /' "$WORK/empty.err"
for s in $SERVICES; do expected_set tc-svc "$s" ap-guangzhou; done | sort >"$WORK/empty.want"
snippet_set "$WORK/empty.snip" | sort >"$WORK/empty.got"
check "the snippet holds the three services' instances, nothing else" cmp -s "$WORK/empty.want" "$WORK/empty.got"

# ---- the snippet loads back, with the listed addresses ----------------------
FILT='{"tc-svc": "regions = [\"ap-guangzhou\"]; tags = { team = \"payments\"; }; match = \"*-00[0-2]?\";", "hw-svc": "regions = [\"eu-de\"]; tags = { team = \"payments\"; }; match = \"*-00[0-2]?\";", "ali-svc": "regions = [\"cn-hangzhou\"]; tags = { team = \"payments\"; }; match = \"ali-*-[0p]*\";"}'
write_config "$WORK/filt.conf" "$FLEET" "$FILT"
: >"$SIM_LOG"
timeout 120 "$TLSFLEET" -c "$WORK/filt.conf" --discover >"$WORK/filt.snip" 2>"$WORK/filt.err"
is "$?" 0 "filtered --discover exits 0"
expected_services "*-00[0-2]?" "ali-*-[0p]*" payments >"$WORK/filt.want"
snippet_set "$WORK/filt.snip" | sort >"$WORK/filt.got"
check "tag and glob filters: exactly the matching instances ($(wc -l <"$WORK/filt.want"))" cmp -s "$WORK/filt.want" "$WORK/filt.got"
pycheck "by default every service with a list call is listed; the tag filter reached every API: one page each (dds: one per architecture), but SQL Server (TagKeys: keys only) two" \
	'sorted(r["page"] for r in reqs if r.get("page") and not r["code"]) == [1] * 12 + [2]'
timeout 120 "$TLSFLEET" -c "$WORK/filt.conf" --list --format json >"$WORK/filt.json" 2>"$WORK/filt.list.err"
is "$?" 0 "--list with discovery of every service exits 0"
pycheck "--list: every discovered instance answered (status calls of the 7 services)" \
	'len(j[0]) == len(open(j[1]).read().splitlines()) > 20 and all(i["discovered"] and i["state"] == "enabled" for i in j[0])' \
	"$WORK/filt.json" "$WORK/filt.want"
pycheck "--list: Tencent Vip/Vport and Huawei private address and port are the instance's address" \
	'all((i["address"]["host"], i["address"]["port"]) == (e["list_address"]["host"], e["list_address"]["port"]) for i in j[0] for e in [exp[i["name"]]] if e["provider"] in ("tencent", "huawei"))' \
	"$WORK/filt.json"
pycheck "--list: Alibaba RDS ConnectionString is the host" \
	'all(i["address"]["host"] == exp[i["name"]]["list_address"]["host"] for i in j[0] if exp[i["name"]]["provider"] == "alibaba" and exp[i["name"]]["service"] == "rds") and any(exp[i["name"]]["service"] == "rds" and exp[i["name"]]["provider"] == "alibaba" for i in j[0])' \
	"$WORK/filt.json"

# ---- refused list calls: each product's permission answer -------------------
DENY='{"tc-svc": "regions = [\"ap-shanghai\"];", "hw-deny": "regions = [\"eu-de\"];", "ali-svc": "regions = [\"cn-shanghai\"]; services = [\"rds\", \"polardb\", \"mongodb\"];"}'
write_config "$WORK/deny.conf" "$FLEET" "$DENY"
: >"$SIM_LOG"
timeout 120 "$TLSFLEET" -c "$WORK/deny.conf" --discover >"$WORK/deny.snip" 2>"$WORK/deny.err"
is "$?" 1 "--discover exits 1 when list calls are refused"
for want in "tc-svc mysql in ap-shanghai failed after 0 pages read: OperationDenied.UserHasNoStrategy" \
	"tc-svc mongodb in ap-shanghai failed after 0 pages read: InvalidParameter.PermissionDenied" \
	"tc-svc sqlserver in ap-shanghai failed after 0 pages read: UnauthorizedOperation.PermissionDenied" \
	"hw-deny rds in eu-de failed after 0 pages read: DBS.200010" \
	"ali-svc rds in cn-shanghai failed after 0 pages read: Forbidden.RAM" \
	"ali-svc polardb in cn-shanghai failed after 0 pages read: Forbidden.RAM" \
	"ali-svc mongodb in cn-shanghai failed after 0 pages read: Forbidden.RAM"; do
	check "named on stderr: $want" grep -qF "listing $want" "$WORK/deny.err"
done
pycheck "a refusal is not retried: one request per listing (Tencent Redis and PostgreSQL list too)" \
	'len([r for r in reqs if r["fault"] == "auth_error"]) == 7'

done_testing
