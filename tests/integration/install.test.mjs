// install.test.mjs -- what `make install` ships, used the way the README's
// "Deploying" recipe uses it (issue 11), and the README claims around it:
//
//  * a build configured exactly as the recipe says (--prefix=/usr
//    --sysconfdir=/etc --localstatedir=/var), installed with DESTDIR into a
//    temporary directory: layout and modes, the settings file installed
//    once and never replaced, the example generated from the built-in
//    defaults of that build;
//  * the installed oscp-admin and oscp-fpd against the installed tree and
//    a private database on the harness's MariaDB: key init (--owner, its
//    directory, clear errors), migrate with the installed schema, -t, key
//    rotate keeping the key file's owner, group and mode; -t refusing a
//    key others may read and warning of unknown OSCP_FP_* variables;
//  * systemd: `systemd-analyze verify` of the installed unit, its
//    `systemd-analyze security` score (<= 2.5, and the README says it), and
//    sd_notify (READY once the socket is bound, RELOADING/READY around
//    SIGHUP, STOPPING) seen on a NOTIFY_SOCKET of our own;
//  * every man page renders with `man -l` and `groff -ww` without a warning;
//  * one X-Request-ID rule in nginx and oscp-fpd (both logs join);
//  * ./dev.sh curl: exit status, port, method words, --data-file;
//    ./dev.sh with an unknown command.
//
// The only substitutions are DESTDIR and, for the installed tools, the
// database, key file and schema directory passed as OSCP_FP_* variables.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
	API, ENV, api, children, cpBody, newTenant, request, sleep, sql,
} from './lib.mjs';
import { confValue } from './fcgi.mjs';

const SRC = process.env.FP_TEST_SRCDIR;
const TMP = fs.mkdtempSync(path.join(ENV.FP_TEST_TMP, 'install-'));
const BUILD = path.join(TMP, 'build');
const D = path.join(TMP, 'destdir');
const NONCE = crypto.randomBytes(4).toString('hex');
const DB = { name: `oscp_inst_${NONCE}`, user: `inst_${NONCE}`,
	password: crypto.randomBytes(12).toString('hex') };
const MAN_PAGES = ['man8/oscp-fpd.8', 'man8/oscp-admin.8', 'man5/oscp-fp.conf.5'];
const README = fs.readFileSync(path.join(SRC, 'README.md'), 'utf8');
const SCORE_MAX = 2.5;
// The key's owner in the --owner tests: nobody as root (the README's
// case), else whoever runs the suite (no privilege needed).
const OWNER = process.getuid() === 0 ? 'nobody' : os.userInfo().username;

let installed = false;
let dbMade = false;
const daemons = [];

/* Run a command; {status, stdout, stderr}.  Never throws on a status. */
function run(cmd, args, opts = {}) {
	const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20,
		timeout: opts.timeout ?? 120000, ...opts });
	if (r.error)
		throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
	return r;
}

/*
 * The installed oscp-fpd / oscp-admin, under memcheck when the harness
 * runs with FP_VALGRIND (its flags: any report is status 97).
 */
const VG = (process.env.FP_VALGRIND ?? '0') !== '0' && process.env.FP_VALGRIND !== '' ?
	['valgrind', '-q', '--error-exitcode=97', '--leak-check=full',
		'--errors-for-leak-kinds=definite', '--show-leak-kinds=definite'] : [];

function tool(bin, args, opts = {}) {
	if (VG.length === 0)
		return run(bin, args, opts);
	return run(VG[0], [...VG.slice(1), bin, ...args], { timeout: 300000, ...opts });
}

function ok(r, what) {
	assert.equal(r.status, 0, `${what}: status ${r.status}\n${r.stdout}\n${r.stderr}`);
	return r;
}

function needInstall() {
	assert.ok(installed, 'make install (1100) did not succeed');
}

const ETC = () => path.join(D, 'etc/oscp-fp');
const FPD = () => path.join(D, 'usr/sbin/oscp-fpd');
const ADMIN = () => path.join(D, 'usr/sbin/oscp-admin');
const UNIT = () => path.join(D, 'usr/lib/systemd/system/oscp-fpd.service');

/* The installed tools' environment: the private database, a key file. */
function toolEnv(key, extra = {}) {
	const env = { ...process.env };
	for (const k of Object.keys(env))
		if (k.startsWith('OSCP_FP_'))
			delete env[k];
	return {
		...env,
		OSCP_FP_DB_HOST: 'localhost',
		OSCP_FP_DB_SOCKET: confValue('db_socket'),
		OSCP_FP_DB_NAME: DB.name,
		OSCP_FP_DB_USER: DB.user,
		OSCP_FP_DB_PASSWORD: DB.password,
		OSCP_FP_SCHEMA_DIR: path.join(D, 'usr/share/oscp-fp/schema'),
		OSCP_FP_MASTER_KEY_FILE: key,
		...extra,
	};
}

function installedAdmin(key, args, extra) {
	return tool(ADMIN(), ['-c', path.join(ETC(), 'oscp-fp.conf'), ...args],
	    { env: toolEnv(key, extra) });
}

function installedFpd(key, args, extra) {
	return tool(FPD(), ['-c', path.join(ETC(), 'oscp-fp.conf'), ...args],
	    { env: toolEnv(key, extra) });
}

function mode(p) {
	return fs.statSync(p).mode & 0o7777;
}

function ownerOf(p) {
	const st = fs.statSync(p);
	return `${st.uid}:${st.gid}`;
}

function idOf(flag, name) {
	return Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
}

/* A free loopback TCP port nothing listens on. */
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

before(() => {
	sql(`CREATE DATABASE ${DB.name}`);
	dbMade = true;
	sql(`CREATE USER '${DB.user}'@'localhost' IDENTIFIED BY '${DB.password}'`);
	sql(`GRANT ALL ON ${DB.name}.* TO '${DB.user}'@'localhost'`);
});

after(() => {
	for (const p of daemons) {
		try {
			process.kill(p.pid, 'SIGKILL');
		} catch { /* gone */ }
	}
	if (dbMade) {
		try {
			sql(`DROP DATABASE IF EXISTS ${DB.name}`);
			sql(`DROP USER IF EXISTS '${DB.user}'@'localhost'`);
		} catch { /* the harness drops the server anyway */ }
	}
	fs.rmSync(TMP, { recursive: true, force: true });
});

/* ------------------------------------------------------------------ */
/* make install                                                        */
/* ------------------------------------------------------------------ */

/*
 * The harness build's own configure options (--enable-sanitizers, ...),
 * without its directories: the installed tools then run under the same
 * checks as the rest of the suite.
 */
function harnessConfigureFlags() {
	const builddir = process.env.FP_BUILDDIR ?? path.dirname(ENV.FP_TEST_ADMIN);
	const r = run(path.join(builddir, 'config.status'), ['--config']);
	if (r.status !== 0)
		return [];
	return [...r.stdout.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2])
	    .filter((a) => a.startsWith('--enable-') || a.startsWith('--disable-'));
}

test('1100-install-configure-prefix-usr-make-install-destdir', { timeout: 1800000 }, () => {
	fs.mkdirSync(BUILD, { recursive: true });
	ok(run(path.join(SRC, 'configure'), ['--prefix=/usr', '--sysconfdir=/etc',
		'--localstatedir=/var', ...harnessConfigureFlags()],
	    { cwd: BUILD, timeout: 600000 }), 'configure');
	ok(run('nice', ['make', '-j2'], { cwd: BUILD, timeout: 1500000 }), 'make');
	ok(run('make', ['install', `DESTDIR=${D}`], { cwd: BUILD, timeout: 300000 }),
	    'make install');
	installed = true;
});

test('1101-install-layout-paths-and-modes', () => {
	needInstall();
	for (const f of ['usr/sbin/oscp-fpd', 'usr/sbin/oscp-admin'])
		assert.ok(fs.statSync(path.join(D, f)).mode & 0o111, `${f} not executable`);
	for (const f of ['usr/lib/systemd/system/oscp-fpd.service',
		'usr/lib/sysusers.d/oscp-fp.conf', 'usr/lib/tmpfiles.d/oscp-fp.conf',
		'usr/share/oscp-fp/nginx/fastcgi_oscp_params',
		'usr/share/oscp-fp/schema/0001_init.sql',
		'usr/share/doc/oscp-fp/examples/oscp-fp.conf.example',
		...MAN_PAGES.map((m) => `usr/share/man/${m}`)])
		assert.ok(fs.existsSync(path.join(D, f)), `${f} not installed`);
	assert.ok(!fs.existsSync(path.join(D, 'usr/local')), 'something went to /usr/local');
	// The settings directory and file: the service's group reads them
	// (tmpfiles.d gives the group), nobody else.
	assert.equal(mode(ETC()).toString(8), '750');
	assert.equal(mode(path.join(ETC(), 'oscp-fp.conf')).toString(8), '640');
	// Every path the unit names is one this install made.
	const unit = fs.readFileSync(UNIT(), 'utf8');
	const execs = [...unit.matchAll(/^Exec(?:StartPre|Start)=(\S+).*?-c (\S+)$/gm)];
	assert.equal(execs.length, 2, unit);
	for (const [, bin, conf] of execs) {
		assert.equal(bin, '/usr/sbin/oscp-fpd');
		assert.equal(conf, '/etc/oscp-fp/oscp-fp.conf');
		assert.ok(fs.existsSync(path.join(D, bin)) && fs.existsSync(path.join(D, conf)));
	}
	const tmpfiles = fs.readFileSync(path.join(D, 'usr/lib/tmpfiles.d/oscp-fp.conf'), 'utf8');
	assert.match(tmpfiles, /^d \/etc\/oscp-fp 0750 root oscp-fp -$/m);
	assert.match(tmpfiles, /^z \/etc\/oscp-fp\/oscp-fp\.conf 0640 root oscp-fp -$/m);
	const sysusers = fs.readFileSync(path.join(D, 'usr/lib/sysusers.d/oscp-fp.conf'), 'utf8');
	assert.match(sysusers, /^u oscp-fp - /m);
	assert.match(unit, /^User=oscp-fp$/m);
});

test('1102-install-never-replaces-the-settings-file', () => {
	needInstall();
	const conf = path.join(ETC(), 'oscp-fp.conf');
	const mine = '# changed by the operator\nworkers = 3\n';
	fs.writeFileSync(conf, mine);
	const r = ok(run('make', ['install', `DESTDIR=${D}`], { cwd: BUILD, timeout: 300000 }),
	    'make install again');
	assert.equal(fs.readFileSync(conf, 'utf8'), mine);
	assert.match(r.stdout, /keeping .*oscp-fp\.conf/);
	// Back to the example for the tests below.
	fs.copyFileSync(path.join(D, 'usr/share/doc/oscp-fp/examples/oscp-fp.conf.example'), conf);
});

test('1103-install-example-config-is-this-builds-defaults', () => {
	needInstall();
	const example = fs.readFileSync(path.join(ETC(), 'oscp-fp.conf'), 'utf8');
	const defaults = ok(tool(FPD(), ['--print-defaults'], { env: { PATH: process.env.PATH } }), '--print-defaults')
	    .stdout.trim().split('\n');
	assert.ok(defaults.length >= 40, defaults.join('\n'));
	const shown = new Map([...example.matchAll(/^#([a-z_]+) =(?: (.*))?$/gm)]
	    .map((m) => [m[1], m[2] ?? '']));
	for (const line of defaults) {
		const [k, v] = line.split(' = ');
		assert.ok(shown.has(k), `example lacks ${k}`);
		assert.equal(shown.get(k), v === '""' ? '' : v, `default of ${k}`);
	}
	assert.equal(shown.size, defaults.length, 'example names a key that is no setting');
	// Prefix-correct: this build's paths, not /usr/local's.
	assert.equal(shown.get('schema_dir'), '/usr/share/oscp-fp/schema');
	assert.equal(shown.get('master_key_file'), '/etc/oscp-fp/master.key');
	assert.ok(!example.includes('/usr/local'), 'example mentions /usr/local');
	// The example loads as it is, and oscp-fp.conf(5) describes every key.
	const man = fs.readFileSync(path.join(D, 'usr/share/man/man5/oscp-fp.conf.5'), 'utf8');
	for (const k of shown.keys())
		assert.match(man, new RegExp(`^\\.It Cm ${k}\\b`, 'm'), `oscp-fp.conf(5) lacks ${k}`);
});

test('1104-install-key-init-creates-what-it-needs-with-owner-and-clear-errors', () => {
	needInstall();
	const key = path.join(ETC(), 'master.key');
	let r = ok(installedAdmin(key, ['key', 'init', '--owner', OWNER]), 'key init');
	assert.match(r.stdout, /created .*master\.key/);
	assert.equal(mode(key).toString(8), '600');
	assert.equal(ownerOf(key), `${idOf('-u', OWNER)}:${idOf('-g', OWNER)}`);
	// Never overwrites.
	const before = fs.readFileSync(key);
	r = installedAdmin(key, ['key', 'init']);
	assert.equal(r.status, 1, r.stderr);
	assert.match(r.stderr, /already exists; not overwriting/);
	assert.deepEqual(fs.readFileSync(key), before);
	// A missing directory is made (0750); a missing grandparent is a clear error.
	const inNew = path.join(TMP, `keys-${NONCE}`, 'master.key');
	r = ok(installedAdmin(inNew, ['key', 'init']), 'key init in a new directory');
	assert.equal(mode(path.dirname(inNew)).toString(8), '750');
	assert.equal(mode(inNew).toString(8), '600');
	// As root without --owner: the key is root's, and it says so.
	if (process.getuid() === 0)
		assert.match(r.stderr, /root's .*--owner/);
	else
		assert.equal(r.stderr, '');
	r = installedAdmin(path.join(TMP, 'no', 'such', 'master.key'), ['key', 'init']);
	assert.equal(r.status, 1);
	assert.match(r.stderr, /cannot create the directory .*no\/such.*No such file/);
	for (const [owner, msg] of [['no-such-user-x', /no such user no-such-user-x/],
		[`${OWNER}:no-such-group-x`, /no such group no-such-group-x/],
		[':x', /expected USER\[:GROUP\]/]]) {
		const k = path.join(TMP, `k-${crypto.randomBytes(3).toString('hex')}`);
		r = installedAdmin(k, ['key', 'init', '--owner', owner]);
		assert.equal(r.status, 1, `--owner ${owner}: ${r.stdout}`);
		assert.match(r.stderr, msg);
		assert.ok(!fs.existsSync(k), `--owner ${owner} left ${k}`);
	}
});

test('1105-install-migrate-and-fpd-t-against-the-installed-tree', () => {
	needInstall();
	const key = path.join(ETC(), 'master.key');
	ok(installedAdmin(key, ['migrate']), 'migrate with the installed schema');
	const r = ok(installedFpd(key, ['-t']), 'oscp-fpd -t');
	assert.match(r.stdout, /configuration OK/);
	assert.equal(r.stderr, '', 'no warning for a 0600 key and a clean environment');
});

test('1106-install-fpd-t-refuses-a-world-readable-key-and-warns-unknown-variables', () => {
	needInstall();
	const key = path.join(TMP, `mode-${NONCE}.key`);
	fs.copyFileSync(path.join(ETC(), 'master.key'), key);
	fs.chmodSync(key, 0o644);
	let r = installedFpd(key, ['-t']);
	assert.equal(r.status, 1, r.stdout);
	assert.match(r.stderr, /mode 0644 lets every local user read it/);
	assert.doesNotMatch(r.stdout, /configuration OK/);
	fs.chmodSync(key, 0o640);
	r = ok(installedFpd(key, ['-t']), '-t with a 0640 key');
	assert.match(r.stderr, /warning: master key .*mode 0640: its group may read it/);
	fs.chmodSync(key, 0o600);
	// OSCP_FP_* that names no setting: warned by name (never its value).
	r = ok(installedFpd(key, ['-t'], { OSCP_FP_BOGUS: '1',
		OSCP_FP_DB_PASSWROD: 'hunter2-value' }), '-t with unknown variables');
	assert.match(r.stderr, /warning: OSCP_FP_BOGUS is set but names no setting/);
	assert.match(r.stderr, /warning: OSCP_FP_DB_PASSWROD is set but names no setting/);
	assert.ok(!r.stderr.includes('hunter2'), 'a value in the warning');
	assert.match(r.stdout, /configuration OK/);
});

test('1107-install-key-rotate-keeps-owner-group-and-mode', () => {
	needInstall();
	const key = path.join(ETC(), 'master.key');
	const uid = idOf('-u', OWNER);
	const gid = idOf('-g', OWNER);
	fs.chownSync(key, uid, gid);
	fs.chmodSync(key, 0o640);
	const before = fs.readFileSync(key, 'utf8');
	const r = ok(installedAdmin(key, ['key', 'rotate']), 'key rotate');
	assert.match(r.stdout, /re-encrypted \d+ value/);
	assert.notEqual(fs.readFileSync(key, 'utf8'), before, 'the key did not change');
	assert.equal(fs.readFileSync(`${key}.old`, 'utf8'), before, '.old is not the old key');
	for (const f of [key, `${key}.old`]) {
		assert.equal(ownerOf(f), `${uid}:${gid}`, `${f} owner`);
		assert.equal(mode(f).toString(8), '640', `${f} mode`);
	}
	assert.ok(!fs.existsSync(`${key}.new`));
	fs.chmodSync(key, 0o600);
});

/* ------------------------------------------------------------------ */
/* systemd                                                             */
/* ------------------------------------------------------------------ */

test('1108-install-systemd-analyze-verify-the-installed-unit', () => {
	needInstall();
	// An image root: the install, plus what any systemd host has (its
	// target units, kill(1)) -- copied into a root of its own.
	const root = path.join(TMP, 'root');
	ok(run('cp', ['-a', `${D}/.`, root]), 'copy the install');
	const units = path.join(root, 'usr/lib/systemd/system');
	assert.ok(fs.existsSync(path.join(units, 'oscp-fpd.service')), 'no unit installed');
	for (const f of fs.readdirSync('/usr/lib/systemd/system')) {
		const from = path.join('/usr/lib/systemd/system', f);
		if (f.endsWith('.target') && fs.existsSync(from) && !fs.existsSync(path.join(units, f)))
			fs.copyFileSync(from, path.join(units, f));
	}
	fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
	fs.copyFileSync('/bin/kill', path.join(root, 'bin/kill'));
	fs.chmodSync(path.join(root, 'bin/kill'), 0o755);
	const r = run('systemd-analyze', ['verify', '--man=no', `--root=${root}`, 'oscp-fpd.service']);
	assert.equal(r.status, 0, `systemd-analyze verify: ${r.stdout}${r.stderr}`);
	assert.equal(r.stderr.trim(), '', r.stderr);
	const unit = fs.readFileSync(UNIT(), 'utf8');
	assert.match(unit, /^Type=notify$/m);
	assert.match(unit, /^ExecStartPre=\/usr\/sbin\/oscp-fpd -t /m);
	// Documentation= names man pages this install has.
	const docs = /^Documentation=(.*)$/m.exec(unit)[1].split(/\s+/);
	assert.ok(docs.includes('man:oscp-fpd(8)'), docs.join(' '));
	for (const d of docs.filter((x) => x.startsWith('man:'))) {
		const [, name, sec] = /^man:(.+)\((\d)\)$/.exec(d);
		assert.ok(fs.existsSync(path.join(D, `usr/share/man/man${sec}/${name}.${sec}`)), d);
	}
});

test('1109-install-systemd-security-score-ok-and-in-the-readme', () => {
	needInstall();
	const r = ok(run('systemd-analyze', ['security', '--offline=true', '--no-pager', UNIT()]),
	    'systemd-analyze security');
	const m = /Overall exposure level for oscp-fpd\.service: (\d+\.\d) (\w+)/.exec(r.stdout);
	assert.ok(m, r.stdout);
	const score = Number(m[1]);
	assert.ok(score <= SCORE_MAX, `exposure ${score} ${m[2]} > ${SCORE_MAX}:\n${r.stdout}`);
	assert.equal(m[2], 'OK');
	// The README states the score this unit gets.
	assert.match(README, new RegExp(`systemd-analyze security[^\\n]*\\n?[^\\n]*\\b${m[1].replace('.', '\\.')} OK`),
	    `README does not say ${m[1]} OK`);
});

test('1110-install-man-pages-render-without-warnings', () => {
	needInstall();
	for (const m of MAN_PAGES) {
		const file = path.join(D, 'usr/share/man', m);
		let r = run('groff', ['-ww', '-mandoc', '-Tutf8', '-z', file]);
		assert.equal(r.status, 0, `groff ${m}: ${r.stderr}`);
		assert.equal(r.stderr, '', `groff -ww ${m}: ${r.stderr}`);
		r = run('man', ['-l', file], { env: { ...process.env, MANWIDTH: '80', MAN_KEEP_STDERR: '1',
			MANROFFOPT: '-ww', PAGER: 'cat', MANPAGER: 'cat' } });
		assert.equal(r.status, 0, `man -l ${m}: ${r.stderr}`);
		assert.equal(r.stderr, '', `man -l ${m}: ${r.stderr}`);
		assert.ok(r.stdout.length > 1000, `man -l ${m} rendered almost nothing`);
		const name = path.basename(m).replace(/\.(\d)$/, '($1)');
		assert.ok(README.includes(name), `README does not list ${name}`);
	}
	// oscp-admin(8) points to the daemon's page, which now exists.
	const admin = fs.readFileSync(path.join(D, 'usr/share/man/man8/oscp-admin.8'), 'utf8');
	assert.match(admin, /^\.Xr oscp-fpd 8/m);
});

/* A NOTIFY_SOCKET: a datagram socket (python3) printing each message. */
function notifyListener(sockPath) {
	const py = 'import socket,sys,json\n' +
	    's=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\n' +
	    's.bind(sys.argv[1])\n' +
	    'print(json.dumps("BOUND"),flush=True)\n' +
	    'while True:\n' +
	    '    print(json.dumps(s.recv(65536).decode()),flush=True)\n';
	const child = spawn('python3', ['-c', py, sockPath], { stdio: ['ignore', 'pipe', 'inherit'] });
	const msgs = [];
	let buf = '';
	child.stdout.on('data', (d) => {
		buf += d;
		let i;
		while ((i = buf.indexOf('\n')) >= 0) {
			msgs.push(JSON.parse(buf.slice(0, i)));
			buf = buf.slice(i + 1);
		}
	});
	return { child, msgs };
}

async function waitFor(pred, what, ms = 60000) {
	const end = Date.now() + ms;
	for (;;) {
		const v = pred();
		if (v)
			return v;
		if (Date.now() > end)
			throw new Error(`timed out waiting for ${what}`);
		await sleep(50);
	}
}

test('1111-install-sd-notify-ready-reloading-stopping', { timeout: 400000 }, async () => {
	needInstall();
	const dir = fs.mkdtempSync(path.join(TMP, 'n-'));
	const notifySock = path.join(dir, 'notify');
	const fcgiSock = path.join(dir, 'fpd.sock');
	const l = notifyListener(notifySock);
	daemons.push(l.child);
	await waitFor(() => l.msgs.includes('BOUND'), 'the notify socket');
	const env = toolEnv(path.join(ETC(), 'master.key'), {
		NOTIFY_SOCKET: notifySock, OSCP_FP_LISTEN: fcgiSock, OSCP_FP_WORKERS: '1',
		OSCP_FP_LOG_FILE: path.join(dir, 'fpd.log'), OSCP_FP_PID_FILE: '',
	});
	const argv = [FPD(), '-f', '-c', path.join(ETC(), 'oscp-fp.conf')];
	const fpd = spawn(VG.length ? VG[0] : argv[0], [...VG.slice(1), ...(VG.length ? argv : argv.slice(1))],
	    { env, stdio: ['ignore', 'inherit', 'inherit'] });
	daemons.push(fpd);
	const exited = new Promise((resolve) => fpd.on('exit', (code, sig) => resolve({ code, sig })));
	// READY only once the socket is there and the children are forked.
	const ready = await waitFor(() => l.msgs.find((m) => /^READY=1$/m.test(m)), 'READY=1', 120000);
	assert.ok(fs.statSync(fcgiSock).isSocket(), 'READY before the socket exists');
	assert.ok(children(fpd.pid).length >= 1, 'READY before any worker');
	assert.match(ready, /^STATUS=/m);
	assert.equal(l.msgs.filter((m) => /^READY=1$/m.test(m)).length, 1);

	const n = l.msgs.length;
	process.kill(fpd.pid, 'SIGHUP');
	await waitFor(() => l.msgs.slice(n).some((m) => /^READY=1$/m.test(m)), 'READY=1 after SIGHUP',
	    120000);
	const afterHup = l.msgs.slice(n);
	const reloading = afterHup.findIndex((m) => /^RELOADING=1$/m.test(m));
	assert.ok(reloading >= 0, `no RELOADING=1: ${JSON.stringify(afterHup)}`);
	assert.match(afterHup[reloading], /^MONOTONIC_USEC=\d+$/m);
	assert.ok(afterHup.findIndex((m) => /^READY=1$/m.test(m)) > reloading, 'READY before RELOADING');

	const m = l.msgs.length;
	process.kill(fpd.pid, 'SIGTERM');
	const end = await exited;
	assert.deepEqual(end, { code: 0, sig: null });
	assert.ok(l.msgs.slice(m).some((x) => /^STOPPING=1$/m.test(x)),
	    `no STOPPING=1: ${JSON.stringify(l.msgs.slice(m))}`);
	l.child.kill('SIGTERM');
});

test('1112-install-fpd-help-says-what-sighup-does', () => {
	needInstall();
	const r = ok(tool(FPD(), ['--help']), '--help');
	assert.match(r.stdout, /HUP reopens the logs and\s+reloads the settings file/);
	assert.match(r.stdout, /--print-defaults/);
	assert.match(r.stdout, /oscp-fpd\(8\)/);
});

test('1113-install-sysusers-and-tmpfiles-snippets-apply', () => {
	needInstall();
	// Applied to an image root (a copy of the install), as the README's
	// "systemd-sysusers oscp-fp.conf; systemd-tmpfiles --create oscp-fp.conf".
	const root = path.join(TMP, 'root-users');
	ok(run('cp', ['-a', `${D}/.`, root]), 'copy the install');
	ok(run('systemd-sysusers', [`--root=${root}`, 'oscp-fp.conf']), 'systemd-sysusers');
	const pw = fs.readFileSync(path.join(root, 'etc/passwd'), 'utf8');
	const m = /^oscp-fp:x:(\d+):(\d+):[^:]*:[^:]*:(\S+)$/m.exec(pw);
	assert.ok(m, pw);
	assert.match(m[3], /nologin$/);
	const gid = Number(/^oscp-fp:x:(\d+):/m.exec(fs.readFileSync(path.join(root, 'etc/group'), 'utf8'))[1]);
	assert.equal(gid, Number(m[2]));
	ok(run('systemd-tmpfiles', [`--root=${root}`, '--create', 'oscp-fp.conf']), 'systemd-tmpfiles');
	const etc = path.join(root, 'etc/oscp-fp');
	assert.equal(`${mode(etc).toString(8)} ${ownerOf(etc)}`, `750 0:${gid}`);
	const conf = path.join(etc, 'oscp-fp.conf');
	assert.equal(`${mode(conf).toString(8)} ${ownerOf(conf)}`, `640 0:${gid}`);
});

/* ------------------------------------------------------------------ */
/* One X-Request-ID rule (nginx and oscp-fpd)                          */
/* ------------------------------------------------------------------ */

/* The reqid of the access line oscp-fpd logged for this user. */
async function loggedReqid(userId) {
	let line;
	await waitFor(() => {
		line = fs.readFileSync(ENV.FP_TEST_FPD_LOG, 'utf8').split('\n')
		    .find((x) => x.includes(' access ') && x.includes(` user=${userId} `));
		return line;
	}, `the access line of user ${userId}`, 20000);
	return /reqid=(\S+)/.exec(line)[1];
}

test('1120-install-request-id-one-rule-on-both-sides', async () => {
	// A caller's id that breaks the rule (spaces; 129 characters) is
	// replaced by nginx's own $request_id, which oscp-fpd then logs too.
	for (const id of [`two words ${NONCE}`, 'x'.repeat(129)]) {
		const t = newTenant();
		const res = await api(t, 'GET', '/capacity-providers', undefined,
		    { headers: { 'X-Request-ID': id } });
		assert.equal(res.status, 200, res.text);
		const got = await loggedReqid(t.userId);
		assert.match(got, /^[0-9a-f]{32}$/, `id ${JSON.stringify(id)} logged as ${got}`);
	}
	// One that keeps the rule passes through unchanged.
	const t = newTenant();
	const good = `ok-${NONCE}:${'~'.repeat(3)}`;
	const res = await api(t, 'GET', '/capacity-providers', undefined,
	    { headers: { 'X-Request-ID': good } });
	assert.equal(res.status, 200, res.text);
	assert.equal(await loggedReqid(t.userId), good);
	// The nginx configs carry the daemon's rule.
	for (const f of ['nginx/oscp-fp.dev.conf', 'nginx/oscp-fp.prod.conf', 'nginx/test.conf.in']) {
		const conf = fs.readFileSync(path.join(SRC, f), 'utf8');
		assert.match(conf, /"~\^\[!-~\]\{1,128\}\$"\s+\$http_x_request_id;\s*\n\s*default\s+\$request_id;/, f);
	}
});

/* ------------------------------------------------------------------ */
/* ./dev.sh                                                            */
/* ------------------------------------------------------------------ */

const PORT = Number(new URL(ENV.FP_TEST_BASE).port);

/* ./dev.sh ARGS with FP_DEV_VAR holding a demo.env for tenant t. */
function devsh(args, { t, port = PORT, secret, env = {} } = {}) {
	const v = fs.mkdtempSync(path.join(TMP, 'var-'));
	if (t)
		fs.writeFileSync(path.join(v, 'demo.env'), `DEMO_TOKEN=${t.tokenId}\n` +
		    `DEMO_SECRET=${secret ?? t.secret}\nDEMO_PORT=${port}\n`, { mode: 0o600 });
	const e = { ...process.env, FP_DEV_VAR: v, ...env };
	delete e.FP_DEV_PORT;
	if (env.FP_DEV_PORT)
		e.FP_DEV_PORT = env.FP_DEV_PORT;
	return run('bash', [path.join(SRC, 'dev.sh'), ...args], { env: e, timeout: 60000 });
}

test('1121-install-dev-sh-curl-exit-status-and-port', async () => {
	const t = newTenant();
	let r = devsh(['curl', '/capacity-providers'], { t });
	assert.equal(r.status, 0, r.stderr);
	assert.match(r.stdout, /^HTTP\/1\.1 200/);
	// 4xx: non-zero, the JSON body still printed.
	r = devsh(['curl', '/capacity-providers'], { t, secret: t.secret + 'x' });
	assert.equal(r.status, 22, r.stdout + r.stderr);
	assert.match(r.stdout, /^HTTP\/1\.1 401/);
	assert.match(r.stdout, /"success":false/);
	// Nothing listening: curl's own failure status.
	const dead = await freePort();
	r = devsh(['curl', '/capacity-providers'], { t, port: dead });
	assert.equal(r.status, 7, r.stdout + r.stderr);
	// FP_DEV_PORT wins over the port demo.env recorded.
	r = devsh(['curl', '/capacity-providers'], { t, port: dead, env: { FP_DEV_PORT: String(PORT) } });
	assert.equal(r.status, 0, r.stderr);
	// ./dev.sh run records the port it serves on.
	const src = fs.readFileSync(path.join(SRC, 'dev.sh'), 'utf8');
	assert.match(src, /DEMO_PORT=%s\\n' "\$DEV_PORT" >>"\$VAR\/demo\.env"/);
});

test('1122-install-dev-sh-curl-data-file-sends-raw-bytes', () => {
	const t = newTenant();
	const file = path.join(TMP, `body-${NONCE}.json`);
	// Multi-byte UTF-8 exactly as in the file.
	const name = `Grüße ${NONCE} ☀`;
	fs.writeFileSync(file, JSON.stringify(cpBody({ name })));
	let r = devsh(['curl', 'POST', '/capacity-providers', '--data-file', file], { t });
	assert.equal(r.status, 0, r.stdout + r.stderr);
	assert.match(r.stdout, /^HTTP\/1\.1 201/);
	assert.ok(r.stdout.includes(name), r.stdout);
	// Invalid UTF-8 reaches the daemon byte for byte: the signature
	// verifies (no 401) and the JSON is refused (400).
	fs.writeFileSync(file, Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe]),
		Buffer.from('","enabled":true}')]));
	r = devsh(['curl', 'POST', '/capacity-providers', '--data-file', file], { t });
	assert.equal(r.status, 22, r.stdout + r.stderr);
	assert.match(r.stdout, /^HTTP\/1\.1 4\d\d/, r.stdout);
	assert.doesNotMatch(r.stdout, /^HTTP\/1\.1 40[13]/, r.stdout);
	// A missing file, and a body given twice, are refused before any request.
	r = devsh(['curl', 'POST', '/capacity-providers', '--data-file', file + '.none'], { t });
	assert.equal(r.status, 1);
	assert.match(r.stderr, /no such readable file/);
	r = devsh(['curl', 'POST', '/capacity-providers', '{}', '--data-file', file], { t });
	assert.equal(r.status, 1);
	assert.match(r.stderr, /either BODY or --data-file/);
});

test('1123-install-dev-sh-unknown-method-and-command', () => {
	const t = newTenant();
	for (const args of [['FETCH', '/capacity-providers'], ['fetch', '/capacity-providers']]) {
		const r = devsh(['curl', ...args], { t });
		assert.equal(r.status, 1, r.stdout);
		assert.match(r.stderr, new RegExp(`unknown method '${args[0]}'`));
		assert.equal(r.stdout, '');
	}
	// Lower-case known methods and relative paths still work.
	const r = devsh(['curl', 'get', 'capacity-providers'], { t });
	assert.equal(r.status, 0, r.stderr);
	const u = devsh(['rnu']);
	assert.equal(u.status, 2);
	assert.match(u.stderr, /unknown command 'rnu'/);
});

test('1124-install-readme-claims-dev-ports-ping-and-tests', async () => {
	// FP_DEV_PORT / FP_DEV_DB_PORT are documented.
	for (const v of ['FP_DEV_PORT', 'FP_DEV_DB_PORT', 'FP_DEV_VAR'])
		assert.ok(README.includes(v), `README lacks ${v}`);
	// /ping lives at the server root: not in the table of paths under the
	// API base, and it answers there.
	const mgmt = README.slice(README.indexOf('## Management API'));
	const table = mgmt.slice(0, mgmt.indexOf('\n\n', mgmt.indexOf('| method')));
	assert.ok(!table.includes('/ping'), 'README lists /ping under the API base path');
	assert.match(README, /`GET \/ping` at the server root/);
	let res = await request('GET', '/ping');
	assert.equal(res.status, 200, res.text);
	res = await request('GET', `${API}/ping`);
	assert.notEqual(res.status, 200);
	// No claim of one unit test file per module; what is covered where.
	assert.doesNotMatch(README, /one unit test file per/i);
	assert.match(README, /Unit tests cover/);
});
