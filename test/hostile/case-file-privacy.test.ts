import crypto from 'node:crypto';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {useTempDirs} from '../temp-dirs.js';
import {openCaseFile} from '../../source/db/open.js';
import {cli, ensureBuilt, repoRoot} from './cli.js';

const realdata = path.resolve(repoRoot, 'test', 'fixtures', 'realdata');

const tempDir = useTempDirs();

function mode(file: string): string {
	return (fs.statSync(file).mode & 0o777).toString(8);
}

/** Every file and folder under root: its kind, size, SHA-256, mode and mtime. */
function snapshot(root: string): Map<string, string> {
	const result = new Map<string, string>();
	const visit = (dir: string) => {
		for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
			const file = path.join(dir, entry.name);
			const stat = fs.lstatSync(file);
			if (entry.isDirectory()) {
				result.set(path.relative(root, file), `dir ${stat.mode} ${stat.mtimeMs}`);
				visit(file);
			} else {
				const hash = entry.isFile() ? crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') : 'special';
				result.set(path.relative(root, file), `${hash} ${stat.size} ${stat.mode} ${stat.mtimeMs}`);
			}
		}
	};
	visit(root);
	return result;
}

function setWritable(root: string, writable: boolean): void {
	const visit = (file: string) => {
		const stat = fs.lstatSync(file);
		if (stat.isDirectory()) {
			if (writable) fs.chmodSync(file, 0o755);
			for (const name of fs.readdirSync(file)) visit(path.join(file, name));
			if (!writable) fs.chmodSync(file, 0o555);
		} else if (stat.isFile()) fs.chmodSync(file, writable ? 0o644 : 0o444);
	};
	visit(root);
}

describe('case file privacy', () => {
	it('creates the case file, -wal and -shm owner-only under umask 022', () => {
		const file = path.join(tempDir(), 'case.db');
		const previous = process.umask(0o022);
		try {
			const db = openCaseFile(file);
			db.prepare(`INSERT INTO meta(key, value) VALUES ('probe', 'x')`).run(); // makes SQLite write the WAL
			expect(fs.existsSync(`${file}-wal`)).toBe(true);
			expect(fs.existsSync(`${file}-shm`)).toBe(true);
			for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(mode(f), f).toBe('600');
			db.close();
		} finally {
			process.umask(previous);
		}
	});

	it('the built CLI under umask 022 leaves a 0600 case file', () => {
		ensureBuilt();
		const dir = tempDir();
		const file = path.join(dir, 'case.db');
		const result = spawnSync('/bin/sh', ['-c', `umask 022; exec "${process.execPath}" "${cli}" import "$1" --db "$2"`, 'sh', path.join(realdata, 'native', 'cloudgrep'), file]);
		expect(result.status, result.stderr.toString()).toBe(0);
		expect(mode(file)).toBe('600');
		for (const f of [`${file}-wal`, `${file}-shm`]) if (fs.existsSync(f)) expect(mode(f), f).toBe('600');
		// Nothing else appeared beside the case file.
		expect(fs.readdirSync(dir).filter(n => !n.startsWith('case.db'))).toEqual([]);
	});
});

describe('evidence is read-only', () => {
	beforeAll(() => ensureBuilt(), 180_000);

	it('import leaves every input byte, mode and mtime as it was, and creates nothing beside them', () => {
		const dir = tempDir();
		const evidence = path.join(dir, 'evidence');
		for (const part of ['native/cloudgrep', 'native/grafana-loki', 'native/plaso', 'native/stratus-red-team', 'malformed', 'other']) {
			fs.cpSync(path.join(realdata, part), path.join(evidence, part), {recursive: true, preserveTimestamps: true});
		}
		// Read-only evidence, as a careful responder would mount it: the import must not need to write.
		setWritable(evidence, false);
		const before = snapshot(evidence);
		let result;
		try {
			result = spawnSync(process.execPath, [cli, 'import', evidence, '--db', path.join(dir, 'case.db')]);
		} finally {
			setWritable(evidence, true);
		}
		expect([0, 3]).toContain(result.status);
		expect(result.stdout.toString()).toMatch(/records: \d+ seen/);
		setWritable(evidence, false);
		const after = snapshot(evidence);
		setWritable(evidence, true);
		expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
		for (const [name, state] of before) expect(after.get(name), name).toBe(state);
		expect(fs.readdirSync(dir).sort()).toEqual(['case.db', 'case.db-shm', 'case.db-wal', 'evidence'].filter(n => fs.existsSync(path.join(dir, n))));
	});
});
