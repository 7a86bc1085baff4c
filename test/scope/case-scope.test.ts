import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {openCaseFile} from '../../source/db/open.js';
import {caseScope, isScoped, recordScope, scopeObjects} from '../../source/db/scope.js';
import {useTempDirs} from '../temp-dirs.js';

const tempDir = useTempDirs();

describe('case scope (migration 012)', () => {
	it('a new case is not scoped; a recorded scope reads back once, however often it is imported', () => {
		const file = path.join(tempDir(), 'case.db');
		const db = openCaseFile(file);
		expect(isScoped(db)).toBe(false);
		expect(caseScope(db)).toEqual([]);
		const scope = {engine: 'athena', query: 'SELECT DISTINCT "$path" AS path FROM cloudtrail_logs', accounts: ['111122223333'], regions: ['us-east-1', 'eu-west-1'], since: '2023-01-01T00:00:00Z', until: null, objects: ['AWSLogs/111122223333/CloudTrail/us-east-1/2023/01/02/x.json.gz'], origin: 'plan/mfatrail-scope.json', sha256: 'a'.repeat(64)};
		expect(recordScope(db, scope, '2026-11-30T11:00:00.000Z')).toBe(true);
		expect(recordScope(db, scope, '2026-11-30T12:00:00.000Z')).toBe(false);
		db.close();
		const again = openCaseFile(file, {readonly: true});
		expect(isScoped(again)).toBe(true);
		expect(caseScope(again)).toEqual([{engine: 'athena', query: scope.query, accounts: ['111122223333'], regions: ['us-east-1', 'eu-west-1'], since: '2023-01-01T00:00:00Z', until: null, importedAt: '2026-11-30T11:00:00.000Z'}]);
		expect([...scopeObjects(again)]).toEqual(scope.objects);
		again.close();
	});
});
