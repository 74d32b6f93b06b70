#!/bin/bash
# --download end to end against the simulator: every provider's flow (the
# Huawei two-step, expired links refreshed), the saved bytes, ca.pem and
# truststore.p12 checked against what was served, archives without a
# readable certificate refused with the previous files untouched, several
# names and --all, permissions as another user, 20 concurrent runs on one
# state file, and hostile cases that must write nothing outside the
# download directory and leave no partial file.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
require_sim

start_sim "$top_srcdir/tests/data/sim/download.json"
DL="$WORK/dl"
export DL WORK
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
	is "$(printf '%s\n' "$out" | sed -n 's/^ca_pem: //p')" "$DL/$name/ca.pem" "$name: ca_pem line names ca.pem"
	is "$(printf '%s\n' "$out" | sed -n 's/^truststore: //p')" "$DL/$name/truststore.p12" \
		"$name: truststore line names truststore.p12"
	check "$name: truststore.p12 saved" test -s "$DL/$name/truststore.p12"
}

# trusted_entries FILE: how many trusted certificates a Java client sees in
# the PKCS#12 (keytool; without it, OpenSSL's listing of the JDK's trust
# attribute, so a missing JDK never fails the test).
trusted_entries() {
	if command -v keytool >/dev/null 2>&1; then
		keytool -list -storepass changeit -keystore "$1" 2>/dev/null | grep -c trustedCertEntry
	else
		openssl pkcs12 -info -nokeys -passin pass:changeit -in "$1" 2>/dev/null |
			grep -c "^ *2\.16\.840\.1\.113894\.746875\.1\.1:\|Trusted key usage (Oracle):"
	fi
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
command -v keytool >/dev/null 2>&1 || diag "keytool not found: checking truststore.p12 with openssl instead"
is "$(trusted_entries "$DL/ali-redis/truststore.p12")" 2 "Alibaba chain: Java sees both as trustedCertEntry"
is "$(trusted_entries "$DL/tc-redis/truststore.p12")" 1 "Tencent: Java sees its CA as trustedCertEntry"
if command -v keytool >/dev/null 2>&1; then
	pycheck "truststore.p12 holds exactly the certificates of ca.pem (keytool -rfc)" \
		'sorted(open(files[0]).read().split("-----BEGIN CERTIFICATE-----")[1:]) == sorted(open(files[1]).read().split("-----BEGIN CERTIFICATE-----")[1:])' \
		"$DL/ali-redis/ca.pem" <(keytool -list -rfc -storepass changeit -keystore "$DL/ali-redis/truststore.p12" 2>/dev/null |
			sed -n '/BEGIN CERT/,/END CERT/p')
fi

# A provider file named ca.pem (or truststore.p12) is saved as
# provider-<name>; the extract is always ca.pem, the path printed.
dl tc-redis-pem
is "$code" 0 "a PEM download is saved"
check "the provider's ca.pem is saved as provider-ca.pem" test -f "$DL/tc-redis-pem/provider-ca.pem"
is "$(printf '%s\n' "$out" | sed -n 's/^ca_pem: //p')" "$DL/tc-redis-pem/ca.pem" "the ca_pem line names the extract"
dl tc-redis-der-named-pem
is "$code" 0 "a DER file named ca.pem is saved"
is "$(sha "$DL/tc-redis-der-named-pem/provider-ca.pem" 2>/dev/null)" \
	"$(json_get "$SIM_DIR/expected.json" "d['instances']['tc-redis-der-named-pem']['file_sha256']")" \
	"provider-ca.pem holds the provider's DER bytes"
check "ca.pem is PEM, not the provider's DER" grep -q "BEGIN CERTIFICATE" "$DL/tc-redis-der-named-pem/ca.pem"
check "the saved message points at ca.pem" grep -q "certificate in $DL/tc-redis-der-named-pem/ca.pem" <<<"$err"
dl hw-dcs-truststore-name
is "$code" 0 "a file named truststore.p12 is saved"
check "as provider-truststore.p12" test -f "$DL/hw-dcs-truststore-name/provider-truststore.p12"
is "$(trusted_entries "$DL/hw-dcs-truststore-name/truststore.p12")" 1 "and our truststore.p12 beside it"
saved_ok tc-redis-der-entry ca.zip
check "a zip entry named ca.pem holding DER: ca.pem is PEM" grep -q "BEGIN CERTIFICATE" "$DL/tc-redis-der-entry/ca.pem"

# No certificate tlsfleet can read: nothing saved, the previous archive and
# ca.pem untouched, exit 1 saying so. The instance directory is seeded
# with a good download under the name the bad one is served as.
"$TLSFLEET" -c "$SIM_CONFIG" --download tc-redis --output-dir "$WORK/seed" >/dev/null 2>&1
nocert() {  # nocert NAME SERVED-NAME DESCRIPTION
	local name=$1 served=$2
	mkdir -p "$DL/$name"
	cp "$WORK/seed/tc-redis/TencentDB-SSL-CA.zip" "$DL/$name/$served"
	cp "$WORK/seed/tc-redis/ca.pem" "$WORK/seed/tc-redis/truststore.p12" "$DL/$name/"
	local before
	before=$(cd "$DL/$name" && sha256sum -- * | sort)
	dl "$name"
	is "$code" 1 "$3: not saved (exit 1)"
	check "$3: the message says no certificate" grep -q "holds no certificate tlsfleet can read" <<<"$err"
	check "$3: the message says the previous files are untouched" grep -q "untouched" <<<"$err"
	is "$out" "" "$3: nothing on stdout"
	is "$(cd "$DL/$name" && sha256sum -- * | sort)" "$before" "$3: previous archive, ca.pem and truststore.p12 untouched"
}
nocert tc-redis-garbage ca.zip "garbage"
nocert tc-redis-empty-zip ca.zip "an empty zip"
nocert tc-redis-jks ca-jks.zip "a JKS-only zip"
nocert tc-redis-p12 ca-p12.zip "a PKCS#12-only zip"
nocert tc-redis-tgz ca.tar.gz "a tarball"
nocert tc-redis-html ca.zip "an HTML page served with 200"
"$TLSFLEET" -c "$SIM_CONFIG" --list --format json >"$WORK/nocert.json" 2>/dev/null
pycheck "a refused download records nothing" 'by["tc-redis-html"]["download"] is None' "$WORK/nocert.json"

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

# Several names: one block each, exit 0 only when every one was saved.
out=$("$TLSFLEET" -c "$SIM_CONFIG" --download tc-redis hw-dcs tc-redis --output-dir "$DL" 2>"$WORK/dl.err")
is "$?" 0 "--download with two names (one twice): exit 0"
is "$(grep -c '^instance: ' <<<"$out")" 2 "a block per instance, a repeated name once"
is "$(grep '^ca_pem: ' <<<"$out" | tr '\n' ' ')" "ca_pem: $DL/tc-redis/ca.pem ca_pem: $DL/hw-dcs/ca.pem " \
	"each block names its ca.pem, in command line order"
out=$("$TLSFLEET" -c "$SIM_CONFIG" --download tc-redis tc-redis-html --output-dir "$DL" 2>"$WORK/dl.err")
is "$?" 1 "one of two not saved: exit 1"
check "the saved one is still printed" grep -q "^ca_pem: $DL/tc-redis/ca.pem" <<<"$out"
check "the count is on stderr" grep -q "1 of 2 CA certificates saved" "$WORK/dl.err"
"$TLSFLEET" -c "$SIM_CONFIG" --download tc-redis no-such-instance --output-dir "$DL" >/dev/null 2>&1
is "$?" 2 "an unknown name among several: exit 2"
"$TLSFLEET" -c "$SIM_CONFIG" --download --output-dir "$DL" >/dev/null 2>&1
is "$?" 2 "--download without a name or --all: usage error"
"$TLSFLEET" -c "$SIM_CONFIG" --download tc-redis --all >/dev/null 2>&1
is "$?" 2 "names and --all together: usage error"
"$TLSFLEET" -c "$SIM_CONFIG" --list --all >/dev/null 2>&1
is "$?" 2 "--all without --download: usage error"

# --all: every instance with TLS on after a refresh; the hostile ones
# (oversized, truncated, no certificate) fail, so exit 1.
out=$("$TLSFLEET" -c "$SIM_CONFIG" --download --all --output-dir "$DL" 2>"$WORK/all.err")
is "$?" 1 "--download --all with some failing: exit 1"
check "--all downloaded the good ones" test -s "$DL/ali-redis/truststore.p12" -a -s "$DL/hw-dcs/ca.pem"
check "--all skipped TLS off" test ! -e "$DL/hw-dcs-disabled"
check "--all names each instance" grep -q "^instance: ali-redis$" <<<"$out"
check "--all says how many were saved" grep -q "of .* CA certificates saved" "$WORK/all.err"

pycheck "the storage host never saw API credentials" 'reqs and not any(r.get("leaked_auth") for r in reqs)'
check "no temporary or partial file left anywhere" test -z "$(find "$DL" -name '.*tmp*')"
check "nothing written outside the download, state and simulator dirs" \
	test -z "$(find "$WORK" -newer "$WORK/marker" -type f -not -path "$DL/*" -not -path "$SIM_DIR/*" -not -path "$XDG_STATE_HOME/tlsfleet/*" -not -path "$WORK/seed/*" -not -name 'sim.*' -not -name 'dl.err' -not -name 'all.err' -not -name 'nocert.json')"

# What was learned is remembered: --list shows the download afterwards.
"$TLSFLEET" -c "$SIM_CONFIG" --list --format json >"$WORK/after.json" 2>/dev/null
pycheck "--list JSON shows the last download (path, size, sha256)" \
	'by["hw-dcs"]["download"]["path"] == os.environ["DL"] + "/hw-dcs/DCS-SSL-CA.zip" and by["hw-dcs"]["download"]["sha256"] == exp["hw-dcs"]["file_sha256"]' "$WORK/after.json"
pycheck "Huawei: API expiry and certificate both known, no mismatch" \
	'by["hw-dcs"]["cert_expires_source"] == "api" and by["hw-dcs"]["expiry_mismatch"] is False and len(by["hw-dcs"]["ca_certs"]) == 1' "$WORK/after.json"
pycheck "--list JSON download gains ca_pem and truststore, after the old keys" \
	'list(by["hw-dcs"]["download"]) == ["path", "size", "sha256", "at", "ca_pem", "truststore"] and by["hw-dcs"]["download"]["ca_pem"] == os.environ["DL"] + "/hw-dcs/ca.pem" and by["hw-dcs"]["download"]["truststore"] == os.environ["DL"] + "/hw-dcs/truststore.p12"' "$WORK/after.json"

# Permissions: download directories 0755, files 0644, state and cache 0700;
# another user reads ca.pem through them.
umask 022
PUB="$WORK/pub"
mkdir -p "$PUB"
"$TLSFLEET" -c "$SIM_CONFIG" --download tc-redis --output-dir "$PUB/certs" >/dev/null 2>&1
mode() { stat -c %a "$1" 2>/dev/null; }
is "$(mode "$PUB/certs")" 755 "a new download directory is 0755"
is "$(mode "$PUB/certs/tc-redis")" 755 "the instance directory is 0755"
is "$(mode "$PUB/certs/tc-redis/ca.pem")" 644 "ca.pem is 0644"
is "$(mode "$PUB/certs/tc-redis/truststore.p12")" 644 "truststore.p12 is 0644"
is "$(mode "$XDG_STATE_HOME/tlsfleet")" 700 "the state directory stays 0700"
is "$(mode "$XDG_STATE_HOME/tlsfleet/state.json")" 600 "the state file stays 0600"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 0711 "$WORK"
	chmod 0755 "$PUB"
	setpriv --reuid=nobody --regid=nogroup --clear-groups cat "$PUB/certs/tc-redis/ca.pem" >"$WORK/nobody.pem" 2>/dev/null
	is "$?" 0 "user nobody reads ca.pem through the download directories"
	check "and gets the certificate" cmp -s "$WORK/nobody.pem" "$PUB/certs/tc-redis/ca.pem"
	setpriv --reuid=nobody --regid=nogroup --clear-groups cat "$XDG_STATE_HOME/tlsfleet/state.json" >/dev/null 2>&1
	isnt=$?
	check "but not the state file" test "$isnt" -ne 0
	chmod 0700 "$WORK"
else
	diag "not root (or no setpriv): reading as another user not tried"
fi

# 20 concurrent runs (12 downloads of different instances, 8 --list) on one
# fresh state file: every download is remembered.
export XDG_STATE_HOME="$WORK/state-concurrent"
many="tc-redis tc-redis-bare-url tc-redis-expired-ca tc-redis-der tc-pg hw-dcs ali-redis ali-redis-pem tc-redis-pem tc-redis-zip-slip tc-redis-der-entry hw-dcs-truststore-name"
pids=""
for name in $many; do
	"$TLSFLEET" -c "$SIM_CONFIG" --download "$name" --output-dir "$WORK/conc" >/dev/null 2>&1 &
	pids="$pids $!"
done
for i in 1 2 3 4 5 6 7 8; do
	"$TLSFLEET" -c "$SIM_CONFIG" --list --format json >/dev/null 2>&1 &
	pids="$pids $!"
done
failed=0
for p in $pids; do wait "$p" || [ $? -eq 1 ] || failed=$((failed + 1)); done
is "$failed" 0 "20 concurrent runs finished without a crash or usage error"
pycheck "every one of the 12 concurrent downloads is in the state file" \
	'all((j[0]["instances"].get(n) or {}).get("download") and j[0]["instances"][n]["download"]["path"].startswith(os.environ["WORK"] + "/conc/" + n + "/") for n in files[1].split())' \
	"$XDG_STATE_HOME/tlsfleet/state.json" "$many"
check "no temporary file beside the state file" test -z "$(find "$XDG_STATE_HOME" -name '*.tmp.*')"

done_testing
