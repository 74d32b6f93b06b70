// Baseline: the official Tencent Cloud Node.js SDK (tencentcloud-sdk-nodejs-common,
// installed by bench/run.sh baselines into bench/node_modules, not committed)
// asking DescribeSSLStatus for each Redis instance of a bench fleet TSV,
// against the bench nginx. Trust for the bench CA: NODE_EXTRA_CA_CERTS.
//
//   node sdk-baseline.js FLEET.tsv PORT BATCH [LIMIT]
//
// BATCH 1 = one request after the other; BATCH 32 = 32 at a time
// (Promise.all per batch). Prints one line: n, wall seconds, requests/s.
"use strict";
const fs = require("fs");
const path = require("path");
const { CommonClient } = require(path.join(__dirname, "node_modules", "tencentcloud-sdk-nodejs-common"));

const [tsv, port, batchArg, limitArg] = process.argv.slice(2);
const batch = parseInt(batchArg || "1", 10);
const limit = parseInt(limitArg || "0", 10);
let rows = fs.readFileSync(tsv, "utf8").split("\n").filter((l) => l)
	.map((l) => l.split("\t"))
	.filter((f) => f[0] === "tencent" && f[1] === "redis");
if (limit > 0)
	rows = rows.slice(0, limit);
const clients = new Map();
function client(row) {
	const key = row[4];
	if (!clients.has(key)) {
		clients.set(key, new CommonClient("redis.tencentcloudapi.com", "2018-04-12", {
			credential: { secretId: row[4], secretKey: row[5] },
			region: row[2],
			profile: { httpProfile: { endpoint: "127.0.0.1:" + port, protocol: "https://", reqTimeout: 30 } },
		}));
	}
	return clients.get(key);
}

async function main() {
	let failures = 0;
	const t0 = process.hrtime.bigint();
	for (let i = 0; i < rows.length; i += batch) {
		const part = rows.slice(i, i + batch);
		const answers = await Promise.allSettled(part.map((r) =>
			client(r).request("DescribeSSLStatus", { InstanceId: r[3] })));
		for (const a of answers)
			if (a.status !== "fulfilled" || a.value.SSLConfig !== true)
				failures++;
	}
	const wall = Number(process.hrtime.bigint() - t0) / 1e9;
	console.log(`sdk batch=${batch} n=${rows.length} wall_s=${wall.toFixed(3)} ` +
		`req_s=${(rows.length / wall).toFixed(0)} failures=${failures}`);
	process.exit(failures ? 1 : 0);
}
main().catch((e) => { console.error("sdk-baseline: " + e.message); process.exit(1); });
