// oscp.mjs -- the benchmark's OSCP peers (bench/run): a fixed-rate
// forecast sender with the CO sink beside it (relay), and a heartbeat sink
// for the dispatcher's fan-out.  node:http only, no packages, one process,
// so the two timestamps of a relayed message come from the same clock.
//
//   BENCH_CP_TOKEN=T BENCH_CO_TOKEN=T node oscp.mjs relay --fp URL
//       --group IDENT [--rate 200] [--secs 30] [--settle 30]
//       Starts a CO sink on 127.0.0.1, registers the CO with the FP
//       (POST /register with the CO's token and the sink as base URL; the
//       FP's Register reply lands on the sink and makes the CO Registered),
//       warms up until one forecast comes through, then sends
//       update_group_capacity_forecast as the CP at a fixed rate (open
//       loop: request i leaves at t0 + i / rate whatever the answers) for
//       --secs, each with its own X-Request-ID, which the FP reuses on the
//       relayed message.  Waits up to --settle seconds for the last
//       deliveries, then prints one JSON line: sent, answered 204, other
//       answers, delivered (distinct X-Request-IDs that were answered 204),
//       missing, duplicates, strays (delivered but not answered 204), the
//       delivery latency (inbound 204 -> sink received) and the inbound
//       latency (send -> 204) percentiles in ms.
//
//   node oscp.mjs fanout --expect N --ready FILE [--timeout 120] [--grace 2]
//       Starts a sink on 127.0.0.1, writes its base URL to FILE, and counts
//       heartbeats (POST .../heartbeat with a JSON offline_mode_at) per
//       peer (the path before /heartbeat) and per X-Request-ID.  When N
//       distinct peers have one, waits --grace seconds for duplicates,
//       then prints one JSON line: received, peers, duplicates (peers with
//       more than one, and repeated X-Request-IDs), bad bodies, first and
//       last arrival (epoch ms) and the span between them.
//
// Exit 0 with the JSON line whatever the figures are (the report judges);
// 1 when the run itself could not happen (FP unreachable, no delivery in
// the warm-up, timeout with nothing received).

import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import process from 'node:process';
import { performance } from 'node:perf_hooks';

function usage(msg) {
	if (msg)
		process.stderr.write(`oscp.mjs: ${msg}\n`);
	process.stderr.write('usage: BENCH_CP_TOKEN=T BENCH_CO_TOKEN=T node oscp.mjs relay ' +
	    '--fp URL --group IDENT [--rate N] [--secs S] [--settle S]\n' +
	    '       node oscp.mjs fanout --expect N --ready FILE [--timeout S] [--grace S]\n');
	process.exit(2);
}

function opts(argv) {
	const o = {};
	for (let i = 0; i < argv.length; i++) {
		if (!argv[i].startsWith('--') || i + 1 >= argv.length)
			usage(`bad argument ${argv[i]}`);
		o[argv[i].slice(2)] = argv[++i];
	}
	return o;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pct(xs, p) {
	if (xs.length === 0)
		return null;
	const v = [...xs].sort((a, b) => a - b);
	return v[Math.min(v.length - 1, Math.ceil((p / 100) * v.length) - 1)];
}
const round3 = (v) => (v === null ? null : Math.round(v * 1000) / 1000);

/* A sink: 204 to every POST, onRequest(req, body, receivedPerf) first. */
function sink(onRequest) {
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const at = performance.now();
			onRequest(req, Buffer.concat(chunks).toString('utf8'), at);
			res.writeHead(req.method === 'POST' ? 204 : 405);
			res.end();
		});
	});
	server.keepAliveTimeout = 60000;
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve(server));
	});
}

/* POST JSON; resolves { status, body, sentPerf, answeredPerf }. */
function post(agent, url, headers, body) {
	return new Promise((resolve) => {
		const data = Buffer.from(JSON.stringify(body));
		const sentPerf = performance.now();
		const req = http.request(url, {
			method: 'POST', agent,
			headers: { 'Content-Type': 'application/json', 'Content-Length': data.length,
			    ...headers },
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode,
			    body: Buffer.concat(chunks).toString('utf8'), sentPerf,
			    answeredPerf: performance.now() }));
		});
		req.on('error', (e) => resolve({ status: 0, body: String(e), sentPerf,
		    answeredPerf: performance.now() }));
		req.end(data);
	});
}

async function relay(o) {
	for (const k of ['fp', 'group'])
		if (!o[k])
			usage(`relay needs --${k}`);
	// Tokens through the environment, not the command line (ps).
	o['cp-token'] = process.env.BENCH_CP_TOKEN;
	o['co-token'] = process.env.BENCH_CO_TOKEN;
	if (!o['cp-token'] || !o['co-token'])
		usage('relay needs BENCH_CP_TOKEN and BENCH_CO_TOKEN in the environment');
	const rate = Number(o.rate ?? 200), secs = Number(o.secs ?? 30);
	const settle = Number(o.settle ?? 30) * 1000;
	const fp = o.fp.replace(/\/+$/, '');
	const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
	const got = new Map();		// X-Request-ID -> [receivedPerf, ...]
	let registerReply = null;
	const server = await sink((req, body, at) => {
		if (req.url.endsWith('/register')) {
			registerReply = at;
			return;
		}
		if (!req.url.endsWith('/update_group_capacity_forecast'))
			return;
		const id = req.headers['x-request-id'];
		if (!got.has(id))
			got.set(id, []);
		got.get(id).push(at);
	});
	const base = `http://127.0.0.1:${server.address().port}/oscp/co/2.0`;
	const fail = (msg) => {
		process.stderr.write(`oscp.mjs relay: ${msg}\n`);
		process.exit(1);
	};

	// The CO registers: the FP answers on the sink and marks it Registered.
	const reg = await post(agent, `${fp}/register`, {
		Authorization: `Token ${o['co-token']}`, 'X-Request-ID': crypto.randomUUID(),
	}, { token: 'bench-co-peer-token', version_url: [{ version: '2.0', base_url: base }] });
	if (reg.status !== 204)
		fail(`register: HTTP ${reg.status} ${reg.body}`);
	for (let i = 0; i < 100 && registerReply === null; i++)
		await sleep(100);
	if (registerReply === null)
		fail('the FP did not send its Register reply within 10 s');

	const forecast = {
		group_id: o.group, type: 'CONSUMPTION',
		forecasted_blocks: [{ capacity: 42.5, phase: 'ALL', unit: 'KW',
		    start_time: '2030-01-01T00:00:00Z', end_time: '2030-01-01T00:15:00Z' }],
	};
	const cpAuth = `Token ${o['cp-token']}`;
	const send = (id) => post(agent, `${fp}/update_group_capacity_forecast`,
	    { Authorization: cpAuth, 'X-Request-ID': id }, forecast);

	// Warm-up: the status change is committed after the reply arrived;
	// until then the FP refuses the relay.  One at a time until one
	// forecast is delivered (not counted).
	let warm = false;
	for (const end = performance.now() + 20000; !warm && performance.now() < end;) {
		const id = `warm-${crypto.randomUUID()}`;
		const r = await send(id);
		if (r.status !== 204)
			fail(`warm-up forecast: HTTP ${r.status} ${r.body}`);
		for (let i = 0; i < 20 && !got.has(id); i++)
			await sleep(50);
		warm = got.has(id);
	}
	if (!warm)
		fail('no forecast was relayed to the sink in the 20 s warm-up');
	for (const k of [...got.keys()])
		got.delete(k);

	// Open loop at a fixed rate.
	const n = Math.round(rate * secs);
	const sent = new Map();		// id -> { status, sentPerf, answeredPerf }
	const pending = [];
	const t0 = performance.now() + 10;
	for (let i = 0; i < n; i++) {
		const due = t0 + (i * 1000) / rate;
		const wait = due - performance.now();
		if (wait > 1)
			await sleep(wait);
		const id = crypto.randomUUID();
		const rec = { status: null, sentPerf: 0, answeredPerf: 0 };
		sent.set(id, rec);
		pending.push(send(id).then((r) => Object.assign(rec, r)));
	}
	const tSent = performance.now();
	await Promise.all(pending);
	const ok = [...sent.entries()].filter(([, r]) => r.status === 204);
	const settleEnd = performance.now() + settle;
	while (ok.some(([id]) => !got.has(id)) && performance.now() < settleEnd)
		await sleep(100);
	await sleep(1000);		// late duplicates

	const lat = [], inLat = [];
	let missing = 0, dupIds = 0, dupMsgs = 0;
	for (const [id, r] of ok) {
		inLat.push(r.answeredPerf - r.sentPerf);
		const g = got.get(id);
		if (!g) {
			missing++;
			continue;
		}
		lat.push(g[0] - r.answeredPerf);
	}
	for (const g of got.values())
		if (g.length > 1) {
			dupIds++;
			dupMsgs += g.length - 1;
		}
	const strays = [...got.keys()].filter((id) => !sent.has(id) ||
	    sent.get(id).status !== 204).length;
	const statuses = {};
	for (const r of sent.values())
		statuses[r.status] = (statuses[r.status] ?? 0) + 1;
	const out = {
		rate, secs, sent: n, send_secs: round3((tSent - t0) / 1000),
		answered_204: ok.length, other_answers: n - ok.length, statuses,
		delivered: ok.length - missing, missing, duplicate_ids: dupIds,
		duplicate_msgs: dupMsgs, strays,
		// delivery: inbound 204 -> sink received (negative: the relay
		// arrived before this process handled the 204)
		lat_p50_ms: round3(pct(lat, 50)), lat_p99_ms: round3(pct(lat, 99)),
		lat_max_ms: round3(lat.length ? Math.max(...lat) : null),
		lat_min_ms: round3(lat.length ? Math.min(...lat) : null),
		in_p50_ms: round3(pct(inLat, 50)), in_p99_ms: round3(pct(inLat, 99)),
	};
	process.stdout.write(JSON.stringify(out) + '\n');
	agent.destroy();
	server.closeAllConnections?.();
	server.close();
}

async function fanout(o) {
	if (!o.expect || !o.ready)
		usage('fanout needs --expect and --ready');
	const expect = Number(o.expect), timeout = Number(o.timeout ?? 120) * 1000;
	const grace = Number(o.grace ?? 2) * 1000;
	const peers = new Map();	// peer path -> count
	const ids = new Map();		// X-Request-ID -> count
	let received = 0, bad = 0, first = null, last = null, firstPerf = 0, lastPerf = 0;
	let full = null;
	const server = await sink((req, body, at) => {
		if (!req.url.endsWith('/heartbeat'))
			return;
		received++;
		const now = Date.now();
		if (first === null) {
			first = now;
			firstPerf = at;
		}
		last = now;
		lastPerf = at;
		const peer = req.url.slice(0, -'/heartbeat'.length);
		peers.set(peer, (peers.get(peer) ?? 0) + 1);
		const id = req.headers['x-request-id'] ?? '';
		ids.set(id, (ids.get(id) ?? 0) + 1);
		try {
			if (typeof JSON.parse(body).offline_mode_at !== 'string')
				bad++;
		} catch {
			bad++;
		}
		if (full === null && peers.size >= expect)
			full = at;
	});
	const base = `http://127.0.0.1:${server.address().port}`;
	fs.writeFileSync(o.ready, base + '\n');
	const start = performance.now();
	while (full === null && performance.now() - start < timeout)
		await sleep(50);
	if (full !== null)
		await sleep(grace);
	let dupPeers = 0, dupIds = 0;
	for (const c of peers.values())
		if (c > 1)
			dupPeers++;
	for (const c of ids.values())
		if (c > 1)
			dupIds++;
	const span = first === null ? null : (lastPerf - firstPerf) / 1000;
	const out = {
		expect, received, peers: peers.size, duplicate_peers: dupPeers,
		duplicate_ids: dupIds, bad_bodies: bad, complete: full !== null,
		first_epoch_ms: first, last_epoch_ms: last,
		span_s: round3(span),
		rate: span ? Math.round(received / span) : null,
	};
	process.stdout.write(JSON.stringify(out) + '\n');
	server.closeAllConnections?.();
	server.close();
	if (received === 0)
		process.exit(1);
}

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === 'relay')
	await relay(opts(rest));
else if (cmd === 'fanout')
	await fanout(opts(rest));
else
	usage(cmd ? `unknown command ${cmd}` : null);
process.exit(0);
