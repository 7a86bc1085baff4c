import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {CaseFile} from '../../source/db/open.js';
import {devicesAt, deviceView, eventRecord, findDevices, findPrincipals, listSignIns, timeline, userView} from '../../source/db/queries.js';
import {refreshModel} from '../../source/model/refresh.js';
import {caseWith, fixtures, realdata} from './helpers.js';

const A = '111111111111';
const B = '222222222222';
const aliceA = `arn:aws:iam::${A}:user/alice`;
const aliceSerial = `arn:aws:iam::${A}:mfa/alice`;

describe('model from the fixture stories (out-of-order files)', () => {
	let db: CaseFile;
	let cleanup: () => void;
	beforeAll(async () => {
		// The directory is read in name order: part-1 (the later events) goes in first.
		({db, cleanup} = await caseWith(fixtures));
	});
	afterAll(() => cleanup());

	it('keeps a name reused after deletion as two incarnations, in event-time order', () => {
		const devices = findDevices(db, aliceSerial);
		expect(devices.map(d => [d.incarnation, d.state, d.createdAt, d.deletedAt])).toEqual([
			[1, 'deleted', '2023-01-10T10:00:00Z', '2023-03-01T10:05:00Z'],
			[2, 'enabled', '2023-03-02T09:00:00Z', null],
		]);
		expect(devices.every(d => d.ownerArn === aliceA)).toBe(true);
		const first = deviceView(db, devices[0].id)!;
		expect(first.lifecycle.map(l => l.eventName)).toEqual(['CreateVirtualMFADevice', 'EnableMFADevice', 'DeactivateMFADevice', 'DeleteVirtualMFADevice']);
		expect(first.otherIncarnations.map(o => o.incarnation)).toEqual([2]);
	});

	it('links each sign-in to the incarnation live at its time', () => {
		const [first, second] = findDevices(db, aliceSerial);
		const logins = listSignIns(db, {principalArn: aliceA});
		expect(logins.map(l => [l.eventTime, l.mfaIdentifier, l.deviceId])).toEqual([
			['2023-02-01T08:30:00Z', aliceSerial, first.id],
			['2023-03-03T08:00:00Z', aliceSerial, second.id],
		]);
	});

	it('classifies the credentials of each lifecycle call', () => {
		const [first] = findDevices(db, aliceSerial);
		const lifecycle = deviceView(db, first.id)!.lifecycle;
		expect(lifecycle.map(l => [l.eventName, l.credential, l.accessKeyId, l.mfaAuthenticated])).toEqual([
			['CreateVirtualMFADevice', 'long-term', 'AKIAEXAMPLEALICE0001', null],
			['EnableMFADevice', 'long-term', 'AKIAEXAMPLEALICE0001', null],
			['DeactivateMFADevice', 'console', 'ASIAEXAMPLEALICE0002', true],
			['DeleteVirtualMFADevice', 'console', 'ASIAEXAMPLEALICE0002', true],
		]);
		expect(lifecycle[3].sourceIPAddress).toBe('AWS Internal');
		expect(lifecycle[0].actor).toBe(aliceA);
	});

	it('keeps failed lifecycle calls as not applied, without changing state', () => {
		const failed = userView(db, aliceA)!.attempts;
		expect(failed.map(f => [f.eventName, f.errorCode, f.applied, f.serialNumber])).toEqual([
			['EnableMFADevice', 'InvalidAuthenticationCode', false, `arn:aws:iam::${A}:mfa/alice-2`],
		]);
		expect(findDevices(db, `arn:aws:iam::${A}:mfa/alice-2`)).toEqual([]);
		const carol = userView(db, `arn:aws:iam::${A}:user/carol`)!;
		expect(carol.attempts).toHaveLength(1);
		expect(carol.attempts[0]).toMatchObject({
			eventName: 'DeactivateMFADevice',
			errorCode: 'AccessDenied',
			applied: false,
			serialNumber: null,
			cliCommand: 'iam.deactivate-mfa-device',
			credential: 'long-term',
		});
	});

	it("makes 'AWS ROOT USER' the account's root and normalises MFAUsed YES", () => {
		const [root] = findDevices(db, 'root-account-mfa-device');
		expect(root).toMatchObject({ownerArn: `arn:aws:iam::${A}:root`, state: 'enabled', type: 'virtual', createdAt: null, enabledAt: '2023-01-05T12:00:00Z'});
		const view = userView(db, `arn:aws:iam::${A}:root`)!;
		expect(view.principal).toEqual({arn: `arn:aws:iam::${A}:root`, type: 'Root', name: 'root', displayName: null, accountId: A});
		expect(view.logins.map(l => [l.result, l.mfaUsed, l.deviceId])).toEqual([['Success', 'Yes', root.id]]);
	});

	it('keeps a device seen only in sign-ins, with an unknown start', () => {
		const [phone] = findDevices(db, 'bob-phone');
		expect(phone).toMatchObject({state: 'in-use', createdAt: null, ownerArn: `arn:aws:iam::${A}:user/bob`, lastUsed: '2023-02-10T09:00:00Z'});
		const [token] = findDevices(db, 'GAHT12345678');
		expect(token).toMatchObject({type: 'hardware', state: 'in-use', ownerArn: `arn:aws:iam::${A}:user/bob`});
		expect(deviceView(db, token.id)!.mfaUses.map(u => [u.eventName, u.kind, u.result])).toEqual([['GetSessionToken', 'sts-mfa', 'Success']]);
	});

	it('marks a failed ConsoleLogin right after a CheckMfa success as failed at the MFA step', () => {
		const bob = `arn:aws:iam::${A}:user/bob`;
		const failed = listSignIns(db, {principalArn: bob, failedOnly: true});
		expect(failed.map(f => [f.eventTime, f.eventName, f.failedAtMfa, f.errorMessage])).toEqual([
			['2023-02-11T08:00:20Z', 'ConsoleLogin', true, 'Failed authentication'],
			['2023-02-11T09:00:00Z', 'ConsoleLogin', false, 'Failed authentication'],
		]);
		// The failed records carry no arn: they are keyed by account + userName, like the successful one.
		expect(findPrincipals(db, 'bob')[0]).toMatchObject({arn: bob, signInCount: 3, failedSignIns: 2, lastSignIn: '2023-02-10T09:00:00Z', deviceCount: 2});
	});

	it('keeps the same user name in two accounts apart', () => {
		const alices = findPrincipals(db, 'alice');
		expect(alices.map(p => p.arn)).toEqual([aliceA, `arn:aws:iam::${B}:user/alice`]);
		expect(findPrincipals(db, 'ALICE')).toHaveLength(2);
		const other = userView(db, `arn:aws:iam::${B}:user/alice`)!;
		expect(other.devices.map(d => d.serialNumber)).toEqual([`arn:aws:iam::${B}:mfa/alice`]);
		expect(other.logins.map(l => l.mfaUsed)).toEqual(['No']);
	});

	it('answers which devices a principal had at a time from the lifecycle', () => {
		const at = (t: string) => devicesAt(db, aliceA, t).map(d => [d.incarnation, d.stateAt]);
		expect(at('2023-01-09T00:00:00Z')).toEqual([]);
		expect(at('2023-01-10T10:00:30Z')).toEqual([]); // created, not yet enabled
		expect(at('2023-02-01T00:00:00Z')).toEqual([[1, 'enabled']]);
		expect(at('2023-03-01T12:00:00Z')).toEqual([]);
		expect(at('2023-03-05T00:00:00Z')).toEqual([[2, 'enabled']]);
		expect(devicesAt(db, `arn:aws:iam::${A}:root`, '2023-01-01T00:00:00Z').map(d => d.stateAt)).toEqual(['start-unknown']);
	});

	it('merges lifecycle calls and sign-ins in time order on the timeline', () => {
		const entries = timeline(db, {principalArn: aliceA});
		const times = entries.map(e => e.eventTime);
		expect(times).toEqual([...times].sort());
		expect(entries.map(e => `${e.kind}:${e.eventName}`)).toEqual([
			'lifecycle:CreateVirtualMFADevice',
			'lifecycle:EnableMFADevice',
			'lifecycle:EnableMFADevice',
			'sign-in:ConsoleLogin',
			'lifecycle:DeactivateMFADevice',
			'lifecycle:DeleteVirtualMFADevice',
			'lifecycle:CreateVirtualMFADevice',
			'lifecycle:EnableMFADevice',
			'sign-in:ConsoleLogin',
		]);
		expect(timeline(db, {principalArn: aliceA, since: '2023-03-02T00:00:00Z', until: '2023-03-02T23:59:59Z'})).toHaveLength(2);
	});

	it('pages sign-ins by (eventTime, event)', () => {
		const all = listSignIns(db, {});
		const page1 = listSignIns(db, {limit: 3});
		const last = page1[page1.length - 1];
		const page2 = listSignIns(db, {limit: 100, afterTime: last.eventTime, afterEvent: last.event});
		expect([...page1, ...page2].map(s => s.eventId)).toEqual(all.map(s => s.eventId));
	});

	it('gives an event back verbatim with its provenance', () => {
		const [login] = listSignIns(db, {principalArn: `arn:aws:iam::${A}:root`});
		const record = eventRecord(db, login.eventId)!;
		expect(record.versions).toHaveLength(1);
		expect(JSON.parse(record.versions[0].record).additionalEventData.MFAUsed).toBe('YES');
		expect(record.versions[0].provenance).toEqual([
			expect.objectContaining({path: path.join(fixtures, 'part-2-earlier.json'), position: 1, format: expect.any(String)}),
		]);
		expect(record.versions[0].provenance[0].sha256).toMatch(/^[0-9a-f]{64}$/);
		expect(eventRecord(db, 'no-such-event')).toBeUndefined();
	});

	it('is rebuilt identically by a second refresh', () => {
		const before = db.prepare('SELECT * FROM device ORDER BY id').all();
		const signIns = db.prepare('SELECT * FROM sign_in ORDER BY event').all();
		expect(refreshModel(db)).toBeUndefined(); // nothing new since the import's refresh
		expect(refreshModel(db, {force: true})?.mode).toBe('full');
		expect(db.prepare('SELECT * FROM device ORDER BY id').all()).toEqual(before);
		expect(db.prepare('SELECT * FROM sign_in ORDER BY event').all()).toEqual(signIns);
	});
});

describe('model from real evidence', () => {
	let db: CaseFile;
	let cleanup: () => void;
	beforeAll(async () => {
		({db, cleanup} = await caseWith(
			path.join(realdata, 'native', 'invictus-ir-aws_dataset'),
			path.join(realdata, 'other', 'aws-docs-example-records.jsonl'),
			path.join(realdata, 'other', 'panther-analysis-records.jsonl'),
		));
	});
	afterAll(() => cleanup());

	it("links bert-jan's console sign-in to mfa/Mobile and keeps his CheckMfa", () => {
		const [bert] = findPrincipals(db, 'bert-jan');
		expect(bert).toMatchObject({arn: 'arn:aws:iam::123837392027:user/bert-jan', type: 'IAMUser', accountId: '123837392027', deviceCount: 1});
		const view = userView(db, bert.arn)!;
		expect(view.devices.map(d => [d.serialNumber, d.name, d.type, d.state])).toEqual([['arn:aws:iam::123837392027:mfa/Mobile', 'Mobile', 'virtual', 'in-use']]);
		expect(view.logins.map(l => [l.eventName, l.result, l.mfaUsed, l.mfaType, l.eventId])).toEqual([
			['CheckMfa', 'Success', null, 'Virtual MFA', '74b4a7d6-764d-4ec8-bbd4-91e7a84e6780'],
			['ConsoleLogin', 'Success', 'Yes', null, '8feee4c2-5e27-4857-8475-bfa7e7b6d791'],
		]);
		expect(view.logins[1].deviceId).toBe(view.devices[0].id);
	});

	it("makes the root user's EnableMFADevice ('AWS ROOT USER') an owned device", () => {
		const [device] = findDevices(db, 'arn:aws:iam::111122223333:mfa/root-account-mfa-device');
		expect(device).toMatchObject({ownerArn: 'arn:aws:iam::111122223333:root', state: 'enabled'});
		const lifecycle = deviceView(db, device.id)!.lifecycle;
		expect(lifecycle.map(l => [l.eventName, l.actor, l.sourceIPAddress, l.applied])).toEqual([
			['EnableMFADevice', 'arn:aws:iam::111122223333:root', '192.0.2.0', true],
		]);
	});

	it('links a FIDO (u2f) identifier to its owner', () => {
		const [fido] = findDevices(db, 'arn:aws:iam::111122223333:u2f/user/anaya/default-AAAAAAAABBBBBBBBCCCCCCCCDD');
		expect(fido).toMatchObject({type: 'fido', ownerArn: 'arn:aws:iam::111122223333:user/anaya', state: 'in-use'});
	});

	it('keeps Identity Center sign-in steps with their credential types and results', () => {
		const [user1] = findPrincipals(db, 'user1');
		expect(user1).toMatchObject({type: 'IdentityCenterUser', arn: 'arn:aws:identitystore::111122223333:user/user1'});
		const steps = listSignIns(db, {principalArn: user1.arn});
		expect(steps.every(s => s.kind === 'identity-center')).toBe(true);
		expect(steps.find(s => s.eventName === 'UserAuthentication' && s.mfaType === 'PASSWORD,TOTP')).toMatchObject({result: 'Success', mfaUsed: 'Yes'});
		expect(steps.filter(s => s.result === 'Failure').map(s => [s.eventName, s.eventTime])).toEqual([['CredentialVerification', '2020-12-08T18:56:21Z']]);
	});

	it('groups unknown sign-in names per account', () => {
		const [hidden] = findPrincipals(db, 'arn:aws:iam::123456789012:user/HIDDEN_DUE_TO_SECURITY_REASONS');
		expect(hidden).toMatchObject({failedSignIns: 1, signInCount: 1});
	});

	it('keeps two accounts apart for the same user name (panther: tester in two accounts)', () => {
		expect(findPrincipals(db, 'tester').filter(p => p.type === 'IAMUser').map(p => p.arn)).toEqual([
			'arn:aws:iam::123456789012:user/tester',
			'arn:aws:iam::123456789013:user/tester',
		]);
	});

	it('counts events per principal over all events, not only MFA ones', () => {
		const [bert] = findPrincipals(db, 'bert-jan');
		// From the evidence files themselves: his records by arn (one event per eventID), plus his CheckMfa, whose record has no arn.
		const dir = path.join(realdata, 'native', 'invictus-ir-aws_dataset', 'CloudTrail');
		const ids = new Set<string>();
		for (const name of fs.readdirSync(dir).filter(n => n.endsWith('.json'))) {
			const {Records} = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as {Records: {eventID: string; userIdentity?: {arn?: string}}[]};
			for (const r of Records) if (r.userIdentity?.arn === bert.arn) ids.add(r.eventID);
		}
		expect(ids.size).toBeGreaterThan(10);
		expect(bert.eventCount).toBe(ids.size + 1);
	});
});
