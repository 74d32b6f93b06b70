#!/bin/bash
# --download end to end against the simulator: every provider's flow (the
# Huawei two-step, expired links refreshed), the saved bytes and ca.pem
# checked against what was served, and hostile cases that must write
# nothing outside the download directory and leave no partial file.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
require_sim

start_sim "$top_srcdir/tests/data/sim/download.json"
DL="$WORK/dl"
export DL
touch "$WORK/marker"
sleep 1   # file times are compared against the marker below

dl() {  # dl NAME: run --download; sets code, out, err
	out=$("$TLSFLEET" -c "$SIM_CONFIG" --download "$1" --output-dir "$DL" 2>"$WORK/dl.err")
	code=$?
	err=$(cat "$WORK/dl.err")
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# saved_ok NAME FILE: the file was saved, equals what the simulator served,
# and ca.pem beside it holds the served CA certificate(s).
saved_ok() {
	local name=$1 file=$2
	dl "$name"
	is "$code" 0 "$name: --download exits 0"
	check "$name: saved as $file" test -f "$DL/$name/$file"
	is "$(sha "$DL/$name/$file" 2>/dev/null)" "$(json_get "$SIM_DIR/expected.json" "d['instances']['$name']['file_sha256']")" \
		"$name: SHA-256 of the saved file equals the served one"
	is "$(printf '%s\n' "$out" | sed -n 's/^sha256: //p')" "$(sha "$DL/$name/$file" 2>/dev/null)" "$name: printed SHA-256 matches"
	pycheck "$name: ca.pem holds exactly the served CA certificates" \
		'sorted(__import__("hashlib").sha256(__import__("ssl").PEM_cert_to_DER_cert(p)).hexdigest() for p in ["-----BEGIN CERTIFICATE-----" + c for c in open(files[0]).read().split("-----BEGIN CERTIFICATE-----")[1:]]) == sorted(exp[sys.argv[-1].split("/")[-2]]["ca_sha256"])' \
		"$DL/$name/ca.pem"
}

saved_ok tc-redis TencentDB-SSL-CA.zip
check "tc-redis: the certificate's expiry is printed" grep -q "expires $(json_get "$SIM_DIR/expected.json" "d['instances']['tc-redis']['ca_not_after']")" <<<"$out"
saved_ok tc-redis-bare-url TencentDB-SSL-CA.zip
saved_ok tc-redis-link-expired TencentDB-SSL-CA.zip
pycheck "expired Tencent link: the provider was asked again for a fresh one" \
	'sum(1 for r in reqs if r.get("instance") == exp["tc-redis-link-expired"]["id"] and r.get("action") == "DescribeSSLStatus") == 2'
saved_ok tc-redis-expired-ca TencentDB-SSL-CA.zip
saved_ok tc-redis-der ca.der
saved_ok tc-pg TencentDB-PG-SSL-CA.zip
saved_ok hw-dcs DCS-SSL-CA.zip
pycheck "Huawei: status call, link call, then the file" \
	'[r["action"] for r in reqs if r.get("instance") == exp["hw-dcs"]["id"]] == ["ShowInstanceSsl", "DownloadSslCert", "download"]'
saved_ok hw-dcs-link-expired DCS-SSL-CA.zip
pycheck "expired presigned Huawei link: a second link call, the file fetched once" \
	'[r["action"] for r in reqs if r.get("instance") == exp["hw-dcs-link-expired"]["id"]] == ["ShowInstanceSsl", "DownloadSslCert", "DownloadSslCert", "download"]'
saved_ok ali-redis ApsaraDB-CA-Chain.zip
pycheck "Alibaba chain: both certificates in ca.pem" 'open(files[0]).read().count("BEGIN CERTIFICATE") == 2' "$DL/ali-redis/ca.pem"

# The downloaded file named ca.pem keeps its name; the extract goes beside it.
dl tc-redis-pem
is "$code" 0 "a PEM download is saved"
check "its extract does not overwrite it" test -f "$DL/tc-redis-pem/ca-extracted.pem"

# Not a certificate: saved (it is what the provider serves), and said so.
dl tc-redis-garbage
is "$code" 0 "garbage from the provider is saved as served"
check "the message says no certificate was found" grep -q "found no certificate" <<<"$err"
check "no ca.pem for it" test ! -e "$DL/tc-redis-garbage/ca.pem"

# Hostile names stay inside the instance's directory.
dl hw-dcs-hostile-name
is "$code" 0 "file_name ../../evil.zip is saved"
check "under a safe name inside its directory" test -f "$DL/hw-dcs-hostile-name/_...evil.zip"
check "nothing named evil outside" test -z "$(find "$WORK" -name '*evil*' -not -path "$DL/hw-dcs-hostile-name/*" -not -path "$SIM_DIR/*")"
dl hw-dcs-control-name
is "$code" 0 "file_name with control characters is saved"
check "control characters, slashes and a leading dot are gone" \
	test -n "$(find "$DL/hw-dcs-control-name" -maxdepth 1 -name '_hidden*redname.zip')"
check "no escape character in any saved name" test -z "$(find "$DL" -name $'*\e*' -o -name $'*\a*')"
dl hw-dcs-empty-name
is "$code" 0 "an empty file_name falls back to the URL"
dl tc-redis-zip-slip
is "$code" 0 "an archive with ../ entries is saved"
check "its entries are never extracted by name" test -z "$(find "$WORK" -name 'evil.pem' -o -name copy.pem)"
long="ali-redis-long-name-$(printf 'é%.0s' $(seq 62))"
dl "$long"
is "$code" 0 "a long UTF-8 instance name is saved"
check "its directory name is at most 128 bytes" test -n "$(find "$DL" -maxdepth 1 -name 'ali-redis-long-name-*' -print | LC_ALL=C awk -F/ '{ if (length($NF) <= 128) print }')"

# Refusals: a clear message, exit 1, nothing written.
refused() {  # refused NAME PATTERN DESCRIPTION
	dl "$1"
	is "$code" 1 "$1: not saved (exit 1)"
	check "$1: $3" grep -qi "$2" <<<"$err"
	check "$1: nothing written" test ! -e "$DL/$1"
}
refused tc-pg-http "https only" "an http:// link is refused"
refused tc-redis-redirect-http "redirect" "a redirect to http is refused"
refused tc-redis-huge "larger than" "a body over the size cap is refused"
refused tc-redis-truncated "CURLE_PARTIAL_FILE\|remaining" "a truncated body is an error"
refused tc-redis-dies "CURLE_PARTIAL_FILE\|remaining" "a server dying mid-body is an error"
refused hw-dcs-disabled "TLS is disabled" "TLS off: no request for a file"
pycheck "TLS off: no link call made" \
	'not any(r["action"] == "DownloadSslCert" for r in reqs if r.get("instance") == exp["hw-dcs-disabled"]["id"])'
dl no-such-instance
is "$code" 2 "unknown instance name: exit 2"

pycheck "the storage host never saw API credentials" 'reqs and not any(r.get("leaked_auth") for r in reqs)'
check "no temporary or partial file left anywhere" test -z "$(find "$DL" -name '.*tmp*')"
check "nothing written outside the download, state and simulator dirs" \
	test -z "$(find "$WORK" -newer "$WORK/marker" -type f -not -path "$DL/*" -not -path "$SIM_DIR/*" -not -path "$XDG_STATE_HOME/tlsfleet/*" -not -name 'sim.*' -not -name 'dl.err')"

# What was learned is remembered: --list shows the download afterwards.
"$TLSFLEET" -c "$SIM_CONFIG" --list --format json >"$WORK/after.json" 2>/dev/null
pycheck "--list JSON shows the last download (path, size, sha256)" \
	'by["hw-dcs"]["download"]["path"] == os.environ["DL"] + "/hw-dcs/DCS-SSL-CA.zip" and by["hw-dcs"]["download"]["sha256"] == exp["hw-dcs"]["file_sha256"]' "$WORK/after.json"
pycheck "Huawei: API expiry and certificate both known, no mismatch" \
	'by["hw-dcs"]["cert_expires_source"] == "api" and by["hw-dcs"]["expiry_mismatch"] is False and len(by["hw-dcs"]["ca_certs"]) == 1' "$WORK/after.json"

done_testing
