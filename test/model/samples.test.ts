import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {CaseFile} from '../../source/db/open.js';
import {devicesAt, deviceView, findDevices, findPrincipals, listSignIns, timeline, userView} from '../../source/db/queries.js';
import {SearchIndex} from '../../source/model/search.js';
import {caseWith, repoRoot} from './helpers.js';

const acct = '123456789012';
const arn = (name: string) => `arn:aws:iam::${acct}:user/${name}`;
const mfa = (name: string) => `arn:aws:iam::${acct}:mfa/${name}`;

describe('model over samples/ (the seed stories)', () => {
	let db: CaseFile;
	let cleanup: () => void;
	beforeAll(async () => {
		({db, cleanup} = await caseWith(path.join(repoRoot, 'samples')));
	});
	afterAll(() => cleanup());

	it('root: devices added, then the lost device deactivated and deleted before failed sign-ins', () => {
		const root = `arn:aws:iam::${acct}:root`;
		const [device] = findDevices(db, mfa('root-account-mfa-device'));
		expect(device).toMatchObject({ownerArn: root, state: 'deleted', deletedAt: '2023-01-09T14:02:11Z'});
		const lifecycle = deviceView(db, device.id)!.lifecycle;
		expect(lifecycle.map(l => l.eventName)).toEqual(['CreateVirtualMFADevice', 'EnableMFADevice', 'DeactivateMFADevice', 'DeleteVirtualMFADevice']);
		expect(lifecycle[3].sourceIPAddress).toBe('AWS Internal');
		const after = listSignIns(db, {principalArn: root, since: '2023-01-09T14:02:11Z', until: '2023-01-09T23:59:59Z'});
		expect(after.map(s => [s.result, s.errorMessage])).toEqual([
			['Failure', 'Failed authentication'],
			['Failure', 'Failed authentication'],
		]);
		expect(devicesAt(db, root, '2023-01-01T00:00:00Z').map(d => d.name).sort()).toEqual(['another-device', 'root-account-mfa-device']);
		expect(devicesAt(db, root, '2023-01-09T18:00:00Z').map(d => d.name)).toEqual(['another-device']);
	});

	it('alice (AWS-2023-001): backup device created and enabled with her long-term key alone', () => {
		const alice = findPrincipals(db, 'alice');
		expect(alice.map(p => p.accountId)).toEqual([acct, '210987654321']);
		const view = userView(db, arn('alice'))!;
		const backup = view.devices.find(d => d.serialNumber === mfa('alice-backup'))!;
		expect(backup.lifecycle.map(l => [l.eventName, l.credential, l.mfaAuthenticated, l.applied])).toEqual([
			['CreateVirtualMFADevice', 'long-term', null, true],
			['EnableMFADevice', 'long-term', null, true],
		]);
		const uses = deviceView(db, backup.id)!.mfaUses;
		expect(uses.map(u => [u.eventName, u.result])).toEqual([['GetSessionToken', 'Success']]);
	});

	it('erin (after the fix): denied EnableMFADevice kept with no serial and its command hint', () => {
		const view = userView(db, arn('erin'))!;
		expect(view.attempts.map(a => [a.eventName, a.errorCode, a.applied, a.serialNumber, a.cliCommand])).toEqual([
			['EnableMFADevice', 'AccessDenied', false, null, 'iam.enable-mfa-device'],
		]);
		expect(view.devices.find(d => d.serialNumber === mfa('erin-backup'))).toMatchObject({state: 'created'});
	});

	it('judy: a name reused after deletion is two incarnations, sign-ins linked to each', () => {
		const [first, second] = findDevices(db, mfa('judy-phone'));
		expect([first.state, second.state, second.incarnation]).toEqual(['deleted', 'enabled', 2]);
		const logins = listSignIns(db, {principalArn: arn('judy')}).filter(s => s.mfaIdentifier);
		expect(logins.map(s => s.deviceId)).toEqual([first.id, second.id]);
		expect(deviceView(db, first.id)!.lifecycle.slice(-2).map(l => l.actor)).toEqual([arn('ops-admin'), arn('ops-admin')]);
	});

	it('frank: a device created and enabled by an admin belongs to frank, not to the admin', () => {
		const [device] = findDevices(db, 'frank-phone');
		expect(device).toMatchObject({ownerArn: arn('frank'), creatorArn: arn('ops-admin'), state: 'deactivated'});
	});

	it('kate and ops-admin: devices seen only in sign-ins', () => {
		for (const name of ['kate-iphone', 'ops-admin']) {
			const [device] = findDevices(db, mfa(name));
			expect(device).toMatchObject({state: 'in-use', createdAt: null});
		}
	});

	it('heidi: CheckMfa success then failed ConsoleLogin is a failure at the MFA step', () => {
		const failed = listSignIns(db, {principalArn: arn('heidi'), failedOnly: true});
		// …and heidi is one of the names of the 2025 password spray: a plain failure.
		expect(failed.map(s => [s.eventTime, s.failedAtMfa])).toEqual([
			['2023-04-03T08:20:31Z', true],
			['2025-02-11T03:04:20Z', false],
		]);
		// bob's burst of six, and his name in the password spray
		expect(listSignIns(db, {principalArn: arn('bob'), failedOnly: true}).map(s => s.failedAtMfa)).toEqual(Array(7).fill(false));
	});

	it('dave and carol: hardware token and FIDO key with their types and owners', () => {
		const [token] = findDevices(db, 'GAHT12345678');
		expect(token).toMatchObject({type: 'hardware', ownerArn: arn('dave'), state: 'enabled'});
		expect(token.createdAt).toBe(token.enabledAt);
		const [key] = findDevices(db, `arn:aws:iam::${acct}:u2f/user/carol/carol-yubikey-ABCDEFGHIJKLMNOPQRSTUVWXYZ`);
		expect(key).toMatchObject({type: 'fido', ownerArn: arn('carol')});
	});

	it('Identity Center: the user keyed by onBehalfOf.userId, its failed TOTP verification kept', () => {
		const [ivan] = findPrincipals(db, `arn:aws:identitystore::${acct}:user/c4f8a4e2-7091-70a8-3b6e-1f0a2c9d5b71`);
		expect(ivan.type).toBe('IdentityCenterUser');
		const failed = listSignIns(db, {principalArn: ivan.arn, failedOnly: true});
		expect(failed.map(s => [s.eventName, s.mfaType])).toEqual([['CredentialVerification', 'TOTP']]);
	});

	it('hidden user names are grouped per account', () => {
		const [hidden] = findPrincipals(db, arn('HIDDEN_DUE_TO_SECURITY_REASONS'));
		// two in the hidden-names story, one in the 2025 password spray
		expect(hidden).toMatchObject({failedSignIns: 3});
	});

	it('Identity Center users are shown by the name they sign in with: ivan (2023 records) and olga (the 2025 shape)', () => {
		expect(findPrincipals(db, 'ivan').map(p => [p.arn, p.displayName])).toEqual([[`arn:aws:identitystore::${acct}:user/c4f8a4e2-7091-70a8-3b6e-1f0a2c9d5b71`, 'ivan']]);
		expect(findPrincipals(db, 'olga').map(p => [p.arn, p.displayName])).toEqual([[`arn:aws:identitystore::${acct}:user/9a6b3c2d-5e4f-70a1-b2c3-d4e5f6a7b8c9`, 'olga']]);
	});

	it('nina signs in with a passkey: a u2f serial, FIDO, named as a guess', () => {
		const [key] = findDevices(db, 'nina-passkey');
		expect(key).toBeUndefined();
		const devices = userView(db, arn('nina'))!.devices;
		expect(devices.map(d => [d.type, d.typeLabel, d.state, d.serialNumber.startsWith(`arn:aws:iam::${acct}:u2f/user/nina/nina-passkey-`)])).toEqual([
			['fido', 'FIDO passkey (guessed from its name)', 'enabled', true],
		]);
		expect(listSignIns(db, {principalArn: arn('nina')}).filter(s => s.mfaIdentifier === devices[0].serialNumber)).toHaveLength(2);
	});

	it('timeline and search agree with the model', () => {
		const entries = timeline(db, {deviceSerial: mfa('judy-phone')});
		expect(entries.map(e => e.eventTime)).toEqual(entries.map(e => e.eventTime).sort());
		const index = SearchIndex.build(db);
		expect(index.search(mfa('alice-backup'))[0]).toMatchObject({kind: 'device', id: mfa('alice-backup'), score: 0});
		expect(index.search(arn('alice'))[0]).toMatchObject({kind: 'principal', id: arn('alice'), score: 0});
		expect(index.search('judy-phnoe', {kind: 'device'})[0]).toMatchObject({id: mfa('judy-phone')});
		expect(index.search('alice', {kind: 'principal'}).map(h => h.accountId)).toEqual([acct, '210987654321']);
	});
});
