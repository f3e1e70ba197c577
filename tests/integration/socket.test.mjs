// socket.test.mjs -- who may use oscp-fpd's FastCGI socket, and for how
// long (src/main.c opens it, src/worker.c accepts on it):
//
//  * the unix socket is listen_mode (0660) with listen_group, not 0777;
//  * connections that send nothing pin no worker: with more of them open
//    than there are workers, a request through nginx is answered at once;
//  * a connection that sends nothing, or stops halfway through a request,
//    is closed after read_timeout, and meanwhile the pool keeps answering;
//  * a TCP listener closes a peer not in allowed_peers without a word.
//
// The last two run a second oscp-fpd of their own (the harness's database
// and key, a private socket) with a one-second read_timeout.  Its new
// settings come through OSCP_FP_* variables, so that a daemon without them
// still starts and the test fails on what it does, not on the config.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ENV, cmdline, request, sleep } from './lib.mjs';
import {
	FCGI_BEGIN_REQUEST, assertPing, closedWithin, confValue, connect, record,
	requestBytes,
} from './fcgi.mjs';

const MASTER = Number(ENV.FP_TEST_FPD_PID);
const WORKERS = Number(confValue('workers'));

/* The oscp-fpd binary the harness runs (valgrind, if any, in front). */
function fpdBinary() {
	const arg = cmdline(MASTER).split(' ').find((a) => a.endsWith('/oscp-fpd'));
	return arg ?? path.join(path.dirname(ENV.FP_TEST_ADMIN), 'oscp-fpd');
}

/* The gid a process runs with (effective). */
function processGid(pid) {
	const m = /^Gid:\s+\d+\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
	assert.ok(m, `no Gid in /proc/${pid}/status`);
	return Number(m[1]);
}

function groupGid(name) {
	if (/^\d+$/.test(name))
		return Number(name);
	return Number(execFileSync('getent', ['group', name], { encoding: 'utf8' }).split(':')[2]);
}

/* A free loopback TCP port (the kernel's choice). */
function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

/*
 * The harness's config without the keys a second daemon must not share
 * (socket, pid file, log) or that the test sets through the environment.
 */
function baseConf(dir, listen) {
	const drop = /^\s*(listen|listen_mode|listen_group|allowed_peers|read_timeout|pid_file|log_file|workers)\s*=/;
	const kept = fs.readFileSync(ENV.FP_TEST_CONF, 'utf8').split('\n').filter((l) => !drop.test(l));
	return [...kept, `listen = ${listen}`, `workers = ${WORKERS}`,
	    `pid_file = ${dir}/fpd.pid`, `log_file = ${dir}/fpd.log`, ''].join('\n');
}

/*
 * Start a second oscp-fpd listening on `listen` with OSCP_FP_* from env;
 * resolves once it says it listens.  stop() ends it and fails on a
 * sanitizer report or a bad exit.
 */
async function startFpd(name, listen, env) {
	const dir = fs.mkdtempSync(path.join(ENV.FP_TEST_TMP, `${name}.`));
	const conf = path.join(dir, 'fpd.conf');
	fs.writeFileSync(conf, baseConf(dir, listen), { mode: 0o600 });
	const errPath = path.join(dir, 'fpd.stderr');
	const err = fs.openSync(errPath, 'a');
	const child = spawn(fpdBinary(), ['-f', '-c', conf], {
		env: { ...process.env, ...env }, stdio: ['ignore', err, err],
	});
	fs.closeSync(err);
	const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve({ code, sig })));
	const log = path.join(dir, 'fpd.log');
	const readLog = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '');
	let up = false;
	for (const deadline = Date.now() + 20000; Date.now() < deadline && child.exitCode === null;
	    await sleep(50)) {
		if (/listening on /.test(readLog())) {
			up = true;
			break;
		}
	}
	if (!up) {
		child.kill('SIGKILL');
		await exited;
		assert.fail(`second oscp-fpd did not start: ${fs.readFileSync(errPath, 'utf8')}${readLog()}`);
	}
	await sleep(300);	// its workers: forked, connected to the database
	return {
		dir,
		readLog,
		async stop() {
			child.kill('SIGTERM');
			const { code, sig } = await exited;
			const stderr = fs.readFileSync(errPath, 'utf8') + readLog();
			assert.doesNotMatch(stderr, /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/,
			    'sanitizer report from the second oscp-fpd');
			assert.equal(code, 0, `second oscp-fpd exited ${code} ${sig}: ${stderr.slice(-2000)}`);
		},
	};
}

/* A raw connection that sends `bytes` (maybe nothing); tracks its close. */
function rawConnect(where, bytes) {
	return new Promise((resolve, reject) => {
		const s = net.createConnection(where);
		const c = { s, closed: false, got: 0, closedAt: 0 };
		s.on('data', (d) => { c.got += d.length; });
		s.on('error', () => {});
		s.on('close', () => {
			c.closed = true;
			c.closedAt = Date.now();
		});
		s.once('connect', () => {
			c.openedAt = Date.now();
			if (bytes)
				s.write(bytes);
			resolve(c);
		});
		s.once('error', reject);
	});
}

function waitClosed(c, ms) {
	if (c.closed)
		return Promise.resolve(true);
	return new Promise((resolve) => {
		const t = setTimeout(() => resolve(false), ms);
		c.s.once('close', () => {
			clearTimeout(t);
			resolve(true);
		});
	});
}

test('420-socket-is-0660-with-the-configured-group', () => {
	const sock = confValue('listen');
	const st = fs.statSync(sock);
	assert.ok(st.isSocket(), `${sock} is not a socket`);
	assert.equal((st.mode & 0o777).toString(8), '660', `mode of ${sock}`);
	const group = confValue('listen_group');
	const want = group ? groupGid(group) : processGid(MASTER);
	assert.equal(st.gid, want, `group of ${sock} (listen_group ${group ?? '(none)'})`);
});

test('421-socket-idle-connections-do-not-pin-workers', async () => {
	assert.ok(WORKERS >= 1);
	const sock = confValue('listen');
	const idle = [];
	try {
		// More connections than workers, none of which sends a byte.
		for (let i = 0; i < WORKERS * 2; i++)
			idle.push(await rawConnect(sock));
		await sleep(300);		// the workers have taken them
		const t0 = Date.now();
		const res = await request('GET', '/ping', { timeout: 10000 });
		const took = Date.now() - t0;
		assert.equal(res.status, 200, res.text);
		assert.ok(took < 1500, `request through nginx waited ${took} ms behind idle connections`);
	} finally {
		idle.forEach((c) => c.s.destroy());
	}
});

test('422-socket-read-timeout-closes-silent-and-stalled-connections', async () => {
	const dir = fs.mkdtempSync(path.join(ENV.FP_TEST_TMP, 'rts.'));
	const sock = path.join(dir, 'fp.sock');
	const d = await startFpd('rt', sock, {
		OSCP_FP_READ_TIMEOUT: '1', OSCP_FP_LISTEN_MODE: '0640',
	});
	const held = [];
	try {
		assert.equal((fs.statSync(sock).mode & 0o777).toString(8), '640', 'listen_mode');

		// Nothing sent: closed after about read_timeout, unanswered.
		const silent = await rawConnect(sock);
		assert.equal(await waitClosed(silent, 4000), true, 'silent connection still open after 4 s');
		const lived = silent.closedAt - silent.openedAt;
		assert.ok(lived >= 800, `silent connection closed after ${lived} ms, before read_timeout`);
		assert.equal(silent.got, 0);

		// Half a request (its first record) on one connection per worker,
		// then nothing: each is closed after read_timeout, and a complete
		// request on a new connection is answered meanwhile.
		const half = record(FCGI_BEGIN_REQUEST, 1, Buffer.from([0, 1, 0, 0, 0, 0, 0, 0]));
		for (let i = 0; i < WORKERS; i++)
			held.push(await rawConnect(sock, half));
		await sleep(200);
		const c = await connect(sock);
		assertPing(await c.send('/ping', false, 4000));
		await c.end();
		const closed = await Promise.all(held.map((h) => waitClosed(h, 4000)));
		assert.deepEqual(closed, held.map(() => true), 'a stalled request held its connection');
		assert.deepEqual(held.map((h) => h.got), held.map(() => 0), 'stalled requests got bytes');
	} finally {
		held.forEach((h) => h.s.destroy());
		await d.stop();
	}
});

test('423-socket-tcp-listener-refuses-peers-not-allowed', async () => {
	const port = await freePort();
	const d = await startFpd('tcp', `127.0.0.1:${port}`, {
		OSCP_FP_ALLOWED_PEERS: '127.0.0.2, ::1', OSCP_FP_READ_TIMEOUT: '5',
	});
	try {
		// An allowed peer (127.0.0.2) is served.
		const ok = await connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
		assertPing(await ok.send('/ping', false, 4000));
		await ok.end();

		// 127.0.0.1 is not in the list: closed at once, even with a whole
		// request written, and nothing comes back.
		const t0 = Date.now();
		const no = await rawConnect({ host: '127.0.0.1', port }, requestBytes('/ping', false));
		assert.equal(await waitClosed(no, 3000), true, 'connection from 127.0.0.1 left open');
		assert.ok(Date.now() - t0 < 2000, `closed after ${Date.now() - t0} ms, not at once`);
		assert.equal(no.got, 0, 'a refused peer got an answer');
		assert.match(d.readLog(), /connection from 127\.0\.0\.1 refused/);
	} finally {
		await d.stop();
	}
});

test('424-socket-settings-are-checked', () => {
	const dir = fs.mkdtempSync(path.join(ENV.FP_TEST_TMP, 'chk.'));
	const conf = path.join(dir, 'fpd.conf');
	fs.writeFileSync(conf, baseConf(dir, path.join(dir, 'fp.sock')), { mode: 0o600 });
	const bad = [
		[{ OSCP_FP_LISTEN_MODE: '0999' }, /bad mode '0999' for listen_mode/],
		[{ OSCP_FP_LISTEN_MODE: 'rw-rw----' }, /bad mode 'rw-rw----' for listen_mode/],
		[{ OSCP_FP_LISTEN_GROUP: 'no-such-group-fp' }, /listen_group no-such-group-fp: no such group/],
		[{ OSCP_FP_ALLOWED_PEERS: '127.0.0.1, web1' }, /allowed_peers: 'web1' is not an IP address/],
		[{ OSCP_FP_ALLOWED_PEERS: '' }, /allowed_peers: empty address/],
		[{ OSCP_FP_READ_TIMEOUT: '0' }, /bad number '0' for read_timeout/],
	];
	for (const [env, msg] of bad) {
		const r = spawnSync(fpdBinary(), ['-t', '-c', conf],
		    { env: { ...process.env, ...env }, encoding: 'utf8' });
		assert.equal(r.status, 1, `${JSON.stringify(env)}: exit ${r.status} ${r.stdout}${r.stderr}`);
		assert.match(r.stderr, msg, JSON.stringify(env));
	}
});
