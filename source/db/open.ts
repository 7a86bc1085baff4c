import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {indexesOwed, restoreEventIndexes} from './event-indexes.js';
import {migrate, refuseOldStorage} from './migrate.js';
import {refreshPivotValues} from './pivot-values.js';

export type CaseFile = Database.Database;

/** Why a case file cannot be used: 'not-found' (the path names none) or anything else. */
export class CaseFileError extends Error {
	constructor(
		message: string,
		readonly reason: 'not-found' | 'other' = 'other',
	) {
		super(message);
	}
}

export interface OpenOptions {
	/** Open an existing case file without writing to it (queries, the explorer). */
	readonly?: boolean;
}

/** Default case file: --db, else MFATRAIL_DB, else ./mfatrail.db. */
export function caseFilePath(flag?: string): string {
	return flag || process.env.MFATRAIL_DB || 'mfatrail.db';
}

/**
 * Opens (creating if needed) a case file. A new file is created owner-only (0600) before SQLite
 * opens it, so the -wal and -shm files SQLite creates beside it get the same mode.
 */
export function openCaseFile(file: string, options: OpenOptions = {}): CaseFile {
	const resolved = path.resolve(file);
	if (options.readonly) {
		if (!fs.existsSync(resolved)) {
			throw new CaseFileError(`case file not found: ${file} (import evidence first: mfatrail import PATH --db ${file})`, 'not-found');
		}
	} else if (!fs.existsSync(resolved)) {
		try {
			fs.closeSync(fs.openSync(resolved, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o600));
			fs.chmodSync(resolved, 0o600); // umask may have narrowed or widened nothing else; be explicit
		} catch (error) {
			throw new CaseFileError(`cannot create case file ${file}: ${(error as Error).message}`);
		}
	}
	let db: CaseFile;
	try {
		db = new Database(resolved, {readonly: Boolean(options.readonly), fileMustExist: Boolean(options.readonly)});
	} catch (error) {
		throw new CaseFileError(`cannot open case file ${file}: ${(error as Error).message}`);
	}
	try {
		refuseOldStorage(db, file);
		db.pragma('busy_timeout = 5000');
		db.pragma('trusted_schema = OFF');
		if (!options.readonly) {
			db.pragma('journal_mode = WAL');
			db.pragma('synchronous = NORMAL');
		}
		db.pragma('cache_size = -65536');
		// A bulk import that died left the event indexes dropped (source/db/event-indexes.ts):
		// rebuild them before anything (a migration included) relies on them.
		if (indexesOwed(db)) {
			if (options.readonly) {
				throw new CaseFileError(`case file ${file} is being imported (or an import was interrupted); its indexes are rebuilt when the import ends: wait, or run mfatrail import again`);
			}
			restoreEventIndexes(db);
		}
		migrate(db, {readonly: Boolean(options.readonly), file});
		// A case file from before pivot_value (or left behind by an interrupted import) catches up here.
		if (!options.readonly) refreshPivotValues(db);
	} catch (error) {
		db.close();
		if (error instanceof CaseFileError) throw error;
		throw new CaseFileError(`cannot use case file ${file}: ${(error as Error).message}`);
	}
	return db;
}
