// faults.test.mjs -- faults under load (issue 10 §3): a worker killed with
// SIGKILL while wrk and writers drive mixed load, MariaDB stopped and
// restarted, MariaDB read-only, a full disk (the database's directory on a
// tiny tmpfs), SIGTERM and SIGHUP, slow and idle clients, and on the OSCP
// side a dispatcher killed mid-send, a peer that hangs and the heartbeat
// job racing inbound heartbeats.  Everything on loopback, every wait
// bounded; under valgrind (FP_VALGRIND) loads are smaller and waits longer.
//
// Leaves the stack as it found it: the database writable, on its own
// directory, running; the main daemon running (SIGTERM is tried on a second
// daemon with its own nginx).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { execFile, spawn } from 'node:child_process';

import { API, ENV, api, children, confWith, dispatcher, fpdBinary, newTenant, signRequest,
    sleep, sql, sqlCount, uniq, until, cpBody } from './lib.mjs';
import { startPeer, oscpCall } from './peer.mjs';
import { connect as fcgiConnect } from './fcgi.mjs';

const MASTER = Number(ENV.FP_TEST_FPD_PID);
const FP = `${ENV.FP_TEST_BASE}/oscp/fp/2.0`;
const DBCTL = process.env.FP_TEST_DBCTL;
const VG = (process.env.FP_VALGRIND ?? '0') !== '0' && process.env.FP_VALGRIND !== '';
/* Slowness factor: waits grow, loads shrink under valgrind. */
const SLOW = VG ? 4 : 1;
const FORECAST = '/update_group_capacity_forecast';
const DOWN = { success: false, code: '503', message: 'Service unavailable' };

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

function run(cmd, args, opts = {}) {
	return new Promise((resolve, reject) => {
		execFile(cmd, args, { encoding: 'utf8', ...opts }, (err, out, stderr) => {
			if (err)
				reject(new Error(`${cmd} ${args.join(' ')}: ${err.message} ${stderr}`));
			else
				resolve(out);
		});
	});
}

const dbctl = (what) => run(DBCTL, [what]);

/* sql() without blocking the event loop (load and peers live here). */
async function sqlAsync(query) {
	const out = await run('/bin/sh', ['-c', ENV.FP_TEST_MYSQL + ' -N -B -e "$1"', 'sh', query]);
	return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

function alive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/**
 * `n` clients calling fn(i) in a loop until stop(); each result gets
 * started/ended times.  A thrown error is a result with status 0.
 */
function load(n, fn) {
	let stopped = false;
	const results = [];
	const one = async (i) => {
		while (!stopped) {
			const started = Date.now();
			let r;
			try {
				r = await fn(i);
			} catch (e) {
				r = { status: 0, text: String(e) };
			}
			r.started = started;
			r.ended = Date.now();
			results.push(r);
		}
	};
	const ps = Array.from({ length: n }, (_, i) => one(i));
	return {
		results,
		async stop() {
			stopped = true;
			await Promise.all(ps);
			return results;
		},
	};
}

/* A write: POST a Capacity Provider named uniquely; r.name says which. */
async function writeCp(t, call = api) {
	const name = `w-${uniq()}`;
	const r = await call(t, 'POST', '/capacity-providers', cpBody({ name }));
	r.name = name;
	r.write = true;
	return r;
}

/* Names of the tenant's stored Capacity Providers. */
async function storedNames(t) {
	return new Set((await sqlAsync(`SELECT cname FROM oscp_cp_conf WHERE user_id = ${t.userId}`))
	    .map((r) => r[0]));
}

/*
 * No half-written Capacity Provider: each conf row has its heartbeat row
 * and its sealed secret (one transaction writes the three).
 */
async function assertWhole(t) {
	const mine = `c.user_id = ${t.userId} AND c.cname LIKE 'w-%'`;
	const [[conf, hb, sec]] = await sqlAsync(
	    `SELECT (SELECT COUNT(*) FROM oscp_cp_conf c WHERE ${mine}), ` +
	    `(SELECT COUNT(*) FROM oscp_cp_conf c JOIN oscp_cp_heartbeat h ON h.user_id = c.user_id ` +
	    ` AND h.id = c.id WHERE ${mine}), ` +
	    `(SELECT COUNT(*) FROM oscp_cp_conf c JOIN oscp_cp_secret s ON s.user_id = c.user_id ` +
	    ` AND s.id = c.id WHERE ${mine})`);
	assert.equal(hb, conf, `${conf} providers, ${hb} with their heartbeat row`);
	assert.equal(sec, conf, `${conf} providers, ${sec} with their secret row`);
	return Number(conf);
}

/* Every acknowledged write (201) is stored; returns how many. */
async function assertAcked(t, results, pred = () => true) {
	const names = await storedNames(t);
	const acked = results.filter((r) => r.write && r.status === 201 && pred(r));
	const missing = acked.filter((r) => !names.has(r.name));
	assert.equal(missing.length, 0, `${missing.length} of ${acked.length} acknowledged ` +
	    `writes missing: ${missing.slice(0, 3).map((r) => r.name)}`);
	return acked.length;
}

function summary(results) {
	const c = {};
	for (const r of results)
		c[r.status] = (c[r.status] ?? 0) + 1;
	return JSON.stringify(c);
}

/* A tenant with one provider to read: { t, id }. */
async function readerTenant() {
	const t = newTenant();
	const r = await api(t, 'POST', '/capacity-providers', cpBody());
	assert.equal(r.status, 201, r.text);
	return { t, id: r.json.data.configId };
}

const readCp = (t, id, call = api) => call(t, 'GET', `/capacity-providers/${id}`);

/* Nothing crashed: the master is the same, its pool full. */
function assertPool(n = 2) {
	assert.ok(alive(MASTER), 'the master died');
	assert.equal(children(MASTER).length, n, `workers: ${children(MASTER)}`);
	assert.ok(dispatcher(MASTER), 'no dispatcher');
}

async function waitHealthy(t, id) {
	await until(async () => (await readCp(t, id).catch(() => ({ status: 0 }))).status === 200,
	    30000 * SLOW, 'the API answers 200 again');
}

after(async () => {
	// Whatever happened above, leave a running, writable database.
	await dbctl('start').catch(() => {});
	try { sql('SET GLOBAL read_only = 0'); } catch { /* down */ }
});

/* ------------------------------------------------------------------ */
/* 980 kill -9 under wrk                                               */
/* ------------------------------------------------------------------ */

/* wrk on a signed GET (replayed) for `secs`; resolves with its counters. */
function wrk(t, target, secs, conns) {
	const h = signRequest({ method: 'GET', url: target, tokenId: t.tokenId, secret: t.secret,
	    date: new Date() });
	const lua = path.join(ENV.FP_TEST_TMP, `faults-${uniq()}.lua`);
	const q = (s) => JSON.stringify(String(s));
	fs.writeFileSync(lua, [
		'wrk.method = "GET"', `wrk.path = ${q(target)}`,
		...Object.entries(h).map(([k, v]) => `wrk.headers[${q(k)}] = ${q(v)}`),
		'function done(s, l, r)',
		'  local e = s.errors',
		'  io.write(string.format("FAULTS %d %d %d %d %d %d\\n", s.requests, e.connect,',
		'    e.read, e.write, e.status, e.timeout))',
		'end', ''].join('\n'));
	return run('wrk', ['-t1', `-c${conns}`, `-d${secs}s`, '--timeout', '30s', '-s', lua,
	    ENV.FP_TEST_BASE]).then((out) => {
		const m = /FAULTS (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(out);
		assert.ok(m, `wrk printed no counters: ${out}`);
		const [requests, connect, read, write, status, timeout] = m.slice(1).map(Number);
		return { requests, connect, read, write, status, timeout,
			failed: connect + read + write + status + timeout };
	});
}

test('980 kill -9 of a worker under wrk + writers: only in-flight requests fail, pool back to N, no half-written row', async () => {
	const { t, id } = await readerTenant();
	const w = newTenant();
	const n = children(MASTER).length;
	const secs = 4 * SLOW;
	const writers = load(2, () => writeCp(w));
	const reads = wrk(t, `${API}/capacity-providers/${id}`, secs, 4);
	await sleep(1000 * SLOW);
	const victim = children(MASTER)[0];
	process.kill(victim, 'SIGKILL');
	const wr = await reads;
	const res = await writers.stop();

	const failedW = res.filter((r) => r.status !== 201);
	const failed = wr.failed + failedW.length;
	// A worker serves one request at a time: one in flight when killed.
	assert.ok(failed <= 1, `${failed} failed (wrk: ${JSON.stringify(wr)}, writers: ` +
	    `${summary(res)})`);
	for (const r of failedW)
		assert.deepEqual([r.status, r.json?.success], [502, false], r.text);
	assert.ok(wr.requests >= 10 && res.length >= 4,
	    `load too small: wrk ${wr.requests}, writers ${res.length}`);
	await until(() => {
		const k = children(MASTER);
		return k.length === n && !k.includes(victim);
	}, 10000 * SLOW, 'pool back to N');
	const acked = await assertAcked(w, res);
	const stored = await assertWhole(w);
	// The one failed write either committed whole or not at all.
	assert.ok(stored === acked || stored === acked + failedW.length,
	    `${stored} stored, ${acked} acknowledged`);
	assertPool(n);
});

/* ------------------------------------------------------------------ */
/* 981 MariaDB stopped and started under load                          */
/* ------------------------------------------------------------------ */

test('981 MariaDB stopped and restarted under load: 503 JSON while down, recovery without restart, every acknowledged commit kept', async () => {
	const { t, id } = await readerTenant();
	const w = newTenant();
	const workers = children(MASTER);
	const l = load(4, (i) => (i === 0 ? readCp(t, id) : writeCp(w)));
	let stopAt, startAt;
	try {
		await sleep(1000 * SLOW);
		stopAt = Date.now();
		await dbctl('stop');
		await sleep(1500 * SLOW);
		startAt = Date.now();
		await dbctl('start');
		// Recovered: writes acknowledged after the start.
		await until(() => l.results.filter((r) => r.write && r.status === 201 &&
		    r.started > startAt).length >= 5, 30000 * SLOW, 'writes after the restart');
	} finally {
		await dbctl('start').catch(() => {});
		await l.stop();
	}
	const res = l.results;
	const bad = res.filter((r) => ![200, 201, 503].includes(r.status));
	assert.equal(bad.length, 0, `statuses ${summary(res)}: ${bad.slice(0, 3).map((r) => r.text)}`);
	const down = res.filter((r) => r.status === 503);
	assert.ok(down.length > 0, `no 503 while the database was down: ${summary(res)}`);
	for (const r of down)
		assert.deepEqual(r.json, DOWN);
	const before = await assertAcked(w, res, (r) => r.ended < stopAt);
	const all = await assertAcked(w, res);
	assert.ok(before > 0, 'no write acknowledged before the stop');
	await assertWhole(w);
	console.log(`981: ${res.length} requests ${summary(res)}, ${before} commits acknowledged ` +
	    `before the stop and ${all} in all, every one stored`);
	assert.deepEqual(children(MASTER), workers, 'workers restarted');
});

/* ------------------------------------------------------------------ */
/* 982 read-only                                                       */
/* ------------------------------------------------------------------ */

async function registeredCp(t, peer) {
	const r = await api(t, 'POST', '/capacity-providers', { name: 'CP', enabled: true,
	    registrationStatus: 'Registered', baseUrl: peer.baseUrl, oscpVersion: '2.0' });
	assert.equal(r.status, 201, r.text);
	return { id: r.json.data.configId, token: r.json.data.token };
}

test('982 MariaDB read-only under load: writes 503 (management envelope, OSCP message), reads served, recovery', async () => {
	const { t, id } = await readerTenant();
	const w = newTenant();
	const peer = await startPeer({ role: 'cp' });
	const cp = await registeredCp(w, peer);
	const hb = () => oscpCall(FP, '/heartbeat', { token: cp.token,
	    body: { offline_mode_at: '2030-01-01T00:00:00Z' } });
	assert.equal((await hb()).status, 204);
	const l = load(2, () => readCp(t, id));
	const writes = [];
	try {
		sql('SET GLOBAL read_only = 1');
		for (let i = 0; i < 4; i++) {
			const r = await writeCp(w);
			writes.push(r);
			assert.equal(r.status, 503, `write while read-only: ${r.text}`);
			assert.deepEqual(r.json, DOWN);
		}
		const o = await hb();
		assert.equal(o.status, 503, `OSCP heartbeat while read-only: ${o.body}`);
		assert.deepEqual(o.json, { message: 'Service unavailable' });
	} finally {
		sql('SET GLOBAL read_only = 0');
		await l.stop();
		await peer.close();
	}
	const reads = l.results;
	assert.ok(reads.length > 0 && reads.every((r) => r.status === 200),
	    `reads while read-only: ${summary(reads)}`);
	// Recovery: no restart, the next write works.
	const r = await writeCp(w);
	assert.equal(r.status, 201, r.text);
	assert.equal((await hb()).status, 204);
	const names = await storedNames(w);
	assert.ok(writes.every((x) => !names.has(x.name)), 'a refused write was stored');
	await assertWhole(w);
	assertPool();
});

/* ------------------------------------------------------------------ */
/* 983 disk full                                                       */
/* ------------------------------------------------------------------ */

test('983 disk full (the database directory on a full tmpfs) under load: 503 JSON, no crash, recovery', async () => {
	const data = path.join(ENV.FP_TEST_TMP, 'db', 'data');
	const dir = path.join(data, 'oscp');
	const real = path.join(data, 'oscp.real');
	assert.ok(fs.existsSync(path.join(dir, 'oscp_cp_conf.ibd')), `no ${dir}/oscp_cp_conf.ibd`);
	const { t, id } = await readerTenant();
	const w = newTenant();
	const sh = (s) => run('/bin/sh', ['-ec', s]);
	const kb = Number((await run('du', ['-sk', dir])).split(/\s/)[0]);
	let mounted = false;
	let reads = { stop: async () => [] };
	const filler = path.join(dir, 'filler');
	try {
		await dbctl('stop');
		await sh(`mv '${dir}' '${real}' && mkdir '${dir}' && ` +
		    `mount -t tmpfs -o size=${kb + 8192}k,mode=700 faults '${dir}' && ` +
		    `cp -a '${real}/.' '${dir}/'`);
		mounted = true;
		await dbctl('start');
		await waitHealthy(t, id);
		// Fill it up.
		await sh(`dd if=/dev/zero of='${filler}' bs=64k 2>/dev/null || true`);
		assert.ok(fs.statfsSync(dir).bavail < 2, 'the tmpfs is not full');
		reads = load(1, () => readCp(t, id));
		const res = [];
		for (let i = 0; i < 400 && !res.some((r) => r.status === 503); i++) {
			const r = await writeCp(w);
			res.push(r);
			assert.ok(r.status === 201 || r.status === 503,
			    `write ${i} on a full disk: ${r.status} ${r.text}`);
		}
		const full = res.filter((r) => r.status === 503);
		assert.ok(full.length > 0, `400 writes on a full disk: ${summary(res)}`);
		assert.deepEqual(full[0].json, DOWN);
		await sleep(500 * SLOW);
		const rr = await reads.stop();
		// Reads keep working unless MariaDB itself gave up (10.11's InnoDB
		// aborts when a rollback finds no space): then 503 JSON too.
		const dbPid = Number(fs.readFileSync(path.join(ENV.FP_TEST_TMP, 'db', 'mariadbd.pid'),
		    'utf8'));
		let dbDied = !alive(dbPid) || rr.some((r) => r.status === 503);
		if (dbDied)	// it may still be writing its crash report
			await until(() => !alive(dbPid), 30000, 'MariaDB gone after its abort');
		const badReads = rr.filter((r) => !(r.status === 200 ||
		    (r.status === 503 && JSON.stringify(r.json) === JSON.stringify(DOWN))));
		assert.deepEqual(badReads.map((r) => r.text), [], `reads on a full disk: ${summary(rr)}`);
		if (!dbDied)
			assert.ok(rr.every((r) => r.status === 200), `reads: ${summary(rr)}`);
		// Room again (and MariaDB restarted if it died): writes work
		// without restarting the daemon.
		fs.unlinkSync(filler);
		if (dbDied)
			await dbctl('start');
		let ok;
		for (let i = 0; i < 40 && ok?.status !== 201; i++) {
			ok = await writeCp(w);
			if (ok.status !== 201)
				await sleep(250 * SLOW);
		}
		assert.equal(ok.status, 201, `after freeing space: ${ok.text}`);
		console.log(`983: ${summary(res)} writes until the first 503, reads ${summary(rr)}, ` +
		    `MariaDB ${dbDied ? 'aborted (restarted)' : 'stayed up'}`);
		await assertAcked(w, res);
		await assertWhole(w);
		assertPool();
	} finally {
		await reads.stop();
		if (mounted) {
			await dbctl('stop');
			await sh(`rm -f '${filler}'; rm -rf '${real}' && mkdir '${real}' && ` +
			    `cp -a '${dir}/.' '${real}/' && umount '${dir}' && rmdir '${dir}' && ` +
			    `mv '${real}' '${dir}'`);
		} else if (fs.existsSync(real) && !fs.existsSync(path.join(dir, 'oscp_cp_conf.ibd'))) {
			await sh(`rmdir '${dir}' 2>/dev/null || true; mv '${real}' '${dir}'`);
		}
		await dbctl('start');
		await waitHealthy(t, id);
	}
});

/* ------------------------------------------------------------------ */
/* 984 SIGTERM (second daemon, own nginx)                              */
/* ------------------------------------------------------------------ */

/* A second oscp-fpd (2 workers) on the same database behind its own nginx. */
async function secondStack() {
	const dir = fs.mkdtempSync(path.join(ENV.FP_TEST_TMP, 'f2-'));
	fs.chmodSync(dir, 0o755);
	const sock = path.join(dir, 'fpd.sock');
	const conf = path.join(dir, 'oscp-fp.conf');
	fs.writeFileSync(conf, confWith({ listen: sock, pid_file: path.join(dir, 'fpd.pid'),
	    log_file: path.join(dir, 'fpd.log'), workers: 2 }), { mode: 0o600 });
	const fd = fs.openSync(path.join(dir, 'fpd.stderr'), 'a');
	const child = spawn(fpdBinary(), ['-f', '-c', conf], { stdio: ['ignore', fd, fd] });
	fs.closeSync(fd);
	const exited = new Promise((resolve) => child.on('exit', (code, sig) => resolve({ code, sig })));
	await until(() => fs.existsSync(sock) || child.exitCode !== null, 20000 * SLOW,
	    'second oscp-fpd up');
	assert.equal(child.exitCode, null, 'second oscp-fpd exited');
	const out = await run('/bin/bash', ['-c',
		'STACK_SRCDIR=$1; STACK_QUIET=1; . "$1/scripts/stack.sh"; p=$(stack_free_port) && ' +
		'stack_nginx_start "$2/nginx" "$p" "$3" >&2 && echo "$p $STACK_NGINX_PID"',
		'sh', ENV.FP_TEST_SRCDIR ?? process.env.FP_TEST_SRCDIR, dir, sock]);
	const [port, npid] = out.trim().split(' ').map(Number);
	const host = `127.0.0.1:${port}`;
	/* api() against this nginx (signed for its Host). */
	const call = (tn, method, p, body) => {
		const target = API + p;
		const payload = body === undefined ? undefined : JSON.stringify(body);
		const h = signRequest({ method, url: target, body: payload,
		    contentType: payload === undefined ? undefined : 'application/json',
		    tokenId: tn.tokenId, secret: tn.secret, date: new Date(), host });
		return new Promise((resolve, reject) => {
			const req = http.request({ host: '127.0.0.1', port, method, path: target,
			    headers: { ...h, Host: host, ...(payload === undefined ? {} :
				{ 'Content-Length': Buffer.byteLength(payload) }) },
			    agent: false, setHost: false }, (res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('error', reject);
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					let json;
					try { json = JSON.parse(text); } catch { json = undefined; }
					resolve({ status: res.statusCode, text, json });
				});
			});
			req.setTimeout(60000, () => req.destroy(new Error('timeout')));
			req.on('error', reject);
			req.end(payload);
		});
	};
	return {
		pid: child.pid, dir, exited, call, nginxLog: () => fs.readFileSync(
		    path.join(dir, 'nginx', 'error.log'), 'utf8'),
		log: () => fs.readFileSync(path.join(dir, 'fpd.log'), 'utf8'),
		async stop() {
			if (alive(child.pid)) {
				process.kill(child.pid, 'SIGTERM');
				await Promise.race([exited, sleep(30000 * SLOW)]);
				if (alive(child.pid))
					child.kill('SIGKILL');
			}
			if (alive(npid)) {
				process.kill(npid, 'SIGQUIT');
				await until(() => !alive(npid), 10000, 'second nginx stopped')
				    .catch(() => process.kill(npid, 'SIGKILL'));
			}
		},
	};
}

test('984 SIGTERM under load: every accepted request is answered, none dropped', async () => {
	const s = await secondStack();
	try {
		const { t, id } = await readerTenant();
		const w = newTenant();
		const call = s.call;
		const l = load(8, (i) => (i < 2 ? readCp(t, id, call) : writeCp(w, call)));
		await until(() => l.results.filter((r) => r.status === 201).length >= 10 * (VG ? 1 : 3),
		    30000 * SLOW, 'load running');
		const termAt = Date.now();
		process.kill(s.pid, 'SIGTERM');
		const ex = await Promise.race([s.exited, sleep(30000 * SLOW).then(() => null)]);
		assert.ok(ex, 'the daemon did not stop within 30 s of SIGTERM');
		assert.equal(ex.code, 0, `exit ${JSON.stringify(ex)}`);
		await sleep(300);
		const res = await l.stop();
		const bad = res.filter((r) => ![200, 201, 502].includes(r.status));
		assert.equal(bad.length, 0, `statuses ${summary(res)}: ${bad.slice(0, 3).map((r) => r.text)}`);
		// A 502 is a connection refused (the daemon gone), never one it
		// accepted and dropped: nginx logs which.
		const dropped = s.nginxLog().split('\n').filter((x) =>
		    /prematurely closed|reset by peer|Broken pipe|timed out|while reading/i.test(x));
		assert.deepEqual(dropped, [], 'requests accepted and dropped');
		// And a write answered 502 changed nothing; every 201 is stored.
		const names = await storedNames(w);
		const lost = res.filter((r) => r.write && r.status === 502 && names.has(r.name));
		assert.equal(lost.length, 0, `${lost.length} writes stored but answered 502`);
		await assertAcked(w, res);
		await assertWhole(w);
		const straddle = res.filter((r) => r.started < termAt && r.ended > termAt &&
		    r.status < 300).length;
		console.log(`984: ${res.length} requests ${summary(res)}, ${straddle} in flight at ` +
		    'SIGTERM answered');
	} finally {
		await s.stop();
	}
	assertPool();
});

/* ------------------------------------------------------------------ */
/* 985 SIGHUP under load                                               */
/* ------------------------------------------------------------------ */

test('985 SIGHUP twice under mixed load: no request fails, every write kept', async () => {
	const { t, id } = await readerTenant();
	const w = newTenant();
	const l = load(4, (i) => (i < 2 ? readCp(t, id) : writeCp(w)));
	try {
		for (let round = 0; round < 2; round++) {
			await sleep(700 * SLOW);
			const old = children(MASTER);
			process.kill(MASTER, 'SIGHUP');
			await until(() => {
				const k = children(MASTER);
				return k.length === old.length && k.every((p) => !old.includes(p));
			}, 20000 * SLOW, `round ${round}: new workers`);
		}
		await sleep(500 * SLOW);
	} finally {
		await l.stop();
	}
	const res = l.results;
	const failed = res.filter((r) => r.status !== 200 && r.status !== 201);
	assert.ok(res.length >= 8, `only ${res.length} requests ran`);
	assert.equal(failed.length, 0, `${summary(res)}: ${failed.slice(0, 3).map((r) => r.text)}`);
	await assertAcked(w, res);
	assert.equal(await assertWhole(w), res.filter((r) => r.write).length);
	assertPool();
});

/* ------------------------------------------------------------------ */
/* 986 slow clients                                                    */
/* ------------------------------------------------------------------ */

function rawConn() {
	return new Promise((resolve, reject) => {
		const base = new URL(ENV.FP_TEST_BASE);
		const s = net.createConnection({ host: base.hostname, port: Number(base.port) });
		s.on('connect', () => resolve(s));
		s.on('error', reject);
	});
}

test('986 slow headers, slow bodies and idle connections: workers never pinned, limits hold', async () => {
	const { t, id } = await readerTenant();
	const w = newTenant();
	const socks = [];
	const timers = [];
	try {
		// Idle TCP connections to nginx, and idle FastCGI connections
		// straight to the daemon (more than its workers).
		for (let i = 0; i < 200; i++)
			socks.push(await rawConn());
		const idleF = [];
		for (let i = 0; i < 4; i++)
			idleF.push(await fcgiConnect());
		// Slow headers: a byte every 200 ms.
		for (let i = 0; i < 10; i++) {
			const s = await rawConn();
			socks.push(s);
			s.write(`GET ${API}/capacity-providers/${id} HTTP/1.1\r\nHost: ${ENV.FP_TEST_HOST}\r\n`);
			timers.push(setInterval(() => s.write('X'), 200));
		}
		// Slow bodies: signed POSTs whose body trickles in.
		const body = JSON.stringify(cpBody());
		for (let i = 0; i < 6; i++) {
			const target = `${API}/capacity-providers`;
			const h = signRequest({ method: 'POST', url: target, body, contentType: 'application/json',
			    tokenId: w.tokenId, secret: w.secret, date: new Date() });
			const s = await rawConn();
			socks.push(s);
			s.write(`POST ${target} HTTP/1.1\r\n` + Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`)
			    .join('') + `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
			let off = 0;
			timers.push(setInterval(() => {
				if (off < body.length - 1)
					s.write(body[off++]);
			}, 200));
		}
		// A body over the cap is refused at once, however slowly it comes.
		const big = await rawConn();
		socks.push(big);
		const bigAnswer = new Promise((resolve) => {
			let got = '';
			big.on('data', (d) => { got += d; if (/\r\n\r\n/.test(got)) resolve(got); });
			big.on('close', () => resolve(got));
		});
		big.write(`POST ${API}/capacity-providers HTTP/1.1\r\nHost: ${ENV.FP_TEST_HOST}\r\n` +
		    'Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{');
		const ans = await Promise.race([bigAnswer, sleep(5000 * SLOW).then(() => 'none')]);
		assert.match(ans, /^HTTP\/1\.1 413/, `over-cap slow body: ${ans}`);

		await sleep(1000);
		// Normal requests still get through, quickly.
		for (let i = 0; i < 10; i++) {
			const t0 = Date.now();
			const r = await readCp(t, id);
			const ms = Date.now() - t0;
			assert.equal(r.status, 200, r.text);
			assert.ok(ms < 2000 * SLOW, `request ${i} took ${ms} ms with slow clients around`);
		}
		const r = await writeCp(w);
		assert.equal(r.status, 201, r.text);
		for (const c of idleF)
			c.s.destroy();
	} finally {
		for (const x of timers)
			clearInterval(x);
		for (const s of socks)
			s.destroy();
	}
	assertPool();
});

/* ------------------------------------------------------------------ */
/* OSCP: 987 dispatcher killed mid-send, 988 hanging peer, 989 races   */
/* ------------------------------------------------------------------ */

async function addSystem(t, kind, { peer, status = 'Registered' } = {}) {
	const r = await api(t, 'POST', `/${kind}`, {
		name: kind === 'capacity-providers' ? 'CP' : 'CO', enabled: true,
		registrationStatus: status,
		...(peer ? { baseUrl: peer.baseUrl, oscpVersion: '2.0' } : {}),
	});
	assert.equal(r.status, 201, r.text);
	return { id: r.json.data.configId, token: r.json.data.token };
}

/* CP (sends forecasts) -> FP -> CO peer. */
async function relay(coPeer) {
	const t = newTenant();
	const cp = await addSystem(t, 'capacity-providers', { status: 'Pending' });
	const co = await addSystem(t, 'capacity-optimizers', { peer: coPeer });
	const ident = `g-${crypto.randomUUID()}`;
	const g = await api(t, 'POST', '/capacity-groups', {
		name: 'G', identifier: ident, enabled: true,
		capacityProviderId: cp.id, capacityOptimizerId: co.id,
		capacityProviderMeasurementPeriod: 'FifteenMinute',
		capacityOptimizerMeasurementPeriod: 'FifteenMinute',
	});
	assert.equal(g.status, 201, g.text);
	return {
		t, co,
		async forecast() {
			const reqId = crypto.randomUUID();
			const r = await oscpCall(FP, FORECAST, { token: cp.token, requestId: reqId,
			    body: { group_id: ident, type: 'CONSUMPTION', forecasted_blocks: [
				{ capacity: 5, phase: 'ALL', unit: 'KW', start_time: '2030-01-01T00:00:00Z',
				  end_time: '2030-01-01T00:15:00Z' }] } });
			assert.equal(r.status, 204, r.body);
			return reqId;
		},
	};
}

function quiesce(t) {
	sql(`UPDATE oscp_cp_conf SET enabled = 0 WHERE user_id = ${t.userId}`);
	sql(`UPDATE oscp_co_conf SET enabled = 0 WHERE user_id = ${t.userId}`);
	sql(`DELETE FROM oscp_task WHERE user_id = ${t.userId}`);
}

async function outEvents(t, id) {
	const r = await api(t, 'GET', `/capacity-optimizers/${id}/events?max=500`);
	assert.equal(r.status, 200, r.text);
	return r.json.data.filter((e) => e.direction === 'out');
}

test('987 dispatcher killed mid-send under forecast load: every forecast delivered after the lease', async () => {
	const peer = await startPeer({ role: 'co' });
	peer.respond(FORECAST, { delayMs: 1500 });
	const s = await relay(peer);
	const n = VG ? 8 : 20;
	try {
		const ids = [];
		for (let i = 0; i < n; i++)
			ids.push(await s.forecast());
		await peer.waitForCount(FORECAST, 3, 10000 * SLOW);
		const old = dispatcher(MASTER);
		process.kill(old, 'SIGKILL');
		await until(() => {
			const d = dispatcher(MASTER);
			return d && d !== old;
		}, 10000 * SLOW, 'dispatcher respawned');
		await until(() => sqlCount(`oscp_task WHERE user_id = ${s.t.userId}`) === 0,
		    40000 * SLOW, 'every task done');
		const got = peer.matching(FORECAST).map((r) => r.headers['x-request-id']);
		const missing = ids.filter((x) => !got.includes(x));
		assert.deepEqual(missing, [], 'forecasts never delivered');
		// Re-sent only what was claimed when it died, once, and only
		// after the lease (7 s) ran out.
		for (const x of ids) {
			const sends = peer.matching(FORECAST).filter((r) => r.headers['x-request-id'] === x);
			assert.ok(sends.length <= 2, `${x} sent ${sends.length} times`);
			if (sends.length === 2) {
				const gap = sends[1].receivedAt - sends[0].receivedAt;
				assert.ok(gap >= 4500, `${x} re-sent ${gap} ms after, before its lease ran out`);
			}
		}
		const ev = await outEvents(s.t, s.co.id);
		for (const x of ids)
			assert.ok(ev.some((e) => e.requestId === x && e.httpStatus === 204),
			    `no 204 event for ${x}`);
	} finally {
		quiesce(s.t);
		await peer.close();
	}
	assertPool();
});

test('988 a peer that hangs is bounded by the timeouts; other peers are unaffected', async () => {
	const hung = await startPeer({ role: 'co' });
	const good = await startPeer({ role: 'co' });
	hung.hang(FORECAST);
	const a = await relay(hung);
	const b = await relay(good);
	try {
		const hungIds = [];
		for (let i = 0; i < 5; i++)
			hungIds.push(await a.forecast());
		await hung.waitForCount(FORECAST, 5, 10000 * SLOW);
		const t0 = Date.now();
		const goodIds = [];
		for (let i = 0; i < 5; i++)
			goodIds.push(await b.forecast());
		await good.waitForCount(FORECAST, 5, 5000 * SLOW);
		const took = Date.now() - t0;
		assert.ok(took < 3000 * SLOW, `the good peer waited ${took} ms behind the hung one`);
		// The hung sends end by the outbound timeout (3 s), an error each.
		const ev = await until(async () => {
			const e = (await outEvents(a.t, a.co.id)).filter((x) => hungIds.includes(x.requestId));
			return e.length >= 5 ? e : null;
		}, 20000 * SLOW, 'the hung sends time out');
		for (const e of ev) {
			assert.equal(e.httpStatus, undefined);
			assert.match(e.error, /time/i);
			assert.ok(e.durationMs <= 3000 + 1500 * SLOW, `a hung send took ${e.durationMs} ms`);
		}
	} finally {
		quiesce(a.t);
		quiesce(b.t);
		await hung.close();
		await good.close();
	}
	assertPool();
});

test('989 the heartbeat job racing inbound heartbeats: no deadlock, every heartbeat 204', async () => {
	const t = newTenant();
	const peers = await Promise.all(Array.from({ length: 6 }, () => startPeer({ role: 'cp' })));
	const mark = fs.readFileSync(ENV.FP_TEST_FPD_LOG, 'utf8').length;
	try {
		const sys = [];
		for (const p of peers) {
			const s = await addSystem(t, 'capacity-providers', { peer: p });
			const r = await oscpCall(FP, '/handshake', { token: s.token, body: {
				required_behaviour: { heartbeat_interval: 1,
				    measurement_configuration: ['CONTINUOUS'] } } });
			assert.equal(r.status, 204, r.body);
			sys.push(s);
		}
		let k = 0;
		const l = load(4, () => oscpCall(FP, '/heartbeat', { token: sys[k++ % sys.length].token,
		    body: { offline_mode_at: new Date(Date.now() + 60000).toISOString() } })
		    .then((r) => ({ status: r.status, text: r.body })));
		await sleep(5000 * SLOW);
		const res = await l.stop();
		const bad = res.filter((r) => r.status !== 204);
		assert.ok(res.length >= 20, `only ${res.length} inbound heartbeats`);
		assert.equal(bad.length, 0, `${summary(res)}: ${bad.slice(0, 3).map((r) => r.text)}`);
		for (const p of peers)
			assert.ok(p.matching('/heartbeat').length >= 2, 'the heartbeat job stopped sending');
		const log = fs.readFileSync(ENV.FP_TEST_FPD_LOG, 'utf8').slice(mark);
		assert.doesNotMatch(log, /deadlock|lock wait/i);
	} finally {
		quiesce(t);
		await Promise.all(peers.map((p) => p.close()));
	}
	assertPool();
});
