import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ensureBuilt, repoRoot} from '../hostile/cli.js';

/**
 * `npm start` (dist/demo.js) caches the samples' case file in the temp folder. An upgrade of
 * mfatrail (another build: a new schema version, a changed rule) must build a fresh one, never
 * open the old one (which once stopped `npm start` with "schema version 15 … upgrade to 23").
 */
describe('npm start: the samples case file', () => {
	let root: string;
	let tmp: string;
	beforeAll(() => {
		ensureBuilt();
		root = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-demo-'));
		tmp = path.join(root, 'tmp');
		fs.mkdirSync(tmp);
		// A copy of the package as npm install leaves it, to change its build without touching this one.
		for (const part of ['dist', 'db', 'samples', 'package.json']) fs.cpSync(path.join(repoRoot, part), path.join(root, 'app', part), {recursive: true});
		fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'app', 'node_modules'));
	});
	afterAll(() => fs.rmSync(root, {recursive: true, force: true}));

	const start = () => {
		// No terminal: the demo imports (once) and says where the case file is.
		const run = spawnSync(process.execPath, [path.join(root, 'app', 'dist', 'demo.js')], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, TMPDIR: tmp, FORCE_COLOR: '0'}});
		expect(run.status, run.stderr).toBe(0);
		const caseFile = /The samples are in the case file (\S+)\./.exec(run.stdout)?.[1];
		expect(caseFile, run.stdout).toBeDefined();
		return {caseFile: caseFile!, imported: run.stderr.includes('imported samples:')};
	};

	it('is built once, reused, and built afresh after an upgrade, at the schema version of db/', () => {
		const first = start();
		expect(first.imported).toBe(true);
		expect(path.dirname(first.caseFile)).toBe(tmp);
		const again = start();
		expect(again).toEqual({caseFile: first.caseFile, imported: false});

		// The newest migration in db/ (read from the file names) is the case file's schema version.
		const newest = Math.max(...fs.readdirSync(path.join(repoRoot, 'db')).filter(f => /^\d+_.*\.sql$/.test(f)).map(f => Number.parseInt(f, 10)));
		const db = new Database(first.caseFile, {readonly: true});
		expect(db.pragma('user_version', {simple: true})).toBe(newest);
		db.close();

		// An upgrade: the same samples, another build.
		fs.appendFileSync(path.join(root, 'app', 'dist', 'findings', 'registry.js'), '\n// another build\n');
		const upgraded = start();
		expect(upgraded.imported).toBe(true);
		expect(upgraded.caseFile).not.toBe(first.caseFile);
	});
});
