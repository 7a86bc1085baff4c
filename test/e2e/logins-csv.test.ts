import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, repoRoot, runCli} from '../hostile/cli.js';

/**
 * `logins --csv` over records whose user agent and error message hold an OSC title sequence:
 * redirected, the CSV is the plain (formula-neutralised) text; on a terminal (a pseudo-terminal
 * from script(1)) every cell is escaped like any evidence, so no ESC reaches the terminal.
 */
const hasScript = spawnSync('script', ['--version']).status === 0;
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
	it('to a pipe writes the evidence text as it is (a CSV file keeps the original)', () => {
		const result = runCli(['logins', '--csv', '--db', caseFile]);
		expect(result.status).toBe(0);
		expect(result.stdout.toString()).toContain('\u001b]0;PWNED\u0007');
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
	});
});
