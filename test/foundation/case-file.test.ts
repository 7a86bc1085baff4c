import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {useTempDirs} from '../temp-dirs.js';
import {CaseFileError, openCaseFile} from '../../source/db/open.js';
import {latestVersion} from '../../source/db/migrate.js';

const tempDir = useTempDirs();

describe('case file', () => {
	it('is created at the latest schema version', () => {
		const file = path.join(tempDir(), 'case.db');
		const db = openCaseFile(file);
		expect(db.pragma('user_version', {simple: true})).toBe(latestVersion());
		expect(latestVersion()).toBeGreaterThanOrEqual(2);
		const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'view')`).pluck().all();
		expect(tables).toEqual(expect.arrayContaining(['event', 'event_row', 'dict', 'raw_block', 'source', 'digest', 'sighting', 'rejection', 'principal', 'device', 'lifecycle_event', 'sign_in', 'finding']));
		db.close();
	});

	it('refuses a case file written by a newer mfatrail', () => {
		const file = path.join(tempDir(), 'newer.db');
		const db = openCaseFile(file);
		db.pragma(`user_version = ${latestVersion() + 1}`);
		db.close();
		expect(() => openCaseFile(file)).toThrow(CaseFileError);
		expect(() => openCaseFile(file)).toThrow(/newer than this mfatrail understands/);
	});

	it('says clearly when a read-only case file does not exist', () => {
		expect(() => openCaseFile(path.join(tempDir(), 'missing.db'), {readonly: true})).toThrow(/case file not found/);
	});

	it('opens twice without migrating again', () => {
		const file = path.join(tempDir(), 'again.db');
		openCaseFile(file).close();
		const db = openCaseFile(file, {readonly: true});
		expect(db.pragma('user_version', {simple: true})).toBe(latestVersion());
		db.close();
	});
});
