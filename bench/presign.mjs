// presign.mjs -- the benchmark's SNWS2 signing tool.  It signs with the
// integration tests' own signer (tests/integration/snws2.mjs signRequest),
// so the benchmark sends exactly what the tests send.
//
//   node presign.mjs --base URL --token ID --secret S call METHOD PATH [BODY]
//       one signed request now; prints the response body, exit 1 when the
//       status is not 2xx (status and body on stderr)
//   node presign.mjs --base URL --token ID --secret S pool METHOD PATH
//       --out FILE [--count N] [--template BODY]
//       N signed requests for bench/wrk.lua, all with the same date (now);
//       every "{n}" in the template becomes 0..N-1 so each body is unique
//       (POST bodies must carry distinct identifiers).  Without a template,
//       or with --count 1, the file holds one request that wrk replays.
//
// Pool file (read by wrk.lua): "#method M", "#path P", "#header Name: v"
// lines, then one line per request: the Authorization value, a TAB, the
// body.  Bodies are single-line JSON (no TAB, no newline).

import process from 'node:process';
import http from 'node:http';
import fs from 'node:fs';
import { signRequest } from '../tests/integration/snws2.mjs';

function usage(msg) {
	if (msg)
		process.stderr.write(`presign.mjs: ${msg}\n`);
	process.stderr.write('usage: node presign.mjs --base URL --token ID --secret S ' +
	    'call METHOD PATH [BODY] | pool METHOD PATH --out FILE [--count N] [--template BODY]\n');
	process.exit(2);
}

function parse(argv) {
	const o = { count: 1, words: [] };
	const names = {
		'--base': 'base', '--token': 'tokenId', '--secret': 'secret',
		'--out': 'out', '--count': 'count', '--template': 'template',
	};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (names[a] !== undefined) {
			if (i + 1 >= argv.length)
				usage(`${a} needs a value`);
			o[names[a]] = argv[++i];
		} else if (a.startsWith('--')) {
			usage(`unknown option ${a}`);
		} else {
			o.words.push(a);
		}
	}
	// The secret may also come from the environment (keeps it off ps).
	o.secret ??= process.env.BENCH_SECRET;
	if (!o.base || !o.tokenId || !o.secret)
		usage('--base, --token and --secret (or BENCH_SECRET) are required');
	o.count = Number(o.count);
	if (!Number.isInteger(o.count) || o.count < 1)
		usage('--count must be a positive integer');
	return o;
}

const opts = parse(process.argv.slice(2));
let base;
try {
	base = new URL(opts.base);
} catch {
	usage(`not a URL: ${opts.base}`);
}

function sign(method, target, body, date) {
	return signRequest({
		method, url: base.origin + target, body,
		contentType: body === undefined ? undefined : 'application/json',
		tokenId: opts.tokenId, secret: opts.secret, date,
		dateHeader: 'x-sn-date',
	});
}

function call(method, target, body) {
	const headers = sign(method, target, body, new Date());
	const buf = body === undefined ? undefined : Buffer.from(body, 'utf8');
	if (buf)
		headers['Content-Length'] = String(buf.length);
	return new Promise((resolve, reject) => {
		const req = http.request({
			host: base.hostname, port: base.port || 80, method, path: target,
			headers, agent: false, setHost: false,
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('error', reject);
			res.on('end', () => resolve({ status: res.statusCode,
			    body: Buffer.concat(chunks).toString('utf8') }));
		});
		req.on('error', reject);
		req.setTimeout(60000, () => req.destroy(new Error('timeout')));
		if (buf)
			req.write(buf);
		req.end();
	});
}

function pool(method, target, out, count, template) {
	const date = new Date();
	const lines = [];
	const first = sign(method, target, template === undefined ? undefined :
	    template.replaceAll('{n}', '0'), date);
	lines.push(`#method ${method}`, `#path ${target}`);
	for (const [k, v] of Object.entries(first))
		if (k !== 'Authorization')
			lines.push(`#header ${k}: ${v}`);
	const fd = fs.openSync(out, 'w', 0o600);
	fs.writeSync(fd, lines.join('\n') + '\n');
	let chunk = [];
	for (let n = 0; n < count; n++) {
		const body = template === undefined ? '' : template.replaceAll('{n}', String(n));
		if (/[\t\r\n]/.test(body))
			throw new Error('bodies must be single-line without TAB');
		const h = n === 0 ? first : sign(method, target,
		    template === undefined ? undefined : body, date);
		chunk.push(h.Authorization + '\t' + body);
		if (chunk.length >= 10000) {
			fs.writeSync(fd, chunk.join('\n') + '\n');
			chunk = [];
		}
	}
	if (chunk.length > 0)
		fs.writeSync(fd, chunk.join('\n') + '\n');
	fs.closeSync(fd);
}

const [cmd, method, target, body] = opts.words;
if (!cmd || !method || !target || !target.startsWith('/'))
	usage('a command, a METHOD and a /PATH are needed');
if (cmd === 'call') {
	const res = await call(method.toUpperCase(), target, body);
	if (res.status < 200 || res.status > 299) {
		process.stderr.write(`presign.mjs: ${method} ${target}: HTTP ${res.status} ${res.body}\n`);
		process.exit(1);
	}
	process.stdout.write(res.body + '\n');
} else if (cmd === 'pool') {
	if (!opts.out)
		usage('pool needs --out');
	pool(method.toUpperCase(), target, opts.out, opts.count, opts.template);
} else {
	usage(`unknown command ${cmd}`);
}
