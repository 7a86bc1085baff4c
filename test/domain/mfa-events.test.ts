/**
 * The one list of MFA-relevant events: its shape, and the SQL predicate generated from it agreeing
 * with the importer's test record by record over real evidence (catalog/ holds bare arrays and single records) (SQLite evaluates the SQL here;
 * issue 12 runs the same text on DuckDB and Athena).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {describe, expect, it} from 'vitest';
import {
	deviceAddEvents,
	deviceRemovalEvents,
	deviceStateAfter,
	isMfaRelevantEvent,
	lifecycleEvents,
	mfaEvent,
	mfaEventPredicate,
	mfaEventSelection,
	mfaEvents,
	roleOf,
	sqlInList,
} from '../../source/domain/mfa-events.js';
import {repoRoot} from '../findings/helpers.js';

const catalog = path.resolve(repoRoot, 'test', 'fixtures', 'realdata', 'catalog', 'traildiscover', 'events');

function catalogRecords(): Record<string, unknown>[] {
	const out: Record<string, unknown>[] = [];
	const walk = (dir: string) => {
		for (const e of fs.readdirSync(dir, {withFileTypes: true})) {
			const p = path.join(dir, e.name);
			if (e.isDirectory()) walk(p);
			else if (e.name.endsWith('.json.cloudtrail')) out.push(...[JSON.parse(fs.readFileSync(p, 'utf8')) as unknown].flat(1) as Record<string, unknown>[]);
		}
	};
	walk(catalog);
	return out;
}

describe('mfa-events: the one list', () => {
	it('source/domain is the bottom layer: it imports nothing from the project', () => {
		const dir = path.join(repoRoot, 'source', 'domain');
		const files = fs.readdirSync(dir).filter(f => f.endsWith('.ts'));
		expect(files).toContain('mfa-events.ts');
		for (const file of files) {
			const imports = [...fs.readFileSync(path.join(dir, file), 'utf8').matchAll(/\bfrom\s+'([^']+)'/g)].map(m => m[1]);
			expect(imports.filter(i => i.startsWith('.')), file).toEqual([]);
		}
	});


	it('names each (source, name) pair once, and no Identity Center name that AWS does not emit', () => {
		const keys = mfaEvents.flatMap(e => e.sources.map(s => `${s}|${e.name}`));
		expect(new Set(keys).size).toBe(keys.length);
		// Not in the sso-directory action list nor the CloudTrail operation list (mfa-2024-2026.md §4.4).
		for (const name of ['CreateMfaDeviceForUser', 'RegisterMfaDeviceForUser', 'DescribeMfaDeviceForUser']) {
			expect(mfaEvents.some(e => e.name === name), name).toBe(false);
		}
		// An unlisted name of a whole Identity Center source is still imported, as any other event of it.
		expect(mfaEvent('sso-directory.amazonaws.com', 'CreateMfaDeviceForUser')?.role).toBe('idc-other');
		expect(mfaEvent('identitystore.amazonaws.com', 'CompleteWebAuthnDeviceRegistration')?.role).toBe('idc-device');
	});

	it('gives the roles the model and rules key on', () => {
		expect(roleOf('sts.amazonaws.com', 'AssumeRoot')).toBe('assume-root');
		expect(roleOf('signin.amazonaws.com', 'GetSigninToken')).toBe('signin-token');
		expect(roleOf('signin.amazonaws.com', 'PasswordRecoveryRequested')).toBe('password-recovery');
		expect(roleOf('signin.amazonaws.com', 'CreateOAuth2Token')).toBe('oauth2-sign-in');
		expect(roleOf('signin.amazonaws.com', 'SomethingNew')).toBe('sign-in-other');
		expect(roleOf('sso.amazonaws.com', 'PutMfaDeviceManagementForDirectory')).toBe('idc-settings');
		expect(roleOf('iam.amazonaws.com', 'CreateLoginProfile')).toBe('root-credential');
		expect(roleOf('s3.amazonaws.com', 'GetObject')).toBeUndefined();
		// A partial export without eventSource: the name decides.
		expect(roleOf(null, 'DeactivateMFADevice')).toBe('device-lifecycle');
		expect([...deviceRemovalEvents].sort()).toEqual(['DeactivateMFADevice', 'DeleteMfaDeviceForUser', 'DeleteVirtualMFADevice']);
		expect(deviceAddEvents.has('CompleteVirtualMfaDeviceRegistration')).toBe(true);
		expect(lifecycleEvents.has('ListMfaDevicesForUser')).toBe(false);
		expect(deviceStateAfter('CreateVirtualMFADevice')).toBe('created');
		expect(deviceStateAfter('CompleteWebAuthnDeviceRegistration')).toBe('enabled');
		expect(deviceStateAfter('ListMFADevices')).toBeUndefined();
	});

	it('AssumeRole and GetSessionToken count only with a serialNumber', () => {
		expect(isMfaRelevantEvent('sts.amazonaws.com', 'AssumeRole', {roleArn: 'x'})).toBe(false);
		expect(isMfaRelevantEvent('sts.amazonaws.com', 'AssumeRole', {serialNumber: 'arn:aws:iam::1:mfa/a'})).toBe(true);
		expect(isMfaRelevantEvent('sts.amazonaws.com', 'GetSessionToken', null)).toBe(false);
		expect(isMfaRelevantEvent('sts.amazonaws.com', 'AssumeRoot', null)).toBe(true);
	});

	it('quotes SQL literals', () => {
		expect(sqlInList(["b'x", 'a', 'a'])).toBe("'a', 'b''x'");
	});

	it('the SQL predicate selects exactly the records the importer calls MFA-relevant (catalog/ and crafted edge cases)', () => {
		const records = catalogRecords();
		expect(records.length).toBeGreaterThan(300);
		records.push(
			{eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', requestParameters: {serialNumber: 'arn:aws:iam::1:mfa/x'}},
			{eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', requestParameters: {roleArn: "arn:aws:iam::1:role/it's"}},
			{eventSource: 'identitystore.amazonaws.com', eventName: 'DescribeUser', requestParameters: null},
			{eventSource: 'sso-directory.amazonaws.com', eventName: 'CreateMfaDeviceForUser', requestParameters: null},
		);
		const db = new Database(':memory:');
		try {
			db.exec('CREATE TABLE t (i INTEGER, eventsource TEXT, eventname TEXT, requestparameters TEXT)');
			const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?)');
			records.forEach((r, i) =>
				insert.run(i, (r.eventSource as string) ?? null, (r.eventName as string) ?? null, r.requestParameters === undefined ? null : JSON.stringify(r.requestParameters)),
			);
			const predicate = mfaEventPredicate({eventSource: 'eventsource', eventName: 'eventname', requestParameters: 'requestparameters'});
			const selected = db.prepare(`SELECT i FROM t WHERE ${predicate} ORDER BY i`).pluck().all() as number[];
			const expected = records.flatMap((r, i) =>
				isMfaRelevantEvent(r.eventSource as string, r.eventName as string, r.requestParameters) ? [i] : [],
			);
			expect(selected).toEqual(expected);
			// Real MFA evidence is in the catalogue: not an empty agreement.
			expect(expected.length).toBeGreaterThan(10);
		} finally {
			db.close();
		}
		const selection = mfaEventSelection();
		expect(selection.wholeSources).toContain('signin.amazonaws.com');
		expect(selection.conditional.map(c => c.name)).toEqual(['AssumeRole', 'GetSessionToken']);
	});
});
