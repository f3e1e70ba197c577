// process.test.mjs -- the pre-forked pool survives a worker crash (SPEC §1,
// §6): SIGKILL one child of the master, a replacement appears within a few
// seconds and the API keeps answering; and the access log line carries the
// request id, method, route, status and duration (SPEC §5).
//
// Run this file on its own or last (node --test-concurrency=1): killing a
// worker may cost the request it is serving, and another file's request
// could be that one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { ENV, api, children, cmdline, newTenant, sleep } from './lib.mjs';

const MASTER = Number(ENV.FP_TEST_FPD_PID);

function alive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** A worker child: one whose title says so, else any child but the last-forked. */
function pickWorker(kids) {
	const named = kids.filter((p) => /worker/i.test(cmdline(p)));
	if (named.length > 0)
		return named[0];
	const notDispatcher = kids.filter((p) => !/dispatch/i.test(cmdline(p)));
	return (notDispatcher.length > 0 ? notDispatcher : kids)[0];
}

async function twentyRequests(t) {
	for (let i = 0; i < 20; i++) {
		const res = await api(t, 'GET', '/capacity-providers');
		assert.equal(res.status, 200, `request ${i + 1}/20 after respawn: ${res.text}`);
		assert.equal(res.json.success, true);
	}
}

test('400-process-worker-killed-is-respawned', async () => {
	assert.ok(Number.isSafeInteger(MASTER) && MASTER > 1, `FP_TEST_FPD_PID=${ENV.FP_TEST_FPD_PID}`);
	assert.ok(alive(MASTER), `master ${MASTER} is not running`);
	const t = newTenant();
	await twentyRequests(t);

	for (let round = 1; round <= 2; round++) {
		const kids = children(MASTER);
		assert.ok(kids.length >= 2, `master has ${kids.length} children: ${kids}`);
		const victim = pickWorker(kids);
		process.kill(victim, 'SIGKILL');

		let now = [];
		const deadline = Date.now() + 5000;
		for (;;) {
			now = children(MASTER);
			if (!now.includes(victim) && now.length === kids.length)
				break;
			if (Date.now() > deadline)
				break;
			await sleep(100);
		}
		assert.ok(!now.includes(victim), `round ${round}: killed pid ${victim} still a child`);
		assert.equal(now.length, kids.length,
		    `round ${round}: ${kids.length} children before, ${now.length} 5 s after killing ${victim}`);
		assert.ok(alive(MASTER), 'master died');
		await twentyRequests(t);
	}
});

test('401-process-access-log-has-request-id', async () => {
	const t = newTenant();
	const ok = 'abc123' + crypto.randomBytes(6).toString('hex');
	const bad = 'abc123' + crypto.randomBytes(6).toString('hex');
	let res = await api(t, 'GET', '/capacity-providers', undefined,
	    { headers: { 'X-Request-ID': ok } });
	assert.equal(res.status, 200, res.text);
	res = await api(t, 'GET', '/capacity-providers', undefined,
	    { headers: { 'X-Request-ID': bad }, secret: t.secret + 'x' });
	assert.equal(res.status, 401, res.text);

	const find = (id) => fs.readFileSync(ENV.FP_TEST_FPD_LOG, 'utf8').split('\n')
	    .filter((l) => l.includes(`reqid=${id}`));
	let lines = [];
	for (let i = 0; i < 30 && lines.length === 0; i++) {
		lines = find(ok);
		if (lines.length === 0)
			await sleep(100);
	}
	assert.equal(lines.length, 1, `log lines with reqid=${ok}: ${JSON.stringify(lines)}`);
	const line = lines[0];
	assert.match(line, /\bGET\b/, line);
	assert.match(line, /\/capacity-providers\b/, line);
	assert.match(line, /\b200\b/, line);
	assert.match(line, /\busec=\d+/, line);
	assert.ok(!line.includes(t.secret), 'secret in the access log');

	const badLines = find(bad);
	assert.equal(badLines.length, 1, `log lines with reqid=${bad}: ${JSON.stringify(badLines)}`);
	assert.match(badLines[0], /\b401\b/, badLines[0]);
	assert.match(badLines[0], /\busec=\d+/, badLines[0]);
});

test('402-process-crash-loses-at-most-the-request-in-flight', async () => {
	const t = newTenant();
	const results = [];
	let stop = false;
	// four clients keep both workers busy
	const client = async () => {
		while (!stop) {
			const res = await api(t, 'GET', '/capacity-providers').catch((e) => ({
				status: 0, text: String(e),
			}));
			results.push(res);
		}
	};
	const clients = [client(), client(), client(), client()];
	await sleep(300);
	const kids = children(MASTER);
	const victim = pickWorker(kids);
	process.kill(victim, 'SIGKILL');
	await sleep(1500);
	stop = true;
	await Promise.all(clients);

	const failed = results.filter((r) => r.status !== 200);
	assert.ok(results.length > 20, `only ${results.length} requests ran`);
	assert.ok(failed.length <= 1, `${failed.length} of ${results.length} requests failed: ` +
	    JSON.stringify(failed.map((r) => [r.status, r.text])));
	for (const r of failed) {
		// nginx's answer for the lost request: its 502 JSON
		assert.equal(r.status, 502, r.text);
		assert.equal(r.json?.success, false, r.text);
	}
	assert.ok(!children(MASTER).includes(victim));
	assert.equal(children(MASTER).length, kids.length);
});

/** Wait until cond() is true (every 100 ms, up to ms); returns its last value. */
async function until(cond, ms = 10000) {
	const deadline = Date.now() + ms;
	let v;
	while (!(v = cond()) && Date.now() < deadline)
		await sleep(100);
	return v;
}

const logText = () => fs.readFileSync(ENV.FP_TEST_FPD_LOG, 'utf8');

test('403-process-sighup-reloads-settings-and-replaces-workers', async () => {
	const conf = ENV.FP_TEST_CONF;
	const orig = fs.readFileSync(conf, 'utf8');
	const m = orig.match(/^workers\s*=\s*(\d+)\s*$/m);
	assert.ok(m, `no "workers = N" line in ${conf}`);
	const n = Number(m[1]);
	const withLine = (key, value) => (new RegExp(`^${key}\\s*=.*$`, 'm').test(orig) ?
	    orig.replace(new RegExp(`^${key}\\s*=.*$`, 'm'), `${key} = ${value}`) :
	    `${orig}\n${key} = ${value}\n`);
	const t = newTenant();
	const before = children(MASTER);
	assert.equal(before.length, n);

	// Clients keep calling through the reload: none may fail.  How many
	// run depends on the machine (valgrind, load); what counts is that
	// requests were made across every SIGHUP and none failed.
	const results = [];
	const hups = [];
	let stop = false;
	const client = async () => {
		while (!stop) {
			const started = Date.now();
			const r = await api(t, 'GET', '/capacity-providers').catch((e) => ({
				status: 0, text: String(e) }));
			r.started = started;
			r.ended = Date.now();
			results.push(r);
		}
	};
	const hup = () => {
		hups.push(Date.now());
		process.kill(MASTER, 'SIGHUP');
	};
	const clients = [client(), client(), client()];
	try {
		await sleep(200);
		let mark = logText().length;
		fs.writeFileSync(conf, withLine('workers', n + 1));
		hup();
		const now = await until(() => {
			const k = children(MASTER);
			return k.length === n + 1 && k.every((p) => !before.includes(p)) ? k : null;
		});
		assert.ok(now, `after SIGHUP: children ${children(MASTER)} (before: ${before}), ` +
		    `want ${n + 1} new ones`);
		await sleep(300);
		assert.match(logText().slice(mark), /settings reloaded/);

		// A file that does not load changes nothing.
		mark = logText().length;
		fs.writeFileSync(conf, withLine('workers', 'lots'));
		hup();
		assert.ok(await until(() => /settings not reloaded/.test(logText().slice(mark))),
		    'no "settings not reloaded" line');
		assert.deepEqual(children(MASTER).sort(), now.sort(), 'workers replaced by a bad file');

		// listen only changes on a restart: kept, and still served.
		mark = logText().length;
		fs.writeFileSync(conf, withLine('listen', '/tmp/oscp-fp-elsewhere.sock'));
		hup();
		assert.ok(await until(() => /listen changes only on a restart/.test(logText().slice(mark))),
		    'no warning about listen');
		assert.ok(!fs.existsSync('/tmp/oscp-fp-elsewhere.sock'));
		await sleep(500);
	} finally {
		const last = children(MASTER);
		fs.writeFileSync(conf, orig);
		hup();
		await until(() => {
			const k = children(MASTER);
			return k.length === n && k.every((p) => !last.includes(p));
		});
		// Each client makes a request after the last SIGHUP (it may be
		// slow: valgrind).
		const lastHup = hups[hups.length - 1];
		await until(() => results.filter((r) => r.started > lastHup).length >= 3, 60000);
		stop = true;
		await Promise.all(clients);
	}
	assert.equal(children(MASTER).length, n, 'back to the original worker count');
	const failed = results.filter((r) => r.status !== 200);
	// Requests ran through every reload: one in flight at, or started
	// after, each SIGHUP (and before the next).
	hups.forEach((h, i) => {
		const next = hups[i + 1] ?? Infinity;
		assert.ok(results.some((r) => r.ended >= h && r.started < next),
		    `no request across SIGHUP ${i + 1} of ${hups.length} (${results.length} in all)`);
	});
	assert.equal(failed.length, 0, `${failed.length} of ${results.length} requests failed ` +
	    `during reloads: ${JSON.stringify(failed.slice(0, 3).map((r) => [r.status, r.text]))}`);
	assert.equal((await api(t, 'GET', '/capacity-providers')).status, 200);
});
