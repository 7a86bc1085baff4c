/**
 * The organisation workflow at small scale: the bench generator's realistic mix (MFA stories among
 * API noise, many small files), `scope local` picks the files, and the case built from the picked
 * files has the same findings as the case built from everything.
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {generateArchive} from '../../source/bench/generate.js';
import {openCaseFile} from '../../source/db/open.js';
import {caseScope} from '../../source/db/scope.js';
import {listFindings} from '../../source/findings/queries.js';
import {repoRoot} from '../import/helpers.js';
import {useTempDirs} from '../temp-dirs.js';

const tempDir = useTempDirs();
const cli = path.join(repoRoot, 'dist', 'cli.js');

function mfatrail(args: string[]) {
	const result = spawnSync(process.execPath, [cli, ...args], {encoding: 'utf8', maxBuffer: 64 << 20});
	if (result.status !== 0) throw new Error(`mfatrail ${args.slice(0, 3).join(' ')} exited ${result.status}: ${result.stderr}`);
	return result;
}

function findingKeys(db: string): string[] {
	const c = openCaseFile(db, {readonly: true});
	try {
		return listFindings(c).map(f => `${f.rule} ${f.principal} ${f.serialNumber}`).sort();
	} finally {
		c.close();
	}
}

describe('scope local on the bench generator\'s realistic mix', () => {
	it('imports only the selected files and finds the same findings (rule, principal, serialNumber) as from all files', async () => {
		const root = tempDir();
		const archive = path.join(root, 'AWSLogs-root');
		// Two accounts, each big enough to hold the sample stories.
		const stats = await generateArchive({events: 4000, eventsPerAccount: 2000, out: archive, seed: 'scope-e2e', mix: 'realistic'});
		const scopeFile = path.join(root, 'scope.json');
		const run = JSON.parse(mfatrail(['scope', 'local', archive, '--json', '--write-scope', scopeFile]).stdout) as {engine: string; files: number; selected: string[]; seconds: number};
		expect(run.engine).toBe('duckdb');
		expect(run.files).toBe(stats.files);
		// A strict subset.
		expect(run.selected.length).toBeGreaterThan(0);
		expect(run.selected.length).toBeLessThan(stats.files);
		for (const file of run.selected) expect(fs.existsSync(file)).toBe(true);
		console.log(`scope local: ${run.selected.length} of ${stats.files} files (${((100 * run.selected.length) / stats.files).toFixed(1)} %), ${stats.events} events, DuckDB ${run.seconds.toFixed(2)} s`);

		const selectedDb = path.join(root, 'selected.db');
		const allDb = path.join(root, 'all.db');
		mfatrail(['import', '--db', selectedDb, '--scope', scopeFile, ...run.selected]);
		mfatrail(['import', '--db', allDb, archive]);

		const selected = findingKeys(selectedDb);
		const all = findingKeys(allDb);
		expect(all.length).toBeGreaterThan(20);
		expect(new Set(all.map(k => k.split(' ')[0])).size).toBeGreaterThan(4);
		expect(selected).toEqual(all);

		// The selected case knows it is a scoped extract; the full one does not.
		const c = openCaseFile(selectedDb, {readonly: true});
		const [scope] = caseScope(c);
		const accounts = [...new Set(run.selected.map(file => /\/AWSLogs\/(\d{12})\//.exec(file)![1]))].sort();
		expect(accounts.length).toBeGreaterThan(1);
		expect(scope).toMatchObject({engine: 'duckdb', since: null, until: null, accounts});
		expect(scope.query).toContain('FROM cloudtrail_logs');
		c.close();
		const f = openCaseFile(allDb, {readonly: true});
		expect(caseScope(f)).toEqual([]);
		f.close();
		const json = JSON.parse(mfatrail(['findings', '--db', selectedDb, '--json']).stdout) as {scopedExtract?: boolean; scopeNote?: string; rule: string}[];
		expect(json.every(x => x.scopedExtract === true)).toBe(true);
		expect(json.filter(x => x.scopeNote).map(x => x.rule)).toContain('new-device-first-use');
		expect(mfatrail(['findings', '--db', selectedDb]).stdout).toMatch(/^SCOPED EXTRACT/);
		expect(mfatrail(['findings', '--db', allDb]).stdout).not.toContain('SCOPED');
	});
});
