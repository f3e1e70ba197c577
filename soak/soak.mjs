// soak.mjs -- the soak driver (soak/run, `./dev.sh soak MINUTES`).
//
// Against a running stack (soak/run starts it): a fixed number of
// management clients in a loop (per ten requests: six GET of one Capacity
// Provider, two GET of the group listing, one POST of a new provider, one
// DELETE of the client's last one, so the tables stay the same size), plus
// OSCP traffic: forecasts CP -> FP -> CO at a fixed rate and inbound
// heartbeats once a second from a Registered CP, while the dispatcher's
// heartbeat job sends the CP a heartbeat every second.  The peers are two
// loopback sinks answering 204.
//
// After the warm-up it samples every process (oscp-fpd master, workers,
// dispatcher, nginx master and workers, mariadbd): RSS, open fds; and the
// database's connection count; again at the end.  Prints throughput and
// errors per minute, the samples, and the verdict; writes the report as
// JSON.  Exit 0 when: no error, every process's RSS grew < 5 % (mariadbd's
// less what its buffer pool's pages in use grew: a cache bounded by
// innodb_buffer_pool_size, which fills as the tables grow), fds, DB
// connections and server-side prepared statements flat (within a small slack for connections in flight), the
// same processes at the end as at the start.  Exit 1 otherwise.
//
// Environment (set by soak/run): SOAK_BASE, SOAK_HOST, SOAK_TOKEN,
// SOAK_SECRET, SOAK_MINUTES, SOAK_WARMUP (s), SOAK_CONC, SOAK_RATE
// (forecasts/s), SOAK_FPD_PID, SOAK_NGINX_PID, SOAK_DB_PID, SOAK_MYSQL
// (mariadb client command line), SOAK_OUT (report file).

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { signRequest } from '../tests/integration/snws2.mjs';

const E = process.env;
const need = ['SOAK_BASE', 'SOAK_HOST', 'SOAK_TOKEN', 'SOAK_SECRET', 'SOAK_MINUTES',
	'SOAK_FPD_PID', 'SOAK_NGINX_PID', 'SOAK_DB_PID', 'SOAK_MYSQL'];
for (const k of need)
	if (!E[k])
		throw new Error(`soak.mjs: ${k} is not set (run soak/run)`);
const BASE = new URL(E.SOAK_BASE);
const API = '/solaruser/api/v1/sec/user/oscp';
const FP = '/oscp/fp/2.0';
const MINUTES = Number(E.SOAK_MINUTES);
const WARMUP = Number(E.SOAK_WARMUP ?? 30);
const CONC = Number(E.SOAK_CONC ?? 8);
const RATE = Number(E.SOAK_RATE ?? 10);
const TOK = { tokenId: E.SOAK_TOKEN, secret: E.SOAK_SECRET };
const RSS_MAX = 0.05;
const FD_SLACK = 4;
const CONN_SLACK = 2;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const agent = new http.Agent({ keepAlive: true, maxSockets: CONC + 8 });

function send(method, target, { headers = {}, body } = {}) {
	return new Promise((resolve) => {
		const buf = body === undefined ? undefined : Buffer.from(body);
		const req = http.request({ host: BASE.hostname, port: BASE.port, method, path: target,
		    agent, setHost: false, headers: { Host: E.SOAK_HOST, ...headers,
			...(buf ? { 'Content-Length': buf.length } : {}) } }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let json;
				try { json = JSON.parse(text); } catch { json = undefined; }
				resolve({ status: res.statusCode, text, json });
			});
			res.on('error', (e) => resolve({ status: 0, text: String(e) }));
		});
		req.setTimeout(30000, () => req.destroy(new Error('timeout')));
		req.on('error', (e) => resolve({ status: 0, text: String(e) }));
		req.end(buf);
	});
}

function api(method, path, obj) {
	const body = obj === undefined ? undefined : JSON.stringify(obj);
	const h = signRequest({ method, url: API + path, body,
	    contentType: body === undefined ? undefined : 'application/json',
	    ...TOK, date: new Date(), host: E.SOAK_HOST });
	return send(method, API + path, { headers: h, body });
}

function oscp(path, token, obj) {
	return send('POST', FP + path, { body: JSON.stringify(obj), headers: {
		'Content-Type': 'application/json', Authorization: `Token ${token}`,
		'X-Request-ID': crypto.randomUUID() } });
}

/* A peer that answers every request 204 and counts them by path. */
function sink() {
	const counts = {};
	const srv = http.createServer((req, res) => {
		req.resume();
		req.on('end', () => {
			const k = req.url.replace(/^.*\//, '/');
			counts[k] = (counts[k] ?? 0) + 1;
			res.writeHead(204);
			res.end();
		});
	});
	return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({
		counts, srv, url: `http://127.0.0.1:${srv.address().port}/oscp/2.0` })));
}

function must(r, status, what) {
	if (r.status !== status)
		throw new Error(`setup: ${what}: ${r.status} ${r.text}`);
	return r.json;
}

/* ------------------------------------------------------------------ */
/* Processes                                                           */
/* ------------------------------------------------------------------ */

function stat(pid) {
	try {
		const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
		return { comm: s.slice(s.indexOf('(') + 1, s.lastIndexOf(')')), ppid: Number(rest[1]) };
	} catch {
		return null;
	}
}

function childrenOf(ppid) {
	return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))
	    .map(Number).filter((p) => stat(p)?.ppid === ppid).sort((a, b) => a - b);
}

function processes() {
	const fpd = Number(E.SOAK_FPD_PID);
	const ngx = Number(E.SOAK_NGINX_PID);
	const list = [{ name: 'oscp-fpd master', pid: fpd }];
	let w = 0;
	for (const p of childrenOf(fpd)) {
		const c = stat(p)?.comm ?? '?';
		list.push({ name: c === 'oscp-dispatcher' ? 'oscp-dispatcher' : `oscp-fpd worker ${w++}`,
			pid: p });
	}
	list.push({ name: 'nginx master', pid: ngx });
	childrenOf(ngx).forEach((p, i) => list.push({ name: `nginx worker ${i}`, pid: p }));
	list.push({ name: 'mariadbd', pid: Number(E.SOAK_DB_PID) });
	return list;
}

function rssKb(pid) {
	const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
	return m ? Number(m[1]) : NaN;
}

/* Global status values, by name. */
function dbStatus(...names) {
	const out = execFileSync('/bin/sh', ['-c', `${E.SOAK_MYSQL} -N -B -e "$1"`, 'sh',
		`SHOW GLOBAL STATUS WHERE Variable_name IN (${names.map((n) => `'${n}'`).join(',')})`],
	{ encoding: 'utf8' });
	const v = {};
	for (const line of out.trim().split('\n')) {
		const [k, x] = line.split('\t');
		v[k] = Number(x);
	}
	return v;
}

function sample() {
	const st = dbStatus('Threads_connected', 'Prepared_stmt_count',
	    'Innodb_buffer_pool_pages_total',
	    'Innodb_buffer_pool_pages_free', 'Innodb_page_size');
	return {
		at: new Date().toISOString(),
		dbConnections: st.Threads_connected - 1,	// not this client
		// Server-side prepared statements: flat unless one leaks.
		dbStatements: st.Prepared_stmt_count,
		// InnoDB's buffer pool pages in use (table and undo pages, the
		// adaptive hash index): a page is first touched when first
		// used, so mariadbd's RSS grows with them up to
		// innodb_buffer_pool_size; a cache filling is not a leak.
		dbCacheKb: Math.round((st.Innodb_buffer_pool_pages_total -
		    st.Innodb_buffer_pool_pages_free) * st.Innodb_page_size / 1024),
		procs: processes().map((p) => ({ ...p, rssKb: rssKb(p.pid),
			fds: fs.readdirSync(`/proc/${p.pid}/fd`).length })),
	};
}

/* ------------------------------------------------------------------ */
/* Load                                                                */
/* ------------------------------------------------------------------ */

const stats = { mgmt: 0, oscp: 0, errors: 0, errorSamples: [] };

function count(kind, r, ok) {
	stats[kind]++;
	if (!ok.includes(r.status)) {
		stats.errors++;
		if (stats.errorSamples.length < 10)
			stats.errorSamples.push(`${kind} ${r.status} ${String(r.text).slice(0, 200)}`);
	}
}

let running = true;

async function mgmtClient(readId, n) {
	const mine = [];
	let k = n;
	while (running) {
		const op = k++ % 10;
		if (op < 6) {
			count('mgmt', await api('GET', `/capacity-providers/${readId}`), [200]);
		} else if (op < 8) {
			count('mgmt', await api('GET', '/capacity-groups'), [200]);
		} else if (op === 8) {
			const r = await api('POST', '/capacity-providers', { name: `soak-${crypto.randomUUID()}`,
				enabled: true, registrationStatus: 'Pending',
				baseUrl: `https://cp-${crypto.randomUUID()}.example/oscp/cp/2.0`,
				serviceProps: { 'oauth-token-url': 'https://auth.example/token',
					'oauth-client-id': 'soak', 'oauth-client-secret': 's3cr3t' } });
			count('mgmt', r, [201]);
			if (r.status === 201)
				mine.push(r.json.data.configId);
		} else if (mine.length > 0) {
			count('mgmt', await api('DELETE', `/capacity-providers/${mine.pop()}`), [200, 204]);
		} else {
			count('mgmt', await api('GET', `/capacity-providers/${readId}`), [200]);
		}
	}
	// Leave the table as it was.
	for (const id of mine)
		await api('DELETE', `/capacity-providers/${id}`);
}

async function paced(perSec, fn) {
	const gap = 1000 / perSec;
	let next = Date.now();
	const inflight = new Set();
	while (running) {
		const p = fn().finally(() => inflight.delete(p));
		inflight.add(p);
		next += gap;
		const wait = next - Date.now();
		if (wait > 0)
			await sleep(wait);
		else
			next = Date.now();
	}
	await Promise.all(inflight);
}

/* ------------------------------------------------------------------ */

async function main() {
	const cpSink = await sink();
	const coSink = await sink();
	// OSCP systems: a Registered CP (heartbeats both ways, forecasts
	// from it), a Registered CO receiving the relayed forecasts.
	const cp = must(await api('POST', '/capacity-providers', { name: 'Soak CP', enabled: true,
		registrationStatus: 'Registered', baseUrl: cpSink.url, oscpVersion: '2.0' }), 201,
	'CP').data;
	const co = must(await api('POST', '/capacity-optimizers', { name: 'Soak CO', enabled: true,
		registrationStatus: 'Registered', baseUrl: coSink.url, oscpVersion: '2.0' }), 201,
	'CO').data;
	const ident = `soak-${crypto.randomUUID()}`;
	must(await api('POST', '/capacity-groups', { name: 'Soak', identifier: ident, enabled: true,
		capacityProviderId: cp.configId, capacityOptimizerId: co.configId,
		capacityProviderMeasurementPeriod: 'FifteenMinute',
		capacityOptimizerMeasurementPeriod: 'FifteenMinute' }), 201, 'group');
	const hs = await oscp('/handshake', cp.token, { required_behaviour: { heartbeat_interval: 1,
		measurement_configuration: ['CONTINUOUS'] } });
	if (hs.status !== 204)
		throw new Error(`setup: handshake: ${hs.status} ${hs.text}`);
	const readId = must(await api('POST', '/capacity-providers', { name: 'Soak read',
		enabled: true, registrationStatus: 'Pending' }), 201, 'reader').data.configId;

	const forecast = () => oscp('/update_group_capacity_forecast', cp.token, {
		group_id: ident, type: 'CONSUMPTION', forecasted_blocks: [{ capacity: 5, phase: 'ALL',
			unit: 'KW', start_time: '2030-01-01T00:00:00Z', end_time: '2030-01-01T00:15:00Z' }] })
	    .then((r) => count('oscp', r, [204]));
	const heartbeat = () => oscp('/heartbeat', cp.token, {
		offline_mode_at: new Date(Date.now() + 120000).toISOString() })
	    .then((r) => count('oscp', r, [204]));

	const t0 = Date.now();
	const loops = [
		...Array.from({ length: CONC }, (_, i) => mgmtClient(readId, i)),
		paced(RATE, forecast),
		paced(1, heartbeat),
	];
	console.log(`soak: ${MINUTES} min after ${WARMUP} s warm-up; ${CONC} management clients, ` +
	    `${RATE} forecasts/s, 1 inbound heartbeat/s, heartbeat job 1 s`);
	await sleep(WARMUP * 1000);
	const before = { ...stats };
	const start = sample();
	const minutes = [];
	let last = { ...stats, t: Date.now() };
	for (let m = 1; m <= MINUTES; m++) {
		await sleep(Math.max(0, t0 + WARMUP * 1000 + m * 60000 - Date.now()));
		const now = { ...stats, t: Date.now() };
		const secs = (now.t - last.t) / 1000;
		const row = { minute: m, mgmt: now.mgmt - last.mgmt, oscp: now.oscp - last.oscp,
			errors: now.errors - last.errors,
			mgmtPerSec: Math.round((now.mgmt - last.mgmt) / secs),
			oscpPerSec: Math.round((now.oscp - last.oscp) / secs) };
		minutes.push(row);
		console.log(`soak: minute ${m}: ${row.mgmt} management requests (${row.mgmtPerSec}/s), ` +
		    `${row.oscp} OSCP (${row.oscpPerSec}/s), ${row.errors} errors`);
		last = now;
	}
	const end = sample();
	running = false;
	await Promise.all(loops);
	const delivered = { cp: { ...cpSink.counts }, co: { ...coSink.counts } };
	cpSink.srv.close();
	coSink.srv.close();
	agent.destroy();

	// Verdict.
	const fails = [];
	if (stats.errors > 0)
		fails.push(`${stats.errors} errors: ${stats.errorSamples.join(' | ')}`);
	const rows = [];
	const startBy = new Map(start.procs.map((p) => [p.pid, p]));
	const endPids = new Set(end.procs.map((p) => p.pid));
	for (const p of start.procs)
		if (!endPids.has(p.pid))
			fails.push(`${p.name} (pid ${p.pid}) gone by the end`);
	for (const e of end.procs) {
		const s = startBy.get(e.pid);
		if (!s) {
			fails.push(`${e.name} (pid ${e.pid}) new since the start`);
			continue;
		}
		const raw = (e.rssKb - s.rssKb) / s.rssKb;
		const cache = e.name === 'mariadbd' ? Math.max(0, end.dbCacheKb - start.dbCacheKb) : 0;
		const growth = (e.rssKb - cache - s.rssKb) / s.rssKb;
		rows.push({ name: e.name, pid: e.pid, rssStartKb: s.rssKb, rssEndKb: e.rssKb,
			rssGrowthPct: Math.round(raw * 1000) / 10, cacheGrowthKb: cache,
			growthPct: Math.round(growth * 1000) / 10, fdsStart: s.fds, fdsEnd: e.fds });
		if (growth >= RSS_MAX)
			fails.push(`${e.name}: RSS ${s.rssKb} -> ${e.rssKb} kB (+${(growth * 100).toFixed(1)} %)`);
		if (e.fds > s.fds + FD_SLACK)
			fails.push(`${e.name}: open fds ${s.fds} -> ${e.fds}`);
	}
	if (end.dbConnections > start.dbConnections + CONN_SLACK)
		fails.push(`DB connections ${start.dbConnections} -> ${end.dbConnections}`);
	if (end.dbStatements > start.dbStatements)
		fails.push(`prepared statements ${start.dbStatements} -> ${end.dbStatements}`);
	if (!(delivered.co['/update_group_capacity_forecast'] > 0))
		fails.push('no forecast relayed to the CO');
	if (!(delivered.cp['/heartbeat'] > 0))
		fails.push('the heartbeat job sent nothing');

	console.log('soak: process                RSS start kB   RSS end kB   growth' +
	    '   (less table cache)   fds start/end');
	for (const r of rows)
		console.log(`soak: ${r.name.padEnd(22)} ${String(r.rssStartKb).padStart(12)} ` +
		    `${String(r.rssEndKb).padStart(12)} ${String(r.rssGrowthPct).padStart(7)} % ` +
		    `${r.cacheGrowthKb ? `${String(r.growthPct).padStart(9)} % (-${r.cacheGrowthKb} kB)`
			: ''.padStart(11)}   ${String(r.fdsStart).padStart(6)}/${r.fdsEnd}`);
	console.log(`soak: InnoDB buffer pool in use ${start.dbCacheKb} -> ${end.dbCacheKb} kB`);
	console.log(`soak: DB connections ${start.dbConnections} -> ${end.dbConnections}, ` +
	    `prepared statements ${start.dbStatements} -> ${end.dbStatements}; ` +
	    `after warm-up ${stats.mgmt - before.mgmt} management and ${stats.oscp - before.oscp} ` +
	    `OSCP requests, ${stats.errors} errors in all; delivered to the CP ` +
	    `${JSON.stringify(delivered.cp)}, to the CO ${JSON.stringify(delivered.co)}`);
	const report = { minutes: MINUTES, warmupSeconds: WARMUP, concurrency: CONC,
		forecastRate: RATE, perMinute: minutes, errors: stats.errors,
		errorSamples: stats.errorSamples, processes: rows,
		dbConnections: [start.dbConnections, end.dbConnections],
		dbPreparedStatements: [start.dbStatements, end.dbStatements],
		dbBufferPoolInUseKb: [start.dbCacheKb, end.dbCacheKb], delivered,
		passed: fails.length === 0, failures: fails };
	if (E.SOAK_OUT)
		fs.writeFileSync(E.SOAK_OUT, JSON.stringify(report, null, 2) + '\n');
	if (fails.length > 0) {
		for (const f of fails)
			console.log(`soak: FAIL ${f}`);
		process.exit(1);
	}
	console.log('soak: passed');
}

main().catch((e) => {
	console.error(`soak: ${e.stack ?? e}`);
	process.exit(1);
});
