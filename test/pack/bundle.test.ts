/**
 * The portable bundle as a responder gets it on a jump host: `npm run pack`'s tarball unpacked in an
 * empty folder and run with an empty environment (env -i: no system Node, no PATH but an empty
 * folder), without network (unshare -n where it works): --version, import of samples/ and queries
 * checked against the counts samples/README.md states, report, `scope local` saying DuckDB is not
 * there, and the explorer at 80×24 in tmux (overview, `/`, a name, Enter, q, exit 0).
 */
import {execFileSync, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {newest, repoRoot} from '../hostile/cli.js';
import {stopTmux, tmux, tmuxPresent, tmuxQuiet, waitForScreen} from '../tmux.js';

const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {version: string}).version;
const name = `mfatrail-${version}-linux-x64`;
const tarball = path.join(repoRoot, `${name}.tar.gz`);
const hasTmux = tmuxPresent();
const noNetwork = spawnSync('unshare', ['-n', 'true']).status === 0;

let dir = '';
let top = '';
let empty = '';
let caseFile = '';

/** argv for running the bundle's launcher with nothing from this environment, offline where possible. */
function isolated(args: string[], env: string[] = []): string[] {
	return [...(noNetwork ? ['unshare', '-n'] : []), 'env', '-i', `PATH=${empty}`, `TMPDIR=${path.join(dir, 'tmp')}`, ...env, path.join(top, 'bin', 'mfatrail'), ...args];
}

function run(args: string[]) {
	const [file, ...rest] = isolated(args);
	return spawnSync(file, rest, {cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20});
}

describe('the portable bundle', () => {
	beforeAll(() => {
		const stale = !fs.existsSync(tarball) || fs.statSync(tarball).mtimeMs < Math.max(newest(path.join(repoRoot, 'source')), fs.statSync(path.join(repoRoot, 'scripts', 'pack.mjs')).mtimeMs);
		if (stale) execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'pack.mjs')], {cwd: repoRoot, stdio: 'ignore'});
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-bundle-'));
		empty = path.join(dir, 'empty');
		fs.mkdirSync(empty);
		fs.mkdirSync(path.join(dir, 'tmp'));
		execFileSync('tar', ['-xzf', tarball, '-C', dir]);
		top = path.join(dir, name);
		caseFile = path.join(dir, 'case.db');
	}, 180_000);

	afterAll(() => {
		stopTmux();
		if (dir) fs.rmSync(dir, {recursive: true, force: true});
	});

	it('holds the launcher, Node, the one-file application, the addon, licences and a SHA256SUMS that checks', () => {
		expect(fs.readdirSync(top).sort()).toEqual(['LICENSES', 'README.txt', 'SHA256SUMS', 'bin', 'db', 'lib', 'node', 'package.json']);
		expect(fs.readdirSync(path.join(top, 'lib')).sort()).toEqual(['app.mjs', 'mfatrail.mjs', 'node_modules']);
		expect(fs.existsSync(path.join(top, 'lib', 'node_modules', 'better-sqlite3', 'prebuilds', 'linux-x64.node'))).toBe(true);
		expect(fs.existsSync(path.join(top, 'lib', 'node_modules', '@duckdb'))).toBe(false);
		expect(fs.readFileSync(path.join(top, 'LICENSES', 'README.txt'), 'utf8')).toMatch(/^better-sqlite3 [\d.]+: MIT/m);
		const check = spawnSync('sha256sum', ['--check', '--quiet', 'SHA256SUMS'], {cwd: top, encoding: 'utf8'});
		expect(check.status, check.stdout + check.stderr).toBe(0);
	});

	it('needs the glibc the README names (the bundle README.txt has it from its ELF files)', () => {
		const floor = /with glibc ([\d.]+) or newer/.exec(fs.readFileSync(path.join(top, 'README.txt'), 'utf8'))?.[1];
		expect(floor).toMatch(/^2\.\d+$/);
		expect(fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8')).toContain(`glibc ${floor} or newer`);
	});

	it('--version with an empty environment and no network', () => {
		const result = run(['--version']);
		expect(result.status, result.stderr).toBe(0);
		expect(result.stdout).toBe(`${version}\n`);
	});

	it('imports samples/ and answers queries with the counts samples/README.md states', () => {
		const imported = run(['import', path.join(repoRoot, 'samples'), '--db', caseFile, '--json']);
		expect(imported.status, imported.stderr).toBe(0);
		const counts = JSON.stringify(JSON.parse(imported.stdout));
		expect(counts).toMatch(/"inserted":428\b/);
		expect(counts).toMatch(/"duplicates":11\b/);
		const findings = run(['findings', '--db', caseFile, '--json']);
		expect(findings.status, findings.stderr).toBe(0);
		const list = JSON.parse(findings.stdout) as {rule: string}[];
		expect(list).toHaveLength(42);
		expect(list.filter(f => f.rule === 'password-spray')).toHaveLength(1);
		const search = run(['search', 'carol', '--db', caseFile, '--json']);
		expect(search.status, search.stderr).toBe(0);
		expect((JSON.parse(search.stdout) as {id: string}[]).map(r => r.id)).toContain('arn:aws:iam::123456789012:user/carol');
	});

	it('writes the report', () => {
		const out = path.join(dir, 'report.html');
		const result = run(['report', '--db', caseFile, '--out', out]);
		expect(result.status, result.stderr).toBe(0);
		const html = fs.readFileSync(out, 'utf8');
		expect(html).toMatch(/^<!DOCTYPE html>/i);
		expect(html).toContain('password-spray');
	});

	it('scope local says in one line that DuckDB is not in the bundle and how to add it', () => {
		const result = run(['scope', 'local', path.join(repoRoot, 'samples')]);
		// Exit 5 of the table (docs/exit-codes.md): an optional part is missing, not a usage error.
		expect(result.status).toBe(5);
		expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('npm install @duckdb/node-api')]);
	});

	describe.skipIf(!hasTmux)('explorer', () => {
		it('80×24 in tmux: overview, / and a name, Enter opens the principal, q exits 0', async () => {
			const session = `mfatrail-bundle-${process.pid}`;
			const exitFile = path.join(dir, 'exit');
			const shell = (args: string[]) => args.map(a => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
			const command = `${shell(isolated(['--db', caseFile]))}; echo EXIT=$? > ${shell([exitFile])}; sleep 30`;
			tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', command);
			const until = (test: (text: string) => boolean, what: string) => waitForScreen(session, test, what, 20_000);
			const keys = (...k: string[]) => tmux('send-keys', '-t', session, ...k);
			try {
				await until(t => t.includes('[Overview]') && t.includes('Findings 42'), 'the overview');
				keys('/');
				await until(t => t.includes('type to search'), 'the search screen');
				keys('-l', 'user:alice');
				// Two alices: the user of each account; the first (123456789012) is selected.
				await until(t => t.includes('2 results: 2 principals'), 'both alices');
				keys('Enter');
				const text = await until(t => t.includes('arn:aws:iam::123456789012:user/alice'), 'the principal screen');
				for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
				keys('q');
				const deadline = Date.now() + 10_000;
				while (!fs.existsSync(exitFile) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100));
				expect(fs.readFileSync(exitFile, 'utf8').trim()).toBe('EXIT=0');
			} finally {
				tmuxQuiet('kill-session', '-t', session);
			}
		});
	});
});
