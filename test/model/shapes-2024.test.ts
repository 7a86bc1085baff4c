/**
 * MFA evidence as AWS writes it since 2024 (docs/research/mfa-2024-2026.md), over fixtures
 * built from the record shapes in AWS documentation (test/fixtures/shapes, each naming its source
 * in "fixture.source"): Identity Center's new and old identity shapes and names, credential types,
 * WorkSpaces and Transfer Family look-alikes, `aws login`, passkeys, and AssumeRoot.
 */
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {deviceView, findDevices, findPrincipals, timeline, userView} from '../../source/db/queries.js';
import {listFindings} from '../../source/findings/queries.js';
import {importEvidence} from '../../source/pipeline.js';
import {SearchIndex} from '../../source/model/search.js';
import {caseWith, repoRoot, tempDir} from '../findings/helpers.js';

const shapes = (name: string) => path.join(repoRoot, 'test', 'fixtures', 'shapes', name);
const ruleFixture = (rule: string, kind: string) => path.join(repoRoot, 'test', 'fixtures', 'findings', rule, `${kind}.json`);
type Row = Record<string, unknown>;

describe('fixtures of the new shapes', () => {
	it('each names the AWS documentation its record shapes come from', () => {
		for (const file of fs.readdirSync(shapes(''))) {
			const {fixture} = JSON.parse(fs.readFileSync(shapes(file), 'utf8')) as {fixture: {source: string}};
			expect(fixture.source, file).toMatch(/AWS|Amazon/);
		}
	});
});

describe('Identity Center', () => {
	it('finds a user by the name it signs in with, with the id beside the name (new and 2024-10 shapes)', async () => {
		const {db} = await caseWith(shapes('identity-center.json'));
		try {
			const id = 'arn:aws:identitystore::123456789012:user/a11111-1111-1111-11a1-111aa111aa11';
			const hits = SearchIndex.searchOnce(db, 'anyuser', {kind: 'principal'});
			expect(hits[0]).toMatchObject({id, label: 'anyuser'});
			expect(findPrincipals(db, 'anyuser').map(p => [p.arn, p.displayName, p.name])).toEqual([[id, 'anyuser', 'a11111-1111-1111-11a1-111aa111aa11']]);
			// The 2024-10 to 2025-07 shape: type Unknown with userName beside onBehalfOf, keyed by the id.
			expect(findPrincipals(db, 'olduser').map(p => p.arn)).toEqual(['arn:aws:identitystore::123456789012:user/b2222222-2222-2222-22b2-222bb222bb22']);
			// A hidden name is never joined to anyone.
			expect(db.prepare(`SELECT count(*) FROM identity_center_name WHERE user_name = 'HIDDEN_DUE_TO_SECURITY_REASONS'`).pluck().get()).toBe(0);
		} finally {
			db.close();
		}
	});

	it('classifies credential types: EMAIL_OTP is not MFA, RESYNC_TOTP is a TOTP resync, WEBAUTHN and TOTP are MFA', async () => {
		const {db} = await caseWith(shapes('identity-center.json'));
		try {
			const auth = db
				.prepare(`SELECT mfa_type AS type, mfa_used AS mfa FROM sign_in WHERE event_name = 'UserAuthentication' AND kind = 'identity-center' ORDER BY event_time`)
				.all();
			expect(auth).toEqual([
				{type: 'PASSWORD,WEBAUTHN', mfa: 'Yes'},
				{type: 'PASSWORD,TOTP', mfa: 'Yes'},
				{type: 'PASSWORD,RESYNC_TOTP', mfa: 'Yes'},
				{type: 'EMAIL_OTP', mfa: 'No'},
			]);
		} finally {
			db.close();
		}
	});

	it('models the real device events, an administrator\'s among them', async () => {
		const {db} = await caseWith(shapes('identity-center.json'));
		try {
			const owner = 'arn:aws:identitystore::123456789012:user/a11111-1111-1111-11a1-111aa111aa11';
			const view = userView(db, owner)!;
			expect(view.devices.map(d => [d.serialNumber, d.type, d.state, d.lifecycle.map(l => l.eventName)])).toEqual([
				['mfa-dev-authapp-0001', 'identity-center', 'deleted', ['CompleteVirtualMfaDeviceRegistration', 'DeleteMfaDeviceForUser']],
				['mfa-dev-alias-0002', 'identity-center', 'enabled', ['UpdateMfaDeviceForUser']],
			]);
			// The registration start names no device yet.
			expect(view.attempts.map(a => a.eventName)).toEqual(['StartVirtualMfaDeviceRegistration']);
		} finally {
			db.close();
		}
	});
});

describe('look-alike sign-ins', () => {
	it('a WorkSpaces sign-in is not an Identity Center MFA sign-in; a Transfer Family web app sign-in is its own kind', async () => {
		const {db} = await caseWith(shapes('workspaces-transfer.json'));
		try {
			const rows = db.prepare(`SELECT event_name AS name, kind, mfa_used AS mfa, user_name AS user FROM sign_in ORDER BY event_time, event`).all();
			expect(rows).toEqual([
				{name: 'UserAuthentication', kind: 'transfer-family', mfa: 'No', user: 'tfuser'},
				// The challenge and verification carry no LoginTo: the flow's UserAuthentication moves them over.
				{name: 'CredentialChallenge', kind: 'workspaces', mfa: null, user: 'wsuser'},
				{name: 'CredentialVerification', kind: 'workspaces', mfa: null, user: 'wsuser'},
				{name: 'UserAuthentication', kind: 'workspaces', mfa: 'No', user: 'wsuser'},
				// The smart-card flow names no user: nothing to attribute (it is never an Identity Center sign-in).
			]);
			expect(db.prepare(`SELECT count(*) FROM sign_in WHERE kind = 'identity-center'`).pluck().get()).toBe(0);
		} finally {
			db.close();
		}
	});

	it('`aws login` OAuth 2.0 sign-ins are their own kind, with their outcome', async () => {
		const {db} = await caseWith(shapes('oauth2-cli.json'));
		try {
			expect(db.prepare(`SELECT event_name AS name, kind, result FROM sign_in ORDER BY event_time`).all()).toEqual([
				{name: 'AuthorizeOAuth2Access', kind: 'oauth2-cli', result: 'Success'},
				{name: 'CreateOAuth2Token', kind: 'oauth2-cli', result: 'Success'},
				{name: 'CreateOAuth2Token', kind: 'oauth2-cli', result: 'Failure'},
			]);
		} finally {
			db.close();
		}
	});
});

describe('passkeys and security keys', () => {
	it('types u2f serials as FIDO in the user and root forms, and calls a name-based label a guess', async () => {
		const {db} = await caseWith(shapes('passkeys.json'));
		try {
			const label = (serial: string) => deviceView(db, findDevices(db, serial)[0].id)!;
			const a = 'arn:aws:iam::111122223333';
			expect([label(`${a}:u2f/user/anaya/default-AAAAAAAABBBBBBBBCCCCCCCCDD`)].map(d => [d.type, d.typeLabel, d.owner])).toEqual([
				['fido', 'FIDO (passkey or security key)', `${a}:user/anaya`],
			]);
			expect(label(`${a}:u2f/user/anaya/my-passkey-EEEEEEEEFFFFFFFFGGGGGGGGHH`).typeLabel).toBe('FIDO passkey (guessed from its name)');
			expect(label(`${a}:u2f/user/Bob/fidosecuritykey1-7XNL7NFNLZ123456789EXAMPLE`).typeLabel).toBe('FIDO security key (guessed from its name)');
			const root = label(`${a}:u2f/root/testFidoKey-R1234`);
			expect([root.type, root.owner, root.state]).toEqual(['fido', `${a}:root`, 'in-use']);
		} finally {
			db.close();
		}
	});
});

describe('AssumeRoot', () => {
	const fixture = ruleFixture('root-credentials-removed-via-assume-root', 'positive');

	it('an AssumeRoot removal names the caller in the lifecycle, the timeline and --json; an absent call is said to be absent', async () => {
		const {db} = await caseWith(fixture);
		try {
			const device = deviceView(db, findDevices(db, 'arn:aws:iam::222222222222:mfa/root-account-mfa-device')[0].id)!;
			expect(device.lifecycle.map(l => [l.eventName, l.actor, l.actorNote, l.assumeRootCaller])).toEqual([
				['DeactivateMFADevice', 'arn:aws:iam::222222222222:root', 'root session via AssumeRoot by arn:aws:sts::111111111111:assumed-role/JohnDoe/JohnRole1 (task IAMDeleteRootUserCredentials)', 'arn:aws:sts::111111111111:assumed-role/JohnDoe/JohnRole1'],
				['DeleteVirtualMFADevice', 'arn:aws:iam::222222222222:root', 'root session via AssumeRoot by arn:aws:sts::111111111111:assumed-role/JohnDoe/JohnRole1 (task IAMDeleteRootUserCredentials)', 'arn:aws:sts::111111111111:assumed-role/JohnDoe/JohnRole1'],
			]);
			const other = timeline(db, {principalArn: 'arn:aws:iam::333333333333:root'});
			expect(other.map(e => (e.kind === 'lifecycle' ? e.actorNote : null))).toEqual(['AssumeRoot session, caller not in evidence']);
			// The STS expiration, in AssumeRoot's month-name form, read as UTC.
			expect(db.prepare(`SELECT expires_at FROM account_event WHERE role = 'assume-root'`).pluck().get()).toBe('2024-12-03T10:15:00Z');
		} finally {
			db.close();
		}
	});

	it('joins when the management account\'s trail is imported after the member\'s (an incremental refresh)', async () => {
		const dir = tempDir();
		const {Records: records} = JSON.parse(fs.readFileSync(fixture, 'utf8')) as {Records: Row[]};
		const member = path.join(dir, 'member.json');
		const management = path.join(dir, 'management.json');
		fs.writeFileSync(member, JSON.stringify({Records: records.filter(r => r.eventName !== 'AssumeRoot')}));
		fs.writeFileSync(management, JSON.stringify({Records: records.filter(r => r.eventName === 'AssumeRoot')}));
		const {db} = await caseWith(member);
		try {
			const notes = () => db.prepare(`SELECT actor_note FROM lifecycle_event WHERE serial_number LIKE '%222222222222%' ORDER BY event`).pluck().all();
			// Before: the record itself says AssumeRoot (DeactivateMFADevice without userName), not who.
			expect(notes()).toEqual(['AssumeRoot session, caller not in evidence', null]);
			const summary = () => listFindings(db, {rule: 'root-credentials-removed-via-assume-root'}).find(f => f.principal === 'arn:aws:iam::222222222222:root')?.summary;
			expect(summary()).toContain('caller not in evidence');
			await importEvidence(db, [management]);
			// The finding follows: the findings refresh recomputes the principals the join changed.
			expect(summary()).toContain('root session via AssumeRoot by arn:aws:sts::111111111111:assumed-role/JohnDoe/JohnRole1');
			expect(notes()).toEqual([
				'root session via AssumeRoot by arn:aws:sts::111111111111:assumed-role/JohnDoe/JohnRole1 (task IAMDeleteRootUserCredentials)',
				'root session via AssumeRoot by arn:aws:sts::111111111111:assumed-role/JohnDoe/JohnRole1 (task IAMDeleteRootUserCredentials)',
			]);
		} finally {
			db.close();
		}
	});
});
