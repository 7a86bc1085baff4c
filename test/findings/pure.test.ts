/** Rules are pure functions of plain model data: edge cases without a case file. */
import {describe, expect, it} from 'vitest';
import {bursts, detect as burstDetect} from '../../source/findings/rules/console-login-failure-burst.js';
import {detect as addedDetect} from '../../source/findings/rules/mfa-added-without-mfa-session.js';
import {sprays} from '../../source/findings/rules/password-spray.js';
import {defaultThresholds, type LifecycleEntry, type ModelData, type SignInEntry} from '../../source/findings/types.js';
import {arn, mfa} from './helpers.js';

let n = 0;
function lifecycle(entry: Partial<LifecycleEntry> & Pick<LifecycleEntry, 'eventName' | 'eventTime'>): LifecycleEntry {
	return {
		eventId: `L${++n}`,
		ownerArn: null,
		actorArn: null,
		serialNumber: null,
		deviceId: null,
		accessKeyId: null,
		credential: 'temporary',
		mfaAuthenticated: 1,
		sourceIp: '203.0.113.1',
		errorCode: null,
		errorMessage: null,
		applied: true,
		cliCommand: null,
		userAgent: null,
		assumeRootEvent: null,
		actorNote: null,
		...entry,
	};
}

function signIn(entry: Partial<SignInEntry> & Pick<SignInEntry, 'eventTime' | 'principalArn'>): SignInEntry {
	return {
		eventId: `S${++n}`,
		eventName: 'ConsoleLogin',
		kind: 'console-login',
		result: 'Failure',
		mfaUsed: 'No',
		mfaIdentifier: null,
		deviceId: null,
		mfaType: null,
		failedAtMfa: false,
		sourceIp: '192.0.2.1',
		errorMessage: 'Failed authentication',
		userName: null,
		...entry,
	};
}

function model(parts: Partial<ModelData>): ModelData {
	return {principals: new Map(), lifecycle: [], signIns: [], calls: new Map(), accountEvents: [], ...parts};
}

const at = (minute: number) => new Date(Date.UTC(2024, 2, 1, 10, 0, 0) + minute * 60_000).toISOString().replace('.000Z', 'Z');

describe('console-login-failure-burst windows', () => {
	const failures = (minutes: number[]) => minutes.map(m => signIn({eventTime: at(m), principalArn: arn('bob')}));

	it('needs burstCount failures inside one window, exactly at its edge included', () => {
		expect(bursts(failures([0, 1, 2, 3, 10]), {burstCount: 5, burstWindowMs: 10 * 60_000})).toHaveLength(1);
		expect(bursts(failures([0, 1, 2, 3, 11]), {burstCount: 5, burstWindowMs: 10 * 60_000})).toHaveLength(0);
	});

	it('merges overlapping windows into one burst and keeps separate bursts apart', () => {
		const found = bursts(failures([0, 1, 2, 3, 4, 9, 12, 14, 60, 61, 62, 63, 64]), {burstCount: 5, burstWindowMs: 10 * 60_000});
		// 14 is not in any ten-minute window holding five failures (3…14 spans eleven minutes)
		expect(found.map(b => b.length)).toEqual([7, 5]);
	});

	it('keeps its key when later evidence extends the burst', () => {
		const short = failures([0, 1, 2, 3, 4]);
		const longer = [...short, ...failures([5, 6])];
		const thresholds = {...defaultThresholds, burstCount: 5, burstWindowMs: 10 * 60_000};
		const [a] = burstDetect(model({signIns: short}), thresholds);
		const [b] = burstDetect(model({signIns: longer}), thresholds);
		expect(b.key).toBe(a.key);
		expect([a.lastSeen, b.lastSeen]).toEqual([at(4), at(6)]);
	});
});

describe('password-spray windows', () => {
	const failure = (minute: number, user: string, ip = '198.51.100.9') => signIn({eventTime: at(minute), principalArn: arn(user), sourceIp: ip});
	const spray = {sprayUsers: 3, sprayWindowMs: 10 * 60_000};

	it('counts distinct user names inside one window, its edge included; repeats of one name do not add up', () => {
		expect(sprays([failure(0, 'a'), failure(5, 'b'), failure(10, 'c')], spray)).toHaveLength(1);
		expect(sprays([failure(0, 'a'), failure(5, 'b'), failure(11, 'c')], spray)).toHaveLength(0);
		expect(sprays([failure(0, 'a'), failure(1, 'a'), failure(2, 'a'), failure(3, 'b')], spray)).toHaveLength(0);
	});

	it('merges overlapping windows and keeps the failures outside every window out', () => {
		const found = sprays([failure(0, 'x'), failure(30, 'a'), failure(31, 'b'), failure(32, 'c'), failure(39, 'd'), failure(60, 'e')], spray);
		expect(found.map(run => run.map(s => s.eventTime))).toEqual([[at(30), at(31), at(32), at(39)]]);
	});
});

describe('mfa-added-without-mfa-session device evidence', () => {
	const alice = arn('alice');
	const firstDevice = () =>
		lifecycle({eventName: 'EnableMFADevice', eventTime: at(0), ownerArn: alice, actorArn: alice, serialNumber: mfa('one'), mfaAuthenticated: 0, credential: 'console'});
	const keyAdd = (minute: number, extra: Partial<LifecycleEntry> = {}) =>
		lifecycle({
			eventName: 'EnableMFADevice',
			eventTime: at(minute),
			ownerArn: alice,
			actorArn: alice,
			serialNumber: mfa('two'),
			credential: 'long-term',
			accessKeyId: 'AKIAEXAMPLE',
			mfaAuthenticated: null,
			...extra,
		});

	it('fires when the earlier device is still enabled', () => {
		expect(addedDetect(model({lifecycle: [firstDevice(), keyAdd(30)]}))).toHaveLength(1);
	});

	it('does not fire when the earlier device was deactivated before the add', () => {
		const deactivated = lifecycle({eventName: 'DeactivateMFADevice', eventTime: at(10), ownerArn: alice, actorArn: alice, serialNumber: mfa('one')});
		expect(addedDetect(model({lifecycle: [firstDevice(), deactivated, keyAdd(30)]}))).toEqual([]);
	});

	it('counts a successful CheckMfa as device evidence, cancelled by any later deactivation', () => {
		const check = signIn({eventName: 'CheckMfa', kind: 'mfa-check', result: 'Success', eventTime: at(0), principalArn: alice});
		expect(addedDetect(model({signIns: [check], lifecycle: [keyAdd(30)]}))).toHaveLength(1);
		const deactivated = lifecycle({eventName: 'DeactivateMFADevice', eventTime: at(10), ownerArn: alice, actorArn: alice, serialNumber: mfa('x')});
		expect(addedDetect(model({signIns: [check], lifecycle: [deactivated, keyAdd(30)]}))).toEqual([]);
	});

	it('does not fire for a session whose mfaAuthenticated is true', () => {
		expect(addedDetect(model({lifecycle: [firstDevice(), keyAdd(30, {credential: 'temporary', accessKeyId: 'ASIAEXAMPLE', mfaAuthenticated: 1})]}))).toEqual([]);
	});

	it('fires for a console session whose mfaAuthenticated is false', () => {
		expect(addedDetect(model({lifecycle: [firstDevice(), keyAdd(30, {credential: 'console', mfaAuthenticated: 0})]}))).toHaveLength(1);
	});

	it('says a successful add after the fix fell outside the exploitable window', () => {
		const [found] = addedDetect(model({lifecycle: [firstDevice(), keyAdd(30)]}));
		expect(found.summary).toContain('outside the AWS-2023-001 window');
		expect(found.summary).toContain('no GetSessionToken with the new device or newly allowed calls followed within 24 h');
	});
});
