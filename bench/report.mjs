// report.mjs -- the benchmark's results writer.  Reads what bench/run
// collected (one JSON record per load run, plus a meta file with the
// machine, versions, settings, RSS, the 10 000-asset check and the OSCP
// relay and fan-out), computes the ratios and targets of issues #3 and #9,
// prints a table and writes OUTDIR/latest.md and OUTDIR/latest.json.
//
//   node report.mjs RUNS.jsonl META.json OUTDIR
//
// Exit status 0 even when a target is missed (the numbers are the
// product); 1 only when the input is unusable.

import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const [runsFile, metaFile, outDir] = process.argv.slice(2);
if (!runsFile || !metaFile || !outDir) {
	process.stderr.write('usage: node report.mjs RUNS.jsonl META.json OUTDIR\n');
	process.exit(1);
}
const runs = fs.readFileSync(runsFile, 'utf8').split('\n').filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));

// Display order and labels (bench/run's kinds).
const KINDS = [
	['ceilA', 'ceiling A: nginx returns the GET body itself'],
	['ceilB', 'ceiling B: GET /ping (daemon, no auth, no DB)'],
	['ceilB_ka', 'variant: GET /ping, FastCGI keep-alive'],
	['ceilC_select', 'ceiling C: raw client, CG GET SELECT'],
	['ceilC_auth', 'DB work of an auth GET: token lookup + SELECT'],
	['ceilC_insert', 'ceiling C: raw client, group-create txn'],
	['get_one', 'API: GET one capacity group'],
	['get_one_ka', 'variant: GET one group, FastCGI keep-alive'],
	['get_one_mixed', 'API: GET one group, 10 000-asset listings beside'],
	['get_one_mixed_ka', 'variant: same mix, FastCGI keep-alive'],
	['get_list', 'API: GET list (20 groups)'],
	['assets_10k', 'API: GET 10 000-asset group listing'],
	['put', 'API: PUT capacity group'],
	['post', 'API: POST capacity group (txn)'],
	['oscp_hb', 'OSCP: inbound heartbeat (txn)'],
];
const label = Object.fromEntries(KINDS);
const kindOrder = Object.fromEntries(KINDS.map(([k], i) => [k, i]));
runs.sort((a, b) => (kindOrder[a.kind] ?? 99) - (kindOrder[b.kind] ?? 99) || a.conns - b.conns);

// Ceiling A, ceiling B and GET one run in rounds (bench/run -r); every
// other kind once.  A (kind, conns) is represented by its median run.
const median = (xs) => {
	const v = [...xs].sort((a, b) => a - b);
	return v.length === 0 ? null : v.length % 2 ? v[(v.length - 1) / 2] :
	    (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const roundsOf = (kind, conns) => runs.filter((r) => r.kind === kind && r.conns === conns)
    .sort((a, b) => (a.round ?? 1) - (b.round ?? 1));
function find(kind, conns) {
	const rs = roundsOf(kind, conns).sort((a, b) => a.rps - b.rps);
	return rs.length === 0 ? undefined : rs[Math.floor((rs.length - 1) / 2)];
}
const connsList = [...new Set(runs.map((r) => r.conns))].sort((a, b) => a - b);
/* Per-round ratios num/den (rounds matched by number), or null. */
function roundRatios(num, den, conns) {
	const d = new Map(roundsOf(den, conns).map((r) => [r.round ?? 1, r]));
	return roundsOf(num, conns).filter((r) => d.has(r.round ?? 1) && d.get(r.round ?? 1).rps > 0)
	    .map((r) => r.rps / d.get(r.round ?? 1).rps);
}
const reps = [];
for (const r of runs)
	if (!reps.some((x) => x.kind === r.kind && x.conns === r.conns))
		reps.push(find(r.kind, r.conns));
const errCount = (r) => r.errors.non2xx + r.errors.socket + r.errors.timeouts + r.errors.other;

const fmt = (v, d = 0) => (v === null || v === undefined || Number.isNaN(v) ? '–' :
    Number(v).toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
const fmtRatio = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(2));

/* ---- targets ---- */
const targets = [];
function ratioTarget(name, num, den, min) {
	for (const c of connsList) {
		const a = find(num, c), b = find(den, c);
		const per = roundRatios(num, den, c);
		let value = a && b && b.rps > 0 ? a.rps / b.rps : null;
		let display = fmtRatio(value);
		if (per.length > 1) {
			value = median(per);
			display = `${fmtRatio(value)} (rounds ${per.map(fmtRatio).join(', ')})`;
		}
		targets.push({ name: `${name} @${c}`, value, display,
		    target: `≥ ${min.toFixed(2)}`, pass: value === null ? null : value >= min });
	}
}
ratioTarget('ceiling B / ceiling A', 'ceilB', 'ceilA', 0.25);
ratioTarget('auth GET one / ceiling A', 'get_one', 'ceilA', 0.10);
ratioTarget('auth GET one / ceiling B', 'get_one', 'ceilB', 0.50);
ratioTarget('auth POST group / ceiling C insert txn', 'post', 'ceilC_insert', 0.50);
ratioTarget('OSCP inbound heartbeat / ceiling C insert txn', 'oscp_hb', 'ceilC_insert', 0.50);
{
	const rs = roundsOf('get_one', 64);
	const v = rs.length ? median(rs.map((r) => r.p99_ms)) : null;
	const display = rs.length > 1 ? `${fmt(v, 2)} (rounds ${rs.map((r) => fmt(r.p99_ms, 2)).join(', ')})` :
	    fmt(v, 2);
	targets.push({ name: 'p99 auth GET one @64 (ms)', value: v, display,
	    target: '≤ 15', pass: v === null ? null : v <= 15 });
}
{
	const a = meta.assets_10k || {};
	const ok = a.valid_json === true && a.items === 10000;
	targets.push({ name: '10 000-asset list: complete valid JSON', value: ok,
	    display: ok ? `yes (${a.items} items, ${fmt(a.bytes)} B)` : `no (${a.error || a.items})`,
	    target: 'valid, 10 000 items', pass: ok });
	const t = a.time_ms_median ?? null;
	targets.push({ name: '10 000-asset list time (ms, median of unloaded requests)', value: t,
	    display: fmt(t, 1), target: '< 250', pass: t !== null && t < 250 });
}
{
	const w = (meta.rss || []).filter((p) => p.role === 'worker');
	const max = w.length ? Math.max(...w.map((p) => p.rss_kib)) : null;
	targets.push({ name: 'RSS per worker after the run (MiB, max)', value: max === null ? null : max / 1024,
	    display: max === null ? '–' : fmt(max / 1024, 2), target: '< 8', pass: max !== null && max < 8 * 1024 });
}
/* OSCP relay and fan-out (issue #9): bench/run's meta.oscp. */
const oscp = meta.oscp || {};
{
	const r = oscp.relay;
	const has = r && Number.isFinite(r.sent);
	const once = has && r.answered_204 === r.sent && r.delivered === r.sent &&
	    r.duplicate_msgs === 0 && r.strays === 0;
	targets.push({ name: 'OSCP relay: all answered 204, each delivered once',
	    value: has ? once : null,
	    display: has ? `${fmt(r.delivered)} of ${fmt(r.sent)} delivered, ${fmt(r.other_answers)} not 204, ` +
	        `${fmt(r.duplicate_msgs)} duplicates` : '–',
	    target: 'all, once', pass: has ? once : null });
	for (const [p, max] of [[50, 25], [99, 250]]) {
		const v = has ? r[`lat_p${p}_ms`] : null;
		targets.push({ name: `OSCP relay latency p${p}, inbound 204 -> sink (ms)`, value: v,
		    display: fmt(v, 2), target: `≤ ${max}`,
		    pass: v === null || v === undefined ? null : v <= max });
	}
}
{
	const f = oscp.fanout;
	const has = f && Number.isFinite(f.expect);
	const once = has && f.complete && f.peers === f.expect && f.received === f.expect &&
	    f.duplicate_peers === 0 && f.duplicate_ids === 0 && f.bad_bodies === 0;
	targets.push({ name: `OSCP fan-out: all ${has ? fmt(f.expect) : ''} delivered, each once`,
	    value: has ? once : null,
	    display: has ? `${fmt(f.peers)} peers, ${fmt(f.received)} received, ` +
	        `${fmt(f.duplicate_peers)} duplicates` : '–',
	    target: 'all, once', pass: has ? once : null });
	const span = has && f.complete ? f.span_s : null;
	targets.push({ name: 'OSCP fan-out: first to last delivery (s)', value: span,
	    display: span === null ? (has ? 'incomplete' : '–') : `${fmt(span, 2)} (${fmt(f.rate)}/s)`,
	    target: '≤ 10 (≥ 1 000/s)', pass: has ? span !== null && span <= 10 : null });
	const rss = has && f.dispatcher ? f.dispatcher.rss_max_kib : null;
	targets.push({ name: 'OSCP dispatcher RSS during the fan-out (MiB, max)',
	    value: rss === null ? null : rss / 1024,
	    display: rss === null ? '–' : fmt(rss / 1024, 2), target: '< 16',
	    pass: rss === null ? null : rss < 16 * 1024 });
}
{
	const total = runs.reduce((s, r) => s + errCount(r), 0);
	targets.push({ name: 'errors / non-2xx, all runs', value: total, display: fmt(total),
	    target: '0', pass: total === 0 });
}

/* ---- informational ratios ---- */
const info = [];
function infoRatio(name, num, den) {
	for (const c of connsList) {
		const a = find(num, c), b = find(den, c);
		if (a && b && b.rps > 0)
			info.push({ name: `${name} @${c}`, value: a.rps / b.rps });
	}
}
infoRatio('auth GET one / ceiling C select', 'get_one', 'ceilC_select');
infoRatio('auth GET one / raw token lookup + SELECT', 'get_one', 'ceilC_auth');
infoRatio('auth GET list (20) / auth GET one', 'get_list', 'get_one');
infoRatio('auth PUT / auth GET one', 'put', 'get_one');
infoRatio('auth POST / auth GET one', 'post', 'get_one');
// The road not taken by default: nginx keeping FastCGI connections open.
infoRatio('keep-alive variant: ceiling B (keep-alive) / ceiling A', 'ceilB_ka', 'ceilA');
infoRatio('keep-alive variant: auth GET one (keep-alive) / ceiling A', 'get_one_ka', 'ceilA');
infoRatio('keep-alive variant: auth GET one (keep-alive) / ceiling B (keep-alive)', 'get_one_ka', 'ceilB_ka');
infoRatio('keep-alive variant: auth GET one (keep-alive) / auth GET one', 'get_one_ka', 'get_one');
infoRatio('keep-alive variant, listings beside: auth GET one (keep-alive) / auth GET one', 'get_one_mixed_ka', 'get_one_mixed');
// What a request stuck behind a long one on its kept connection costs.
for (const c of connsList) {
	const a = find('get_one_mixed_ka', c), b = find('get_one_mixed', c);
	if (a && b && b.p99_ms > 0)
		info.push({ name: `keep-alive variant, listings beside: p99 of auth GET one (keep-alive) / p99 (off) @${c}`,
		    value: a.p99_ms / b.p99_ms });
}

/* ---- noise: CPU used by anything else on the machine during the runs ---- */
const others = runs.map((r) => (r.cpu && Number.isFinite(r.cpu.other) ?
    r.cpu.other + (r.cpu.steal || 0) : 0));
const meanOther = others.length ? others.reduce((a, b) => a + b, 0) / others.length : 0;
const noisy = meanOther > 15;
const warning = noisy ? `WARNING: other work (and steal) used ${fmt(meanOther)}% CPU on average during the ` +
    `runs (${fmt(Math.min(...others))}–${fmt(Math.max(...others))}%; 100% = one core of ` +
    `${meta.machine.nproc}). The figures and ratios are unreliable; run again on a quiet machine.` : null;

/* ---- text ---- */
const L = [];
L.push('# oscp-fp benchmark: latest run', '');
L.push(`Run ${meta.started} – ${meta.finished} (UTC), total ${fmt(meta.total_s)} s, by \`./dev.sh bench\` (bench/run).`, '');
if (warning)
	L.push(`**${warning}**`, '');
L.push('## Machine, versions, settings', '');
L.push('| | |', '|---|---|');
L.push(`| machine | ${meta.machine.nproc} CPUs, ${meta.machine.model}, ${fmt(meta.machine.mem_mib)} MiB RAM, kernel ${meta.machine.kernel} |`);
L.push(`| load average before the run | ${meta.machine.loadavg_before} |`);
for (const [k, v] of Object.entries(meta.versions))
	L.push(`| ${k} | ${v} |`);
const s = meta.settings;
L.push(`| oscp-fpd | ${s.workers} workers, FastCGI over a unix socket, build ${s.build} |`);
L.push(`| nginx | ${s.nginx_workers} worker process, keep-alive to the client, fastcgi_keep_conn off |`);
L.push(`| MariaDB | ${s.db_args}, innodb_flush_log_at_trx_commit=${s.flush_log_at_trx_commit}, client over the unix socket |`);
L.push(`| load | wrk ${s.wrk_threads} thread(s), ${s.conns.join(' and ')} connections, ${s.duration_s} s per run, --timeout ${s.wrk_timeout}, keep-alive, loopback |`);
L.push(`| data | ${s.data} |`);
L.push('');

L.push('## Results', '');
L.push('CPU: share of one core (100% = one core; the machine has ' + meta.machine.nproc * 100 +
    '%), from /proc/PID/stat utime+stime between 1 s after the start and 1 s before the end. ' +
    '"other" = whole-machine user+system time (/proc/stat) not accounted to the listed ' +
    'processes (other work on this machine); "irq" = hard+soft interrupt time (loopback TCP ' +
    'shows up here); "steal" = time the hypervisor gave to other guests.', '');
L.push('| run | conns | req/s | p50 ms | p99 ms | errors | nginx | oscp-fpd | mariadbd | client | other | irq | steal | idle |');
L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const nRounds = (r) => roundsOf(r.kind, r.conns).length;
const rowLabel = (r) => (label[r.kind] || r.kind) + (nRounds(r) > 1 ? ` (median of ${nRounds(r)} rounds)` : '');
for (const r of reps) {
	const c = r.cpu || {};
	const pct = (v) => (v === undefined || v === null || v < 0 ? '–' : `${fmt(v)}%`);
	L.push(`| ${rowLabel(r)} | ${r.conns} | ${fmt(r.rps)} | ${fmt(r.p50_ms, 2)} | ` +
	    `${fmt(r.p99_ms, 2)} | ${fmt(errCount(r))} | ${pct(c.nginx)} | ${pct(c.fpd)} | ` +
	    `${pct(c.mariadbd)} | ${pct(c.client)} | ${pct(c.other)} | ${pct(c.irq)} | ` +
	    `${pct(c.steal)} | ${pct(c.idle)} |`);
}
L.push('');
L.push('"client" is wrk for HTTP runs and bench/ceiling_db for ceiling C. "oscp-fpd" is the master ' +
    'and all its children. Errors = non-2xx answers + socket errors + timeouts (+ failed ' +
    'transactions for ceiling C).', '');
const mixed = runs.filter((r) => r.background);
if (mixed.length) {
	L.push('"listings beside": during the run, 2 more connections (a second wrk, counted in ' +
	    '"client") request the 10 000-asset listing in a loop; its errors count in the run\'s. ' +
	    'The listings themselves:', '');
	L.push('| run | conns | listing req/s | listing p99 ms | listing errors |', '|---|---:|---:|---:|---:|');
	for (const r of mixed)
		L.push(`| ${label[r.kind] || r.kind} | ${r.conns} | ${fmt(r.background.rps, 1)} | ` +
		    `${fmt(r.background.p99_ms, 2)} | ${fmt(r.background.errors)} |`);
	L.push('');
}

{
	const kinds = ['ceilA', 'ceilB', 'get_one'];
	const multi = connsList.filter((c) => kinds.every((k) => roundsOf(k, c).length > 1));
	if (multi.length) {
		L.push('Rounds (ceiling A, ceiling B and GET one run back to back in each round; a ' +
		    'target ratio is the median of the rounds\' ratios):', '');
		L.push('| conns | round | ceiling A req/s | ceiling B req/s | GET one req/s | B/A | GET/A | GET/B |',
		    '|---:|---:|---:|---:|---:|---:|---:|---:|');
		for (const c of multi)
			for (const a of roundsOf('ceilA', c)) {
				const n = a.round ?? 1;
				const b = roundsOf('ceilB', c).find((r) => (r.round ?? 1) === n);
				const g = roundsOf('get_one', c).find((r) => (r.round ?? 1) === n);
				if (!b || !g)
					continue;
				L.push(`| ${c} | ${n} | ${fmt(a.rps)} | ${fmt(b.rps)} | ${fmt(g.rps)} | ` +
				    `${fmtRatio(b.rps / a.rps)} | ${fmtRatio(g.rps / a.rps)} | ${fmtRatio(g.rps / b.rps)} |`);
			}
		L.push('');
	}
}

L.push('## Targets', '');
L.push('| figure | value | target | |', '|---|---:|---|---|');
for (const t of targets)
	L.push(`| ${t.name} | ${t.display} | ${t.target} | ` +
	    `${t.pass === null ? 'not measured' : t.pass ? 'met' : '**MISSED**'} |`);
L.push('');
if (info.length) {
	L.push('Other ratios (no target):', '');
	L.push('| ratio | value |', '|---|---:|');
	for (const i of info)
		L.push(`| ${i.name} | ${fmtRatio(i.value)} |`);
	L.push('');
}

L.push('## Memory after the run (VmRSS)', '');
L.push('| process | pid | RSS KiB |', '|---|---:|---:|');
for (const p of meta.rss || [])
	L.push(`| ${p.role} | ${p.pid} | ${fmt(p.rss_kib)} |`);
if (!(meta.rss || []).some((p) => p.role === 'dispatcher'))
	L.push('| dispatcher | – | not found (no oscp-dispatcher child of the master) |');
L.push('');
L.push('The dispatcher (process name oscp-dispatcher) is the child of the master that sends ' +
    'every outbound OSCP message; its RSS during the fan-out is in the OSCP section.', '');

if (oscp.relay || oscp.fanout) {
	const o = oscp.settings || {};
	L.push('## OSCP (issue #9)', '');
	L.push('Inbound heartbeats (`oscp_hb` above): wrk POSTs /oscp/fp/2.0/heartbeat through nginx with ' +
	    `\`Authorization: Token\` of ${fmt(o.hb_systems)} CPs in turn; each request is a token digest ` +
	    'lookup, an UPDATE of the CP and an inbound event row in one transaction. The ratio to ' +
	    'ceiling C insert at the same concurrency is in the targets.', '');
	const r = oscp.relay;
	if (r && Number.isFinite(r.sent)) {
		L.push('Relay: a CO registers with the FP (token swap; the Register reply goes to a node:http ' +
		    'sink), then the CP sends update_group_capacity_forecast through nginx at a fixed ' +
		    `${fmt(r.rate)}/s for ${fmt(r.secs)} s (open loop, each with its own X-Request-ID), and ` +
		    'the dispatcher relays each to the sink with the same X-Request-ID. Latency = the ' +
		    'sink receiving it minus the sender getting the 204 (one node process, one clock).', '');
		L.push('| figure | value |', '|---|---:|');
		L.push(`| sent (sending took ${fmt(r.send_secs, 2)} s) | ${fmt(r.sent)} |`);
		L.push(`| answered 204 / other | ${fmt(r.answered_204)} / ${fmt(r.other_answers)} |`);
		L.push(`| delivered / missing / duplicates / strays | ${fmt(r.delivered)} / ${fmt(r.missing)} / ` +
		    `${fmt(r.duplicate_msgs)} / ${fmt(r.strays)} |`);
		L.push(`| delivery latency p50 / p99 / max ms | ${fmt(r.lat_p50_ms, 2)} / ` +
		    `${fmt(r.lat_p99_ms, 2)} / ${fmt(r.lat_max_ms, 2)} |`);
		L.push(`| delivery latency min ms (< 0: delivered before the sender saw its 204) | ${fmt(r.lat_min_ms, 2)} |`);
		L.push(`| inbound latency (send -> 204) p50 / p99 ms | ${fmt(r.in_p50_ms, 2)} / ${fmt(r.in_p99_ms, 2)} |`);
		L.push('');
	}
	const f = oscp.fanout;
	if (f && Number.isFinite(f.expect)) {
		L.push(`Fan-out: ${fmt(f.expect)} Registered CPs (heartbeat interval 60 s, none sent yet) ` +
		    'inserted in one SQL transaction; the heartbeat job (heartbeat_job_seconds = 1 in the ' +
		    'bench config) queues them all and the dispatcher sends them to a node:http sink on ' +
		    'loopback (each peer its own base URL path; no peer token, so no Authorization header).', '');
		L.push('| figure | value |', '|---|---:|');
		L.push('| peers with a heartbeat / received / duplicate peers / repeated X-Request-IDs / bad bodies | ' +
		    `${fmt(f.peers)} / ${fmt(f.received)} / ${fmt(f.duplicate_peers)} / ` +
		    `${fmt(f.duplicate_ids)} / ${fmt(f.bad_bodies)} |`);
		L.push(`| first to last delivery s (messages/s) | ${fmt(f.span_s, 3)} (${fmt(f.rate)}) |`);
		L.push(`| SQL commit to last delivery s (includes the wait for the job) | ${fmt(f.commit_to_last_s, 3)} |`);
		if (f.dispatcher) {
			L.push(`| dispatcher VmRSS, max of ${fmt(f.dispatcher.rss_samples)} samples every 100 ms / ` +
			    `VmHWM KiB | ${fmt(f.dispatcher.rss_max_kib)} / ${fmt(f.dispatcher.hwm_kib)} |`);
			L.push(`| CPU seconds during the fan-out: dispatcher / mariadbd | ` +
			    `${fmt(f.dispatcher.cpu_s, 2)} / ${fmt(f.mariadbd_cpu_s, 2)} |`);
		}
		L.push('');
	}
}

const a = meta.assets_10k || {};
L.push('## 10 000-asset listing (unloaded)', '');
L.push(`GET /capacity-groups/{id}/assets for a group with 10 000 assets: HTTP ${a.status}, ` +
    `${fmt(a.bytes)} bytes, jq: ${a.valid_json ? 'valid JSON' : 'INVALID'}, ` +
    `success=${a.success}, ${a.items} items. Times of ${(a.times_ms || []).length} sequential ` +
    `requests: ${(a.times_ms || []).map((t) => fmt(t, 1)).join(', ')} ms (median ${fmt(a.time_ms_median, 1)} ms).`, '');

if (meta.notes && meta.notes.length) {
	L.push('## Notes', '');
	for (const n of meta.notes)
		L.push(`- ${n}`);
	L.push('');
}
const md = L.join('\n');

fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'latest.md'), md);
fs.writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify({
	meta, noise: { mean_other_cpu_pct: meanOther, noisy }, runs, targets: targets.map(({ name, value, target, pass }) => ({ name, value, target, pass })),
	ratios: info,
}, null, 2) + '\n');

/* ---- terminal ---- */
const pad = (v, n, left = false) => (left ? String(v).padEnd(n) : String(v).padStart(n));
const out = [];
out.push(pad('run', 46, true) + pad('conns', 6) + pad('req/s', 10) + pad('p50 ms', 9) + pad('p99 ms', 9) +
    pad('err', 5) + pad('nginx', 7) + pad('fpd', 6) + pad('mdb', 6) + pad('client', 7) + pad('other', 7));
for (const r of reps) {
	const c = r.cpu || {};
	const p = (v) => (v === undefined || v === null || v < 0 ? '–' : `${Math.round(v)}%`);
	out.push(pad((label[r.kind] || r.kind) + (nRounds(r) > 1 ? ' (median)' : ''), 46, true) + pad(r.conns, 6) + pad(fmt(r.rps), 10) +
	    pad(fmt(r.p50_ms, 2), 9) + pad(fmt(r.p99_ms, 2), 9) + pad(errCount(r), 5) +
	    pad(p(c.nginx), 7) + pad(p(c.fpd), 6) + pad(p(c.mariadbd), 6) + pad(p(c.client), 7) + pad(p(c.other), 7));
}
out.push('');
for (const t of targets)
	out.push(pad(t.name, 58, true) + pad(t.display, 46) + '  ' + pad(t.target, 20, true) +
	    (t.pass === null ? 'not measured' : t.pass ? 'met' : 'MISSED'));
if (warning)
	out.push('', warning);
process.stdout.write(out.join('\n') + '\n');
