/**
 * The exit-code table holds command by command (issue 20; source/commands/exit.ts,
 * docs/exit-codes.md): 0 done, 1 nothing found, 2 usage, 3 partial import, 4 a failed check,
 * 5 error, 128+N signals (import's SIGINT/SIGTERM are in test/import/cli.test.ts). Each run is the
 * built CLI over a case file imported from samples/; identifiers asked for are read from that case.
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {beforeAll, describe, expect, it} from 'vitest';
import {openCaseFile} from '../../source/db/open.js';
import {reportError} from '../../source/commands/exit.js';
import {importEvidence} from '../../source/pipeline.js';
import {ensureBuilt} from '../hostile/cli.js';
import {record, repoRoot, tempDir, write} from '../import/helpers.js';

const cli = path.join(repoRoot, 'dist', 'cli.js');
const samples = path.join(repoRoot, 'samples', 'AWSLogs');

function mfatrail(...args: string[]) {
	return spawnSync(process.execPath, [cli, ...args], {encoding: 'utf8', env: {...process.env, FORCE_COLOR: '0', MFATRAIL_DEBUG: ''}});
}

let db = '';
let ids: {user: string; serial: string; key: string; ip: string; agent: string; eventId: string};

beforeAll(() => {
	ensureBuilt();
	db = path.join(tempDir(), 'case.db');
	expect(mfatrail('import', samples, '--db', db).status).toBe(0);
	const read = new Database(db, {readonly: true});
	const one = (sql: string) => read.prepare(sql).pluck().get() as string;
	ids = {
		user: one(`SELECT principal_arn FROM sign_in WHERE principal_arn LIKE '%:user/%' ORDER BY event_time LIMIT 1`),
		serial: one('SELECT serial_number FROM device ORDER BY id LIMIT 1'),
		key: one(`SELECT access_key_id FROM event WHERE access_key_id LIKE 'AKIA%' LIMIT 1`),
		ip: one('SELECT source_ip FROM sign_in WHERE source_ip IS NOT NULL LIMIT 1'),
		agent: one('SELECT user_agent FROM event WHERE user_agent IS NOT NULL LIMIT 1'),
		eventId: one('SELECT event_id FROM event LIMIT 1'),
	};
	read.close();
}, 120_000);

/** A lookup command's rows: what is in the case (0), what is not (1), nothing named (2). */
function lookup(command: string, found: string, absent: string): [string, string[], number][] {
	return [
		[command, [command, found, '--db', db], 0],
		[command, [command, absent, '--db', db], 1],
		[command, [command, '--db', db], 2],
	];
}

/** [command line, exit code] rows of the table, per command. */
function table(): [string, string[], number][] {
	return [
		['summary', ['summary', '--db', db], 0],
		['summary', ['summary', 'extra', '--db', db], 2],
		['findings', ['findings', '--db', db], 0],
		['findings', ['findings', '--rule', 'nope', '--db', db], 2],
		['findings', ['findings', '--bogus-flag', '--db', db], 2],
		['triage', ['triage', '1', '--db', db], 0],
		['triage', ['triage', 'no-such-target', '--db', db], 1],
		['triage', ['triage', '1', '--status', 'maybe', '--db', db], 2],
		['report', ['report', '--format', 'md', '--db', db], 0],
		['report', ['report', '--principal', 'arn:aws:iam::000000000000:user/nobody', '--db', db], 1],
		['report', ['report', '--format', 'pdf', '--db', db], 2],
		...lookup('search', 'alice', 'zzzzqqqqnothing'),
		...lookup('user', ids.user, 'arn:aws:iam::000000000000:user/nobody'),
		...lookup('device', ids.serial, 'no-such-device'),
		['logins', ['logins', '--db', db], 0],
		['logins', ['logins', '--since', 'yesterday-ish', '--db', db], 2],
		['timeline', ['timeline', '--db', db], 0],
		['timeline', ['timeline', 'extra', '--db', db], 2],
		...lookup('key', ids.key, 'AKIANOSUCHKEY0000000'),
		...lookup('ip', ids.ip, '192.0.2.254'),
		...lookup('agent', ids.agent, 'no-such-agent/0.0'),
		...lookup('event', ids.eventId, 'no-such-event'),
		['scope', ['scope', 'sql'], 0],
		['scope', ['scope', 'sql', '--form', 'hive'], 2],
		['explore', ['explore', '--db', db], 2], // no terminal
		['(none)', ['no-such-command'], 2],
		['(any)', ['findings', '--db', path.join(tempDir(), 'missing.db')], 2],
	];
}

describe('the exit-code table, command by command', () => {
	it('0 done, 1 nothing found, 2 usage for every query command', () => {
		const rows = table();
		const got = rows.map(([command, args]) => [command, args.join(' '), mfatrail(...args).status]);
		expect(got).toEqual(rows.map(([command, args, code]) => [command, args.join(' '), code]));
	}, 240_000);

	it('import: 0 imported, 1 no evidence, 2 a missing path, 3 some records rejected', () => {
		const dir = tempDir();
		const caseFile = path.join(tempDir(), 'import.db');
		const good = write(dir, 'good.json', JSON.stringify({Records: [record('x-1')]}));
		const mixed = write(dir, 'mixed.json', JSON.stringify({Records: [record('x-2'), {eventID: 'x-3'}]}));
		const empty = fs.mkdtempSync(path.join(tempDir(), 'empty-'));
		expect([good, empty, path.join(dir, 'nope'), mixed].map(input => mfatrail('import', input, '--db', caseFile).status)).toEqual([0, 1, 2, 3]);
	});

	it('verify: 0 when the checks hold, 4 naming the failed check on a damaged case file; other commands 5', () => {
		const dir = tempDir();
		const caseFile = path.join(tempDir(), 'verify.db');
		expect(mfatrail('import', write(dir, 'good.json', JSON.stringify({Records: [record('v-1')]})), '--db', caseFile).status).toBe(0);
		expect(mfatrail('verify', '--db', caseFile).status).toBe(0);

		// Not a database any more: the header overwritten.
		const header = path.join(tempDir(), 'header.db');
		fs.copyFileSync(caseFile, header);
		const fd = fs.openSync(header, 'r+');
		fs.writeSync(fd, Buffer.alloc(100, 0x41), 0, 100, 0);
		fs.closeSync(fd);
		const notDb = mfatrail('verify', '--db', header);
		expect(notDb.status).toBe(4);
		expect(notDb.stdout).toContain('case file: INTEGRITY CHECK FAILED');
		expect(notDb.stdout).toMatch(/is damaged: .*not a database/);
		expect(JSON.parse(mfatrail('verify', '--db', header, '--json').stdout)).toMatchObject({ok: false, failedCheck: 'integrity'});
		const query = mfatrail('findings', '--db', header);
		expect(query.status).toBe(5);
		expect(query.stderr).toMatch(/damaged.*mfatrail verify names the failed check/);

		// Pages overwritten in the middle of the file: the integrity check fails.
		const pages = path.join(tempDir(), 'pages.db');
		fs.copyFileSync(caseFile, pages);
		const size = fs.statSync(pages).size;
		const fd2 = fs.openSync(pages, 'r+');
		fs.writeSync(fd2, Buffer.alloc(Math.min(16_384, size - 8192), 0x5a), 0, Math.min(16_384, size - 8192), 4096);
		fs.closeSync(fd2);
		const broken = mfatrail('verify', '--db', pages);
		expect(broken.status).toBe(4);
		expect(broken.stdout).toContain('INTEGRITY CHECK FAILED');
	});

	it('a full disk: exit 5, the case file\'s folder named, committed work kept, free space and run again', async () => {
		const folder = tempDir();
		const caseFile = path.join(folder, 'full.db');
		const first = openCaseFile(caseFile);
		await importEvidence(first, [write(tempDir(), 'one.json', JSON.stringify({Records: [record('f-1')]}))]);
		// SQLite's own "database or disk is full": the file may not grow past a few more pages.
		const pageCount = first.pragma('page_count', {simple: true}) as number;
		first.pragma(`max_page_count = ${pageCount + 4}`);
		let error: unknown;
		try {
			await importEvidence(first, [samples]);
		} catch (caught) {
			error = caught;
		}
		first.close();
		expect((error as {code?: string}).code).toBe('SQLITE_FULL');
		let stderr = '';
		const write0 = process.stderr.write.bind(process.stderr);
		process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
		let code: number;
		try {
			code = reportError('import', error, {caseFile});
		} finally {
			process.stderr.write = write0;
		}
		expect(code).toBe(5);
		expect(stderr).toContain(`the disk holding ${folder} is full`);
		expect(stderr).toContain('What was committed before this point is kept in the case file');
		expect(stderr).toContain('Free space on that disk and run the same command again');
		// What was committed is there: the first import's event, and a whole, readable file.
		const after = new Database(caseFile, {readonly: true});
		expect(after.pragma('integrity_check', {simple: true})).toBe('ok');
		expect(after.prepare('SELECT count(*) FROM event WHERE event_id = ?').pluck().get('f-1')).toBe(1);
		after.close();
	}, 60_000);

	it('an unexpected error is mfatrail\'s, not the evidence\'s: exit 5, its stack with --debug', () => {
		let stderr = '';
		const write0 = process.stderr.write.bind(process.stderr);
		process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
		let plain: number;
		let debug: number;
		try {
			plain = reportError('findings', new TypeError("Cannot read properties of undefined (reading 'x')"));
			debug = reportError('findings', new TypeError('boom'), {debug: true});
		} finally {
			process.stderr.write = write0;
		}
		expect([plain, debug]).toEqual([5, 5]);
		expect(stderr).toContain("mfatrail findings: unexpected error: Cannot read properties of undefined (reading 'x') (run again with --debug or MFATRAIL_DEBUG=1 for the stack, and report it)");
		expect(stderr).toMatch(/TypeError: boom\n\s+at /);
	});
});
