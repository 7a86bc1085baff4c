import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import Database from 'better-sqlite3';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ensureBuilt} from '../hostile/cli.js';
import {stopTmux, tmux, tmuxPresent, tmuxQuiet, waitForScreen} from '../tmux.js';

/**
 * The explorer at 80×24 in tmux over a generated case of 200,000 events (the bench generator's
 * MFA-heavy mix): `/`, a six-letter name typed one key at a time, the principal listed, opened.
 * What is asserted is what the screen shows, never a time.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const hasTmux = tmuxPresent();
const events = 200_000;
const name = 'robert';
const session = `mfatrail-e2e-200k-${process.pid}`;
let dir: string;
let caseFile: string;

/** The screen once it passes the test (a generated case of this size takes a while to open on a busy machine). */
const until = (test: (text: string) => boolean, what: string) => waitForScreen(session, test, what, 60_000);

describe.skipIf(!hasTmux)('explorer at 80×24 over 200,000 events (tmux)', () => {
	beforeAll(() => {
		ensureBuilt();
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-200k-'));
		caseFile = path.join(dir, 'case.db');
		const archive = path.join(dir, 'archive');
		const generated = spawnSync('node', ['dist/bench/generate.js', '--events', String(events), '--out', archive], {cwd: repoRoot, encoding: 'utf8'});
		expect(generated.status, generated.stderr).toBe(0);
		const imported = spawnSync('node', ['dist/cli.js', 'import', archive, '--db', caseFile], {cwd: repoRoot, encoding: 'utf8'});
		expect([0, 3], imported.stderr).toContain(imported.status);
		// The evidence is not needed once imported.
		fs.rmSync(archive, {recursive: true, force: true});
	}, 600_000);

	afterAll(() => {
		tmuxQuiet('kill-session', '-t', session);
		stopTmux();
		if (dir) fs.rmSync(dir, {recursive: true, force: true});
	});

	it(`/ then "${name}" one key at a time lists the principal; Enter opens it`, async () => {
		const db = new Database(caseFile, {readonly: true});
		const total = db.prepare('SELECT count(*) FROM event').pluck().get() as number;
		const named = db.prepare(`SELECT arn FROM principal WHERE name LIKE '${name}%'`).pluck().all() as string[];
		db.close();
		expect(total).toBeGreaterThanOrEqual(events);
		expect(named.length).toBeGreaterThan(0);
		const exitFile = path.join(dir, 'exit');
		const command = `cd ${JSON.stringify(repoRoot)} && FORCE_COLOR=0 node dist/cli.js explore --db ${JSON.stringify(caseFile)}; echo EXIT=$? > ${JSON.stringify(exitFile)}; sleep 30`;
		tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', command);
		await until(t => t.includes('[Overview]'), 'the overview');
		tmux('send-keys', '-t', session, '/');
		await until(t => t.includes('type to search'), 'the search line');
		for (let i = 0; i < name.length; i++) {
			tmux('send-keys', '-t', session, '-l', name[i]);
			// Each key shows on the search line before the next is typed: typing is never blocked.
			await until(t => t.includes(`/ ${name.slice(0, i + 1)}█`), `"${name.slice(0, i + 1)}" on the search line`);
		}
		let text = await until(t => /\d+ results?:/.test(t) && t.includes(`/ ${name}█`) && !t.includes('still coming'), 'the results');
		const first = text.split('\n').find(l => l.startsWith('›'));
		// The kind column's word is whole at 80 columns (it was cut to "princip…"); the label is whole.
		expect(first).toMatch(new RegExp(`identity .*user/${name}`));
		expect(text).not.toContain('…');
		const account = /(\d{12})/.exec(first!)?.[1];
		const arn = named.find(a => a.split(':')[4] === account && first!.includes(a.split(':')[5]));
		expect(arn, `a principal of the case file on ${first}`).toBeDefined();
		tmux('send-keys', '-t', session, 'Enter');
		text = await until(t => t.includes(arn!.split(':')[5]) && !t.includes('type to search'), 'the principal screen');
		expect(text).toContain(arn!.split(':')[5]);
		expect(text).toContain(account!);
		for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
		tmux('send-keys', '-t', session, 'q');
		const deadline = Date.now() + 10_000;
		while (!fs.existsSync(exitFile) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100));
		expect(fs.readFileSync(exitFile, 'utf8').trim()).toBe('EXIT=0');
	}, 180_000);
});
