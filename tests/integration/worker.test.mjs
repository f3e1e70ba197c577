// worker.test.mjs -- the worker's connection loop (src/worker.c), spoken to
// in FastCGI straight on oscp-fpd's socket (no nginx in between, so the
// test decides when connections open, stay and close):
//
//  * a connection opened with FCGI_KEEP_CONN (nginx's fastcgi_keep_conn on)
//    carries request after request;
//  * idle kept connections do not pin workers: with many more of them open
//    than there are workers, a new connection is still answered at once,
//    and every kept one still answers its next request;
//  * without FCGI_KEEP_CONN the worker closes the connection after the
//    response;
//  * a kept connection the web server closes is let go, and the pool keeps
//    answering;
//  * a worker told to stop (SIGTERM) answers the requests already waiting
//    on its kept connections, closes them, and is replaced.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENV, children, sleep } from './lib.mjs';
import { assertPing, closedWithin, confValue, connect } from './fcgi.mjs';

const WORKERS = Number(confValue('workers'));

test('410-worker-kept-connection-carries-many-requests', async () => {
	const c = await connect();
	try {
		for (let i = 0; i < 5; i++)
			assertPing(await c.send('/ping', true));
		assert.equal(await closedWithin(c, 200), false, 'worker closed a kept connection');
		// An unknown route on the same connection: the JSON 404, still open.
		const nf = await c.send('/no/such/route', true);
		assert.match(nf, /^Status: 404 /);
		assert.equal(await closedWithin(c, 200), false);
	} finally {
		await c.end();
	}
});

test('411-worker-idle-kept-connections-do-not-pin-workers', async () => {
	assert.ok(WORKERS >= 1);
	const held = [];
	try {
		// Many more idle kept connections than workers.
		for (let i = 0; i < WORKERS * 4 + 3; i++) {
			const c = await connect();
			held.push(c);
			assertPing(await c.send('/ping', true, 3000));
		}
		// A new connection is answered at once, not after a kept one closes.
		const fresh = await connect();
		const t0 = Date.now();
		assertPing(await fresh.send('/ping', false, 3000));
		assert.ok(Date.now() - t0 < 2000, `fresh connection waited ${Date.now() - t0} ms`);
		await fresh.end();
		// And every kept connection answers its next request, in any order.
		const again = await Promise.all(held.map((c) => c.send('/ping', true, 5000)));
		again.forEach(assertPing);
	} finally {
		await Promise.all(held.map((c) => c.end()));
	}
});

test('412-worker-closes-connection-without-keep-conn', async () => {
	const c = await connect();
	assertPing(await c.send('/ping', false));
	assert.equal(await closedWithin(c, 3000), true, 'connection left open without FCGI_KEEP_CONN');
});

test('413-worker-lets-go-of-closed-kept-connections', async () => {
	// Open and close many kept connections; their slots must be freed
	// (a worker holds at most 256: 800 in all is more than two workers
	// hold), so the pool keeps answering.
	for (let round = 0; round < 8; round++) {
		const cs = [];
		try {
			for (let i = 0; i < 100; i++)
				cs.push(await connect());
			const answers = await Promise.all(cs.map((c) => c.send('/ping', true, 5000)));
			answers.forEach(assertPing);
		} finally {
			await Promise.all(cs.map((c) => c.end()));
		}
	}
	const c = await connect();
	assertPing(await c.send('/ping', true));
	await c.end();
});

test('414-worker-stop-answers-waiting-requests-then-closes', async () => {
	const master = Number(ENV.FP_TEST_FPD_PID);
	const before = children(master);
	assert.ok(before.length >= 1, `master ${master} has no children`);
	const held = [];
	try {
		for (let i = 0; i < WORKERS * 3; i++) {
			const c = await connect();
			held.push(c);
			assertPing(await c.send('/ping', true, 3000));
		}
		// With the workers frozen, a request is written on every kept
		// connection and the stop signal sent; thawed, each worker sees
		// the signal first and must still answer what is waiting before
		// it closes its connections.
		for (const pid of before)
			process.kill(pid, 'SIGSTOP');
		const answers = held.map((c) => c.answer(10000));
		await Promise.all(held.map((c) => c.post('/ping', true)));
		for (const pid of before) {
			process.kill(pid, 'SIGTERM');
			process.kill(pid, 'SIGCONT');
		}
		(await Promise.all(answers)).forEach(assertPing);
		const closed = await Promise.all(held.map((c) => closedWithin(c, 5000)));
		assert.deepEqual(closed, held.map(() => true), 'a kept connection outlived its worker');
	} finally {
		await Promise.all(held.map((c) => c.end()));
	}
	// The master replaces them and the pool answers again.
	let now = [];
	for (const deadline = Date.now() + 10000; Date.now() < deadline; await sleep(100)) {
		now = children(master);
		if (now.length === before.length && now.every((p) => !before.includes(p)))
			break;
	}
	assert.equal(now.length, before.length, `children before ${before}, now ${now}`);
	assert.ok(now.every((p) => !before.includes(p)), `not all replaced: before ${before}, now ${now}`);
	const c = await connect();
	assertPing(await c.send('/ping', false, 5000));
	await c.end();
});
