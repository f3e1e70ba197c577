// stack.test.mjs -- scripts/stack.sh, the shell library behind ./dev.sh run,
// the harness and the benchmark, called the way dev.sh calls it:
//
//  * the "is this port in use" check counts a listener only: a TIME_WAIT
//    socket left by an earlier run's clients does not make `./dev.sh run`
//    refuse to start (a server binds the port again with SO_REUSEADDR).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import net from 'node:net';

const SRCDIR = process.env.FP_TEST_SRCDIR;

/* stack__port_busy PORT, in bash with stack.sh sourced: true = busy. */
function portBusy(port) {
	assert.ok(SRCDIR, 'FP_TEST_SRCDIR not set by the harness');
	const r = spawnSync('bash', ['-c', '. "$STACK_SRCDIR/scripts/stack.sh" && stack__port_busy "$1"',
	    'bash', String(port)], {
		env: { ...process.env, STACK_SRCDIR: SRCDIR, STACK_QUIET: '1' }, encoding: 'utf8',
	});
	assert.ok(r.status === 0 || r.status === 1, `stack__port_busy: exit ${r.status} ${r.stderr}`);
	return r.status === 0;
}

function once(emitter, event) {
	return new Promise((resolve) => emitter.once(event, resolve));
}

test('430-stack-port-check-ignores-time-wait', async () => {
	// A listener on the port: busy.
	const srv = net.createServer();
	srv.listen(0, '127.0.0.1');
	await once(srv, 'listening');
	const { port } = srv.address();
	assert.equal(portBusy(port), true, `port ${port} with a listener`);

	// One connection that the server's side closes first, which leaves a
	// TIME_WAIT socket on the port; then the listener goes away.
	const accepted = once(srv, 'connection');
	const client = net.createConnection({ host: '127.0.0.1', port });
	await once(client, 'connect');
	const conn = await accepted;
	const clientEnded = once(client, 'end');
	conn.end();
	await clientEnded;
	const closed = Promise.all([once(conn, 'close'), once(client, 'close')]);
	client.end();
	await closed;
	await new Promise((resolve) => srv.close(resolve));

	const tw = execFileSync('ss', ['-Htan', 'state', 'time-wait', `( sport = :${port} )`],
	    { encoding: 'utf8' });
	assert.notEqual(tw.trim(), '', `no TIME_WAIT socket on port ${port} to test with`);
	assert.equal(portBusy(port), false, `port ${port} with only TIME_WAIT:\n${tw}`);
});
