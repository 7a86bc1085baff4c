import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ensureBuilt, repoRoot, runCli} from './cli.js';

/**
 * The built CLI's human output on evidence whose user names, user agents, error messages,
 * serial numbers and file names carry ESC sequences, C1 controls, BEL, bidi and zero-width
 * characters: none of them may reach stdout or stderr raw.
 */
const fixture = path.join(repoRoot, 'test', 'fixtures', 'hostile', 'escape-records.json');
let dir = '';
let evidence = '';
let caseFile = '';

// Anything a terminal would act on, or a reader could not see; \n ends our own lines.
const rawControl = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;

function expectClean(output: Buffer, what: string): void {
	for (const byte of [0x1b, 0x07, 0x9b, 0x9d, 0x90]) {
		if (output.includes(byte)) expect.fail(`${what}: raw byte 0x${byte.toString(16)} at ${output.indexOf(byte)}: ${JSON.stringify(output.subarray(Math.max(0, output.indexOf(byte) - 40), output.indexOf(byte) + 40).toString('utf8'))}`);
	}
	const match = rawControl.exec(output.toString('utf8'));
	if (match) expect.fail(`${what}: raw ${JSON.stringify(match[0])} in ${JSON.stringify(output.toString('utf8').slice(Math.max(0, match.index - 40), match.index + 40))}`);
}

beforeAll(() => {
	ensureBuilt();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
	evidence = path.join(dir, 'evidence');
	fs.mkdirSync(evidence);
	fs.copyFileSync(fixture, path.join(evidence, 'hostile-\u001b]0;TITLE\u0007-\u202eevil.json'));
	// Invalid JSON holding raw ESC/BEL/C1 bytes, so a parser message quoting it would leak them.
	fs.writeFileSync(path.join(evidence, 'broken-\u001b[31m-\n.json'), Buffer.concat([Buffer.from('{"Records":[{"eventID":"x","eventTime":"'), Buffer.from([0x1b, 0x5d, 0x30, 0x3b, 0x07, 0xc2, 0x9b, 0x33, 0x31, 0x6d]), Buffer.from('\n')]));
	fs.writeFileSync(path.join(evidence, 'lines-\u009b31m.jsonl'), `${JSON.stringify({eventID: '\u001b[2J', eventTime: 'not a time \u001b]0;x\u0007'})}\n\u001b[6n garbage line\n`);
	caseFile = path.join(dir, 'case.db');
}, 180_000);

afterAll(() => {
	if (dir) fs.rmSync(dir, {recursive: true, force: true});
});

describe('human CLI output on hostile evidence', () => {
	it('import: summary and error lines carry no raw control, and rejections are reported', () => {
		const result = runCli(['import', evidence, '--db', caseFile]);
		expectClean(result.stdout, 'import stdout');
		expectClean(result.stderr, 'import stderr');
		expect(result.status).toBe(3); // some records rejected, the rest imported
		// The rejected file's name is shown, escaped.
		expect(result.stderr.toString()).toMatch(/broken-\\x1b\[31m-\\n\.json/);
	});

	it('import --json stays valid JSON (its own escapes)', () => {
		const result = runCli(['import', evidence, '--db', path.join(dir, 'json.db'), '--json']);
		const summary = JSON.parse(result.stdout.toString());
		expect(summary.records.inserted).toBeGreaterThanOrEqual(14);
		expect(JSON.stringify(summary.errors)).toContain('\\u001b');
	});

	it('verify: the report names evidence files without raw controls', () => {
		const result = runCli(['verify', '--db', caseFile]);
		expectClean(result.stdout, 'verify stdout');
		expectClean(result.stderr, 'verify stderr');
		expect(result.status).toBe(0);
	});

	it('every query command that exists shows hostile values escaped', () => {
		const help = runCli(['--help']).stdout.toString();
		const names = [...help.matchAll(/^\s{2,}([a-z][a-z-]+)\s{2,}\S/gm)].map(m => m[1]!).filter(n => !['import', 'verify', 'explore', 'scope'].includes(n)); // scope reads no case file: test/scope checks its output
		// The loop below proves nothing if the help layout changes and no name is found.
		expect(names).toEqual(expect.arrayContaining(['search', 'user', 'device', 'logins', 'timeline', 'event', 'findings']));
		// Values that exist in the fixture: as a positional argument and as the usual filters.
		// (Kept to a few runs per command: each run starts a Node process.)
		const variants = [[], ['--user', '\u001b]0;PWNED\u0007'], ['Admin\u200bistrator']];
		const failures: string[] = [];
		for (const name of names) {
			for (const args of variants) {
				const result = runCli([name, ...args, '--db', caseFile]);
				for (const [stream, output] of [['stdout', result.stdout], ['stderr', result.stderr]] as const) {
					try {
						expectClean(output, `${name} ${JSON.stringify(args)} ${stream}`);
					} catch (error) {
						failures.push((error as Error).message);
					}
				}
			}
			const json = runCli([name, '--db', caseFile, '--json']);
			if (json.status === 0 && json.stdout.length > 0) {
				try {
					JSON.parse(json.stdout.toString());
				} catch {
					failures.push(`${name} --json: not valid JSON`);
				}
			}
		}
		// An unknown command name is echoed back too.
		const unknown = runCli(['\u001b]0;PWNED\u0007\u202e', '--db', caseFile]);
		for (const output of [unknown.stdout, unknown.stderr]) {
			try {
				expectClean(output, 'unknown command');
			} catch (error) {
				failures.push((error as Error).message);
			}
		}
		expect(failures, failures.join('\n')).toEqual([]);
	});
});
