import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import {packageRoot} from '../package-root.js';
import {CaseFileError} from './open.js';

/** db/ at the package root (the portable bundle carries it too). */
const schemaDir = path.join(packageRoot, 'db');

export interface Migration {
	version: number;
	name: string;
	sql: string;
}

/** The migration files' names, in order (every open reads these; the SQL only when one is pending). */
function migrationNames(): string[] {
	return fs
		.readdirSync(schemaDir)
		.filter(name => /^\d{3}_.+\.sql$/.test(name))
		.sort();
}

export function migrations(): Migration[] {
	return migrationNames().map(name => ({version: Number(name.slice(0, 3)), name, sql: fs.readFileSync(path.join(schemaDir, name), 'utf8')}));
}

export function latestVersion(): number {
	return Math.max(0, ...migrationNames().map(name => Number(name.slice(0, 3))));
}

/** The schema that replaced the event table with lean rows and zstd blocks (db/005_lean_event.sql). */
const leanStorage = 5;

/** An old-format case file with events in it (an empty one is simply migrated). */
function holdsEvents(db: Database.Database): boolean {
	const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'event'`).pluck().get();
	return Boolean(table) && Boolean(db.prepare('SELECT 1 FROM event LIMIT 1').pluck().get());
}

/**
 * A case file from before the lean storage that holds events is refused (not converted): its
 * records would have to be re-packed, and re-importing the evidence does that better. Checked
 * before anything is written to the file, so a refused file is left exactly as it was.
 */
export function refuseOldStorage(db: Database.Database, file: string): void {
	const current = db.pragma('user_version', {simple: true}) as number;
	if (current >= 1 && current < leanStorage && holdsEvents(db)) {
		throw new CaseFileError(
			`case file ${file} was written by an earlier mfatrail (schema ${current}) whose event storage this version does not read; import the evidence again into a new case file`,
		);
	}
}

/** Brings a case file up to the latest schema; refuses a file written by a newer mfatrail. */
export function migrate(db: Database.Database, {readonly, file}: {readonly: boolean; file: string}): void {
	const current = db.pragma('user_version', {simple: true}) as number;
	const latest = latestVersion();
	if (current > latest) {
		throw new CaseFileError(
			`case file ${file} has schema version ${current}, newer than this mfatrail understands (${latest}); upgrade mfatrail`,
		);
	}
	if (current === latest) return;
	refuseOldStorage(db, file);
	if (readonly) {
		throw new CaseFileError(`case file ${file} has schema version ${current}; open it once without read-only to upgrade to ${latest}`);
	}
	const pending = migrations().filter(m => m.version > current);
	// Foreign keys off while the schema changes, as SQLite's ALTER TABLE procedure asks: a table is
	// rebuilt under its name (db/024_lean_source.sql), keeping its rows' ids, without a million
	// children's rows being checked against it.
	const foreignKeys = db.pragma('foreign_keys', {simple: true}) as number;
	if (foreignKeys) db.pragma('foreign_keys = OFF');
	try {
		const apply = db.transaction(() => {
			for (const m of pending) {
				db.exec(m.sql);
				db.pragma(`user_version = ${m.version}`);
			}
		});
		apply();
	} finally {
		if (foreignKeys) db.pragma('foreign_keys = ON');
	}
}
