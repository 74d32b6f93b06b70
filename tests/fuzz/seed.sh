#!/bin/bash
# Seed inputs for every fuzz target, from the fixtures the unit tests use
# (tests/data, tests/vectors, themes, demo) plus a few hand-written ones.
# Usage: seed.sh OUTDIR   -> OUTDIR/<target>/<name>
# run.sh merges these (-merge=1) into tests/fuzz/corpus; the committed
# corpus is the minimised result, so this script is only needed to start
# over or after new fixtures appear.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: seed.sh OUTDIR}
mkdir -p "$out"/{provider,config,timefmt,certinfo,theme,statefile,textsafe,credentials}

# provider: selector byte, 2 status bytes, Date / Retry-After / Content-Type
# lines, body (see fuzz_provider.c). selector = provider + 3*service + 9*call
# with provider tencent 0, huawei 1, alibaba 2; service redis 0, postgres 1,
# dcs 2; call status 0, cert-link 1.
provider_seed() {  # NAME SELECTOR STATUS HEADERS BODYFILE|-
	local name=$1 sel=$2 st=$3 hdr=$4 body=$5
	{
		printf "\\$(printf '%03o' "$sel")\\$(printf '%03o' $((st / 256)))\\$(printf '%03o' $((st % 256)))"
		printf '%b' "$hdr"
		if [ "$body" = - ]; then cat; else cat "$body"; fi
	} >"$out/provider/$name"
}
api=$top/tests/data/api
provider_seed tc-redis-ok 0 200 '\n\n\n' "$api/tencent-DescribeSSLStatus-example1.json"
provider_seed tc-pg-enabled 3 200 '\n\n\n' "$api/tencent-DescribeDBInstanceSSLConfig-example1-enabled.json"
provider_seed tc-pg-disabled 3 200 'Sun, 06 Nov 1994 08:49:37 GMT\n\napplication/json\n' \
	"$api/tencent-DescribeDBInstanceSSLConfig-example2-disabled.json"
provider_seed hw-show-200 7 200 '\n\napplication/json;charset=UTF-8\n' "$api/huawei-show-ssl-200.json"
provider_seed hw-show-400 7 400 '\n\n\n' "$api/huawei-show-ssl-400.json"
provider_seed hw-show-500 7 500 '\n\n\n' "$api/huawei-show-ssl-500.json"
provider_seed hw-link-200 16 200 '\n\n\n' "$api/huawei-download-ssl-cert-200.json"
provider_seed hw-link-400 16 400 '\n\n\n' "$api/huawei-download-ssl-cert-400.json"
provider_seed hw-link-500 16 500 '\n\n\n' "$api/huawei-download-ssl-cert-500.json"
provider_seed hw-204 7 204 '\n\n\n' /dev/null
provider_seed ali-ok 2 200 '\n\n\n' "$api/alibaba-DescribeInstanceSSL-success.json"
echo '{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"slow down"},"RequestId":"r-1"}}' |
	provider_seed tc-throttled 0 200 'Mon, 23 Nov 2026 04:00:00 GMT\n2\n\n' -
echo '{"Response":{"Error":{"Code":"AuthFailure.SignatureExpire","Message":"skew"},"RequestId":"r-2"}}' |
	provider_seed tc-skew 0 200 'Mon, 23 Nov 2026 04:00:00 GMT\n\n\n' -
echo '{"error_code":"APIGW.0308","error_msg":"throttled","request_id":"r-3"}' |
	provider_seed hw-throttled 7 429 '\n10\n\n' -
echo '{"Code":"Throttling.User","Message":"too fast","RequestId":"r-4"}' |
	provider_seed ali-throttled 2 400 '\n\n\n' -
echo '{"Code":"InvalidTimeStamp.Expired","Message":"skew","RequestId":"r-5"}' |
	provider_seed ali-skew 2 400 'Mon, 23 Nov 2026 04:00:00 GMT\n\n\n' -
echo '<html>bad gateway</html>' | provider_seed tc-html-502 0 502 '\n\ntext/html\n' -

# config
cp "$top/tests/data/config/full.conf" "$out/config/full.conf"
cp "$top/tests/data/config/include-main.conf" "$out/config/include-main.conf"
cp "$top/demo/config.example" "$out/config/example.conf"
cat >"$out/config/profiles.conf" <<'CONF'
accounts = (
  { name = "tc"; provider = "tencent"; profile = "prod"; },
  { name = "hw"; provider = "huawei"; project_id = "p"; },
  { name = "ali"; provider = "alibaba"; }
);
instances = (
  { name = "a"; account = "tc"; service = "postgres"; region = "ap-shanghai"; id = "postgres-1"; },
  { name = "b"; account = "hw"; service = "dcs"; region = "eu-de"; id = "x"; require_tls = true; },
  { name = "c"; account = "ali"; service = "redis"; region = "cn-hangzhou"; id = "r-1"; }
);
CONF

# timefmt
i=0
for s in '2026-01-01T00:00:00Z' '2026-01-01T00:00:00.123456+08:00' '1970-01-01T00:00:00-00:30' \
	'9999-12-31T23:59:59Z' '2016-12-31T23:59:60Z' '2024-02-29T12:00:00+14:00' \
	'2026-01-01 08:00:00' '2024-02-29 23:59:59' 'Sun, 06 Nov 1994 08:49:37 GMT' \
	'Thu, 01 Jan 1970 00:00:00 GMT' 'Mon, 23 Nov 2026 04:55:00 GMT' '2026-13-01T00:00:00Z'; do
	i=$((i + 1))
	printf '%s' "$s" >"$out/timefmt/t$i"
done

# certinfo: every fixture but the two bombs (covered by test_certinfo; they
# would make every execution decompress tens of MB)
for f in "$top"/tests/data/certs/*; do
	case ${f##*/} in expectations.json|bomb.zip|total-bomb.zip) continue ;; esac
	cp "$f" "$out/certinfo/${f##*/}"
done

# theme
cp "$top"/themes/*.theme "$out/theme/"

# statefile (instance names and ids as in fuzz_statefile.c)
sha_a=$(printf 'a%.0s' $(seq 64))
sha_c=$(printf 'c%.0s' $(seq 64))
cat >"$out/statefile/full.json" <<JSON
{"version":1,"instances":{"orders-cache":{"instance_id":"crs-2btr9ryn",
"ca_certs_from":"https://h.example/a.zip","ca_certs":[{"subject":"CN=A1,O=\u817e\u8baf",
"issuer":"CN=A1","not_before":"2025-01-01T00:00:00Z","not_after":"2045-01-01T00:00:00Z",
"sha256":"$sha_a"}],"download":{"path":"/tmp/certs/a.zip","size":924,"sha256":"$sha_c",
"at":"2026-01-01T00:00:00Z"}},"orders-db":{"instance_id":"postgres-hf8jo5pr","ca_certs_from":null,
"ca_certs":[{"subject":"CN=C","issuer":"CN=C","not_before":null,"not_after":"2033-05-18T03:33:20Z",
"sha256":"$sha_a"}],"download":null},"idle":{"instance_id":"other-id","ca_certs":[]},
"a":{"instance_id":"x","ca_certs":"bad"}}}
JSON
echo '{"version":2,"instances":{}}' >"$out/statefile/version2.json"
echo '{"version":1,"instances":{"a":{"instance_id":"x","download":{"path":"/p","size":1e300,"sha256":"'"$sha_a"'","at":null}}}}' \
	>"$out/statefile/bigsize.json"

# textsafe
printf 'plain ascii' >"$out/textsafe/ascii"
printf 'tab\there \033[31mred\033[0m bell\a' >"$out/textsafe/controls"
printf '\xe8\x85\xbe\xe8\xae\xaf \xe2\x80\xaeevil\xe2\x80\xac \xc2\x85 wide\xef\xbc\xa1' >"$out/textsafe/utf8"
printf 'bad \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xf8\x88\x80\x80\x80 \xff end\xe8' >"$out/textsafe/invalid"
printf 'see https://h.example/a.zip?sign=SECRET&x=1 and http://b/c#f then HTTPS://U/?q' >"$out/textsafe/urls"

# credentials: selector byte (file %4, profile /4 %4, see fuzz_credentials.c)
cred=$top/tests/data/credentials
cred_seed() {  # NAME SELECTOR FILE
	{ printf "\\$(printf '%03o' "$2")"; cat "$3"; } >"$out/credentials/$1"
}
cred_seed tencent-default 0 "$cred/tencent.ini"
cred_seed tencent-prod 8 "$cred/tencent.ini"
cred_seed huawei-basic 1 "$cred/huawei.ini"
cred_seed huawei-otc 13 "$cred/huawei.ini"
cred_seed alibaba-ini 2 "$cred/alibaba.ini"
cred_seed aliyun-json 3 "$cred/aliyun-config.json"
cred_seed aliyun-broken 3 "$cred/broken.json"
cred_seed badheader 4 "$cred/badheader.ini"
cred_seed garbage 1 "$cred/garbage.ini"
cred_seed half 0 "$cred/half.ini"
