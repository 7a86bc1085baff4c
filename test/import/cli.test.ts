import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import {beforeAll, describe, expect, it} from 'vitest';
import {record, repoRoot, tempDir, write} from './helpers.js';
import {ensureBuilt} from '../hostile/cli.js';

/** The built CLI (npm test compiles first), with real worker threads. */
const cli = path.join(repoRoot, 'dist', 'cli.js');

beforeAll(() => {
	ensureBuilt();
});

function mfatrail(args: string[], env: Record<string, string> = {}) {
	return spawnSync(process.execPath, [cli, ...args], {encoding: 'utf8', env: {...process.env, ...env}});
}

/** A trail of `files` gzipped log files of `per` records each, in the S3 layout. */
function trail(dir: string, files: number, per: number): number {
	for (let f = 0; f < files; f++) {
		const records = Array.from({length: per}, (_, i) => record(`ev-${f}-${i}`, {eventTime: `2024-03-01T${String(10 + (f % 10)).padStart(2, '0')}:00:${String(i % 60).padStart(2, '0')}Z`}));
		write(dir, `AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/f${String(f).padStart(4, '0')}.json.gz`, zlib.gzipSync(JSON.stringify({Records: records})));
	}
	return files * per;
}

describe('mfatrail import (built CLI)', () => {
	it('exit status 0 when clean, 3 when some or all records are rejected, 1 when no evidence is found', () => {
		const dir = tempDir();
		const db = path.join(tempDir(), 'case.db');
		const good = write(dir, 'good.json', JSON.stringify({Records: [record('g-1')]}));
		const mixed = write(dir, 'mixed.json', JSON.stringify({Records: [record('m-1'), {eventID: 'm-2'}]}));
		const bad = write(dir, 'bad.json', '{"Records": [ nope');
		const clean = mfatrail(['import', good, '--db', db, '--json']);
		expect(clean.status).toBe(0);
		expect(JSON.parse(clean.stdout)).toMatchObject({files: {seen: 1, imported: 1}, records: {inserted: 1}, errors: []});
		expect(mfatrail(['import', mixed, '--db', db, '--json']).status).toBe(3);
		const rejected = mfatrail(['import', bad, '--db', db, '--json']);
		expect(rejected.status).toBe(3);
		expect(rejected.stdout.trim().split('\n')).toHaveLength(1);
		const empty = fs.mkdtempSync(path.join(tempDir(), 'empty-'));
		const nothing = mfatrail(['import', empty, '--db', db, '--json']);
		expect(nothing.status).toBe(1);
		expect(JSON.parse(nothing.stdout)).toMatchObject({files: {seen: 0, imported: 0}, records: {seen: 0}});
	});

	it('a missing path (usage, exit 2) or an unwritable case file (error, exit 5) is a clear one-line error', () => {
		const dir = tempDir();
		const missing = mfatrail(['import', path.join(dir, 'nope'), '--db', path.join(dir, 'case.db')]);
		expect(missing.status).toBe(2);
		expect(missing.stderr).toMatch(/^mfatrail import: no such file or folder: .*nope\n$/);
		const file = write(dir, 'a.json', JSON.stringify(record('a')));
		const unwritable = mfatrail(['import', file, '--db', path.join(dir, 'no-such-dir', 'case.db')]);
		expect(unwritable.status).toBe(5);
		expect(unwritable.stderr).toMatch(/^mfatrail import: cannot create case file .*\n$/);
	});

	it('human output escapes evidence text; --json prints exactly one object', () => {
		const dir = tempDir();
		const file = write(dir, 'evil\u001b[31m.json', JSON.stringify({Records: [{eventID: 'x'}]}));
		const human = mfatrail(['import', file, '--db', path.join(dir, 'case.db')]);
		expect(human.stderr).not.toContain('\u001b');
		expect(human.stderr).toContain('\\x1b');
	});

	// The exit-code table: 128 + the signal's number, in import as everywhere (130 SIGINT, 143 SIGTERM).
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
		it(`an import stopped by ${signal} keeps whole sources; running it again completes it`, async () => {
			const dir = tempDir();
			const db = path.join(tempDir(), 'case.db');
			// Enough sources that the stop lands while they load, also under a loaded machine's full suite.
			const total = trail(dir, 320, 150);
			const child = spawn(process.execPath, [cli, 'import', dir, '--db', db, '--json'], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, MFATRAIL_IMPORT_WORKERS: '2'}});
			const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
			// Wait until some sources are committed, then stop it mid-way.
			for (let i = 0; i < 600; i++) {
				await new Promise(r => setTimeout(r, 25));
				if (!fs.existsSync(db)) continue;
				try {
					const probe = new Database(db, {readonly: true, fileMustExist: true});
					const n = (probe.prepare('SELECT count(*) AS n FROM source').get() as {n: number}).n;
					probe.close();
					if (n >= 3) break;
				} catch {
					// schema not there yet
				}
			}
			child.kill(signal);
			const code = await exited;
			if (signal !== 'SIGKILL') expect(code).toBe(signal === 'SIGINT' ? 130 : 143);
			const check = new Database(db);
			expect(check.pragma('integrity_check', {simple: true})).toBe('ok');
			const {sources, events} = check.prepare('SELECT (SELECT count(*) FROM source) AS sources, (SELECT count(*) FROM event) AS events').get() as {sources: number; events: number};
			expect(sources).toBeLessThan(320);
			expect(events).toBe(sources * 150); // whole sources only
			if (signal !== 'SIGKILL') expect(check.prepare('SELECT status FROM import_run').get()).toEqual({status: 'interrupted'});
			check.close();
			const again = mfatrail(['import', dir, '--db', db, '--json']);
			expect(again.status).toBe(0);
			const summary = JSON.parse(again.stdout);
			expect(summary.records).toMatchObject({seen: total, inserted: total - events, duplicates: events, rejected: 0});
			const done = new Database(db, {readonly: true});
			expect((done.prepare('SELECT count(*) AS n FROM event').get() as {n: number}).n).toBe(total);
			done.close();
		});
	}
});
