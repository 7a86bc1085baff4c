/**
 * DuckDB is an optional dependency, loaded only by `scope local`. The built CLI runs here with a
 * module resolve hook that answers every @duckdb/ package as Node does when it is not installed
 * (ERR_MODULE_NOT_FOUND): `scope local` says in one line how to add it, every other command works
 * and never asks for it. (The portable bundle test runs the same commands with DuckDB really absent.)
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, repoRoot} from '../hostile/cli.js';
import {useTempDirs} from '../temp-dirs.js';

const tempDir = useTempDirs();

const hookSource = `import {registerHooks} from 'node:module';
registerHooks({
	resolve(specifier, context, next) {
		if (specifier.startsWith('@duckdb/')) {
			process.stderr.write('ASKED ' + specifier + '\\n');
			const error = new Error("Cannot find package '" + specifier + "' imported from " + context.parentURL);
			error.code = 'ERR_MODULE_NOT_FOUND';
			throw error;
		}
		return next(specifier, context);
	},
});
`;

function withoutDuckdb(dir: string, args: string[]) {
	const hook = path.join(dir, 'no-duckdb.mjs');
	fs.writeFileSync(hook, hookSource);
	return spawnSync(process.execPath, ['--import', hook, cli, ...args], {cwd: repoRoot, encoding: 'utf8', env: {...process.env, FORCE_COLOR: '0'}});
}

describe('without @duckdb/node-api installed', () => {
	beforeAll(() => ensureBuilt());

	it('scope local exits 5 (error: an optional part is missing) with one line saying how to add it', () => {
		const result = withoutDuckdb(tempDir(), ['scope', 'local', path.join(repoRoot, 'samples')]);
		expect(result.status).toBe(5);
		expect(result.stdout).toBe('');
		const lines = result.stderr.split('\n').filter(l => l !== '' && !l.startsWith('ASKED '));
		expect(lines).toEqual(["mfatrail scope: `scope local` needs DuckDB, an optional dependency that is not installed: add it with `npm install @duckdb/node-api` in mfatrail's folder"]);
		expect(result.stderr).toContain('ASKED @duckdb/node-api');
	});

	it('import, summary and scope sql work and never ask for it', () => {
		const dir = tempDir();
		const db = path.join(dir, 'case.db');
		const imported = withoutDuckdb(dir, ['import', path.join(repoRoot, 'samples'), '--db', db]);
		expect(imported.status, imported.stderr).toBe(0);
		const summary = withoutDuckdb(dir, ['summary', '--db', db, '--json']);
		expect(summary.status, summary.stderr).toBe(0);
		expect(JSON.parse(summary.stdout)).toBeTypeOf('object');
		const sql = withoutDuckdb(dir, ['scope', 'sql']);
		expect(sql.status, sql.stderr).toBe(0);
		expect(sql.stdout).toMatch(/^SELECT|WITH/m);
		for (const run of [imported, summary, sql]) expect(run.stderr).not.toContain('ASKED');
	});
});
