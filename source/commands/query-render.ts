/** Human renderings shared by the query commands: aligned columns within 80 terminal columns. */
import type {LifecycleEntry, SignInEntry} from '../db/queries.js';
import {displayWidth, safe, truncate} from '../lib/terminal-text.js';
import {table, wrapText} from './query-common.js';

export {wrapText};

/** '2024-03-01T10:00:00Z' → '2024-03-01 10:00:00' (all times are UTC; headers say so). */
export function shortTime(time: string | null): string {
	return time ? time.replace('T', ' ').replace(/Z$/, '') : '';
}

export function credentialLabel(credential: string): string {
	return credential === 'long-term' ? 'key' : credential === 'temporary' ? 'session' : credential === 'console' ? 'console' : '?';
}

export function outcome(entry: {applied: boolean; errorCode: string | null}): string {
	return entry.errorCode ? `FAILED ${entry.errorCode}` : entry.applied ? 'applied' : '';
}

/** One lifecycle call per two lines: the aligned facts, then who and from where. */
export function lifecycleTable(entries: LifecycleEntry[], indent = '  '): string {
	if (entries.length === 0) return `${indent}(no lifecycle calls in the evidence)`;
	const lines = table(
		['TIME (UTC)', 'EVENT', 'RESULT', 'CRED', 'MFA'],
		entries.map(e => [shortTime(e.eventTime), e.eventName, outcome(e), credentialLabel(e.credential), e.mfaAuthenticated === null ? '' : e.mfaAuthenticated ? 'yes' : 'no']),
		[19, 22, 19, 7, 3],
	).split('\n');
	const out = [indent + lines[0]];
	entries.forEach((e, i) => {
		out.push(indent + lines[i + 1]);
		// Who, with which key, from where: wrapped, never cut. The user agent gives way: it takes
		// what is left of the last line (cut there if it must), or a line of its own.
		const who = [`by ${safe(principalLabel(e.actor) || 'unknown')}`, e.accessKeyId ? `key ${safe(e.accessKeyId)}` : '', e.sourceIPAddress ? `from ${safe(e.sourceIPAddress)}` : '']
			.filter(Boolean)
			.join(' ');
		const whoLines = wrapText(who, 80, `${indent}    `);
		if (e.userAgent) {
			const last = whoLines[whoLines.length - 1];
			const room = 80 - displayWidth(last) - 3;
			if (room >= 16) whoLines[whoLines.length - 1] = `${last} (${truncate(safe(e.userAgent), room)})`;
			else whoLines.push(`${indent}    (${truncate(safe(e.userAgent), 80 - indent.length - 6)})`);
		}
		out.push(...whoLines);
		// The note names the real caller by its full ARN: wrapped, never cut.
		if (e.actorNote) out.push(...wrapText(`actor: ${safe(e.actorNote)}`, 80, `${indent}    `));
		if (!e.serialNumber && e.cliCommand) out.push(`${indent}    serial not logged; client command ${safe(e.cliCommand)}`);
	});
	return out.join('\n');
}

/** The device part of a sign-in: the name after mfa/ or u2f/…/, else the identifier. */
export function deviceLabel(identifier: string | null): string {
	if (!identifier) return '';
	const m = /:(?:mfa|u2f)\/(.*)$/.exec(identifier);
	return m ? m[1].split('/').pop() || identifier : identifier;
}

export function signInResult(s: SignInEntry): string {
	return s.failedAtMfa ? 'Failure@MFA' : s.result ?? '';
}

/** The step of a look-alike sign-in: WorkSpaces and Transfer Family write Identity Center's step names. */
const kindPrefixes: Record<string, string> = {workspaces: 'ws-', 'transfer-family': 'tf-'};

/** A sign-in step by its kind: 'ws-auth' for a WorkSpaces UserAuthentication, 'cli-login' for `aws login`. */
export function signInStepLabel(s: {eventName: string; kind: string}): string {
	if (s.kind === 'oauth2-cli') return s.eventName === 'AuthorizeOAuth2Access' ? 'cli-auth' : 'cli-token';
	const prefix = kindPrefixes[s.kind];
	return prefix ? prefix + signInLabel(s.eventName).replace(/^idc-/, '') : signInLabel(s.eventName);
}

const eventLabels: Record<string, string> = {
	ConsoleLogin: 'console',
	CheckMfa: 'mfa-check',
	GetSessionToken: 'sts-token',
	AssumeRole: 'sts-role',
	CredentialChallenge: 'idc-challenge',
	CredentialVerification: 'idc-verify',
	UserAuthentication: 'idc-auth',
	CreateVirtualMFADevice: 'create',
	EnableMFADevice: 'enable',
	ResyncMFADevice: 'resync',
	DeactivateMFADevice: 'deactivate',
	DeleteVirtualMFADevice: 'delete',
};

/** A sign-in step or lifecycle call in about 10 columns, whole (idc-challenge is 13; the full eventName is in --json and --csv). */
export function signInLabel(eventName: string): string {
	return eventLabels[eventName] ?? eventName;
}

/** What the sign-in says about MFA: the device name, else MFAUsed, else the MFA type. */
export function mfaLabel(s: {mfaIdentifier: string | null; mfaUsed: string | null; mfaType: string | null; federation?: string | null}): string {
	// A federated sign-in's MFAUsed "No" says nothing: its MFA happened at the identity provider.
	if (s.federation) return 'at IdP';
	return deviceLabel(s.mfaIdentifier) || s.mfaUsed || s.mfaType || '';
}

/**
 * Sign-ins in columns within 80 terminal columns. Listing several principals leaves out the
 * source address (it is in --user views, --json and --csv).
 */
export function signInTable(entries: SignInEntry[], options: {principal?: boolean; indent?: string} = {}): string {
	const indent = options.indent ?? '';
	if (entries.length === 0) return `${indent}(no sign-ins in the evidence)`;
	const lines = options.principal
		? table(
				['TIME (UTC)', 'WHO', 'STEP', 'RESULT', 'MFA / DEVICE'],
				entries.map(s => [shortTime(s.eventTime), principalLabel(s.principalArn), signInStepLabel(s), signInResult(s), mfaLabel(s)]),
				[19, 17, 10, 11, 15],
			)
		: table(
				['TIME (UTC)', 'STEP', 'RESULT', 'MFA / DEVICE', 'SOURCE IP'],
				entries.map(s => [shortTime(s.eventTime), signInStepLabel(s), signInResult(s), mfaLabel(s), s.sourceIPAddress]),
				[19, 10, 11, 14, 15],
			);
	return lines
		.split('\n')
		.map(l => indent + l)
		.join('\n');
}

/** 'arn:aws:iam::111122223333:user/alice' → 'alice'; root → 'root@111122223333'. */
export function principalLabel(arn: string | null): string {
	if (!arn) return '';
	const m = /^arn:[^:]+:[^:]*:[^:]*:(\d*):(.*)$/.exec(arn);
	if (!m) return arn;
	if (m[2] === 'root') return `root@${m[1]}`;
	return m[2].split('/').pop() || arn;
}
