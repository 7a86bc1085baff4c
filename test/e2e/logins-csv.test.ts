import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {loginsCsv} from '../../source/commands/logins.js';
import {unescapeTerminalSafe} from '../../source/lib/terminal-text.js';
import type {SignInEntry} from '../../source/db/queries.js';
import {cli, ensureBuilt, repoRoot, runCli} from '../hostile/cli.js';
import {hasTool} from '../needs-tool.js';

/**
 * `logins --csv` over records whose user agent and error message hold an OSC title sequence:
 * redirected to a file or on a terminal (a pseudo-terminal from script(1)), every cell is escaped
 * like any evidence, so no ESC reaches whoever reads the CSV; the escape is reversible.
 */
const hasScript = hasTool('script', spawnSync('script', ['--version']).status === 0, 'apt-get install -y bsdutils (util-linux script)');
const fixture = path.join(repoRoot, 'test', 'fixtures', 'hostile', 'escape-records.json');
let dir: string;
let caseFile: string;

beforeAll(() => {
	ensureBuilt();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
	caseFile = path.join(dir, 'case.db');
	const result = runCli(['import', fixture, '--db', caseFile]);
	expect([0, 3]).toContain(result.status);
});

afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));

describe('logins --csv', () => {
	it('to a pipe writes the same escaped cells as to a terminal: a CSV file is read with cat and less too', () => {
		const result = runCli(['logins', '--csv', '--db', caseFile]);
		expect(result.status).toBe(0);
		const out = result.stdout.toString();
		expect(out).toContain('\\x1b]0;PWNED\\x07');
		expect(out).not.toMatch(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
		// reversible: the original text comes back from the cell
		expect(out.split('\r\n').some(line => unescapeTerminalSafe(line).includes('\u001b]0;PWNED\u0007'))).toBe(true);
	});

	it.skipIf(!hasScript)('to a terminal escapes every cell: no ESC or BEL reaches it', () => {
		const command = [process.execPath, cli, 'logins', '--csv', '--db', caseFile].map(a => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
		const typescript = path.join(dir, 'typescript');
		const result = spawnSync('script', ['-q', '-e', '-c', command, typescript], {encoding: 'utf8', env: {...process.env, FORCE_COLOR: '0'}});
		expect(result.status).toBe(0);
		expect(result.stdout).toContain('\\x1b]0;PWNED\\x07');
		expect(result.stdout).toContain('eventTime,eventName');
		expect(result.stdout).not.toContain('\u001b');
		expect(result.stdout).not.toContain('\u0007');
		// the bidi override of the fixture's "admin\u202egnp.exe" record, shown as its escape
		expect(result.stdout).toContain('admin\\u202egnp.exe');
		expect(result.stdout).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u009b\u009d]/);
	});

	it('escapes and formula-neutralises every cell', () => {
		const hostile = '=cmd\u001b]0;T\u0007\u202eX\u009b2J';
		const entry: SignInEntry = {
			eventTime: hostile,
			eventName: hostile,
			kind: hostile,
			result: hostile as 'Failure',
			mfaUsed: hostile as 'Yes',
			mfaIdentifier: hostile,
			failedAtMfa: false,
			mfaType: hostile,
			sourceIPAddress: hostile,
			userAgent: hostile,
			errorMessage: hostile,
			loginTo: hostile,
			userName: hostile,
			federation: hostile,
			eventId: hostile,
			principalArn: hostile,
			deviceId: null,
			event: 1,
		};
		const terminal = loginsCsv([entry]);
		expect(terminal).not.toMatch(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
		const [header, row] = terminal.split('\r\n');
		expect(header.startsWith('eventTime,eventName,')).toBe(true);
		expect(row.split(',')).toHaveLength(header.split(',').length);
		// every text column holds the hostile value: all but failedAtMfa (14 of the 15 columns)
		expect(row.split(',').filter(c => c === "'=cmd\\x1b]0;T\\x07\\u202eX\\x9b2J")).toHaveLength(14);
		expect(row.split(',')[5]).toBe('false');
	});
});
