// sign.mjs -- print a ready-to-paste curl command for an SNWS2-signed
// request, using the test suite's own signer (snws2.mjs).  Used by
// `./dev.sh run` (the demo request) and `./dev.sh curl`.
//
//   node sign.mjs --token ID --secret S [--method GET] [--body JSON |
//       --body-file FILE] [--content-type TYPE]
//       [--date-header x-sn-date|date] URL
//
// A body defaults to Content-Type application/json.  --body-file signs
// the file's bytes as they are (no UTF-8 round trip) and has curl send
// the file (--data-binary @FILE).  The output is one
// shell command line, words single-quoted where the shell needs it.

import { signRequest } from './snws2.mjs';
import fs from 'node:fs';
import process from 'node:process';

function usage(msg) {
	if (msg)
		process.stderr.write(`sign.mjs: ${msg}\n`);
	process.stderr.write('usage: node sign.mjs --token ID --secret S [--method GET] ' +
	    '[--body JSON | --body-file FILE] [--content-type TYPE] ' +
	    '[--date-header x-sn-date|date] URL\n');
	process.exit(2);
}

function parse(argv) {
	const o = { method: 'GET', dateHeader: 'x-sn-date' };
	const names = {
		'--token': 'tokenId', '--secret': 'secret', '--method': 'method',
		'--body': 'body', '--content-type': 'contentType', '--date-header': 'dateHeader',
		'--body-file': 'bodyFile',
	};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '-h' || a === '--help')
			usage();
		if (names[a] !== undefined) {
			if (i + 1 >= argv.length)
				usage(`${a} needs a value`);
			o[names[a]] = argv[++i];
		} else if (a.startsWith('--')) {
			usage(`unknown option ${a}`);
		} else if (o.url === undefined) {
			o.url = a;
		} else {
			usage('only one URL');
		}
	}
	if (!o.tokenId || !o.secret || !o.url)
		usage('--token, --secret and a URL are required');
	o.method = o.method.toUpperCase();
	if (o.body !== undefined && o.bodyFile !== undefined)
		usage('--body and --body-file exclude each other');
	if (o.bodyFile !== undefined) {
		try {
			o.bodyBytes = fs.readFileSync(o.bodyFile);
		} catch (e) {
			usage(`--body-file ${o.bodyFile}: ${e.message}`);
		}
	}
	if ((o.body !== undefined || o.bodyFile !== undefined) && o.contentType === undefined)
		o.contentType = 'application/json';
	return o;
}

/** Quote one word for sh (only when it needs it). */
function q(s) {
	s = String(s);
	if (/^[A-Za-z0-9_.,:/=@%+-]+$/.test(s))
		return s;
	return "'" + s.replace(/'/g, "'\\''") + "'";
}

const opts = parse(process.argv.slice(2));
let url;
try {
	url = new URL(opts.url);
} catch {
	usage(`not a URL: ${opts.url}`);
}



const headers = signRequest({
	method: opts.method, url: url.href, body: opts.bodyBytes ?? opts.body,
	contentType: opts.contentType,
	tokenId: opts.tokenId, secret: opts.secret, date: new Date(),
	dateHeader: opts.dateHeader,
});
const words = ['curl', '-sS', '-i', '--path-as-is', '-X', opts.method];
for (const [k, v] of Object.entries(headers))
	if (v !== undefined && v !== null)
		words.push('-H', `${k}: ${v}`);
if (opts.bodyFile !== undefined)
	words.push('--data-binary', '@' + opts.bodyFile);
else if (opts.body !== undefined)
	words.push('--data-binary', opts.body);
words.push(url.href);
process.stdout.write(words.map(q).join(' ') + '\n');
