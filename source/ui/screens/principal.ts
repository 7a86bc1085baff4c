import type {LifecycleEntry, SignInEntry, UserView} from '../../db/queries.js';
import type {DeviceAt, Finding, Geo, Rollup} from '../data.js';
import {arnIn, credentialLabel, hiddenIn, lifecycleResult, mfaSession, time, yesNo, type Column, type Pane, type Row, type ScreenModel} from '../model.js';
import {findingsPane} from './findings.js';

/** How the screen shows an ARN: relative to its account (named once in the header), else whole. */
export type ArnShown = (arn: string | null | undefined) => string;

/**
 * Lifecycle columns shared by the principal and device screens. At 80 columns all of them show:
 * identifiers (actor, source IP) whole, the time without seconds if need be, and the result
 * (applied, FAILED and its error code) takes what is left.
 */
export const lifecycleColumns: Column[] = [
	{title: 'time', width: 19, time: true},
	{title: 'event', width: 14, fit: true},
	{title: 'actor', width: 10, fit: true, id: true},
	{title: 'cred', width: 5, fit: true},
	{title: 'MFA', width: 3},
	{title: 'source IP', width: 9, fit: true, id: true},
	// FAILED with its error code where there is room: 'FAILED AccessDenied'.
	{title: 'result', width: 7, flex: true},
];

/**
 * A lifecycle call's name without the 'MFADevice' every one of them ends in (EnableMFADevice →
 * Enable): the column then fits at 80 columns. The full name is on the Event screen.
 */
export function lifecycleCall(eventName: string): string {
	return eventName.endsWith('MFADevice') && eventName.length > 'MFADevice'.length ? eventName.slice(0, -'MFADevice'.length) : eventName;
}

/** The whole values of a row that names an actor, key, IP and event: the detail line under the list. */
export function callDetail(e: {actor?: string | null; accessKeyId?: string | null; sourceIPAddress?: string | null; eventId: string; serialNumber?: string | null; userAgent?: string | null}): Array<[string, unknown]> {
	const pairs: Array<[string, unknown]> = [];
	if (e.actor) pairs.push(['actor', e.actor]);
	if (e.serialNumber) pairs.push(['serial', e.serialNumber]);
	if (e.accessKeyId) pairs.push(['key', e.accessKeyId]);
	if (e.sourceIPAddress) pairs.push(['IP', e.sourceIPAddress]);
	pairs.push(['eventID', e.eventId]);
	// The user agent is not an identifier: one line of it at most (the Event screen has it whole).
	if (e.userAgent) pairs.push(['agent', e.userAgent.length > 60 ? `${e.userAgent.slice(0, 59)}…` : e.userAgent]);
	return pairs;
}

export function lifecycleRow(entry: LifecycleEntry, shown: ArnShown, indent = ''): Row {
	return {
		cells: [
			entry.eventTime,
			indent + lifecycleCall(entry.eventName),
			// A root session minted by AssumeRoot: the real caller (the full note is in --json and on the event screen).
			entry.actorNote ? (entry.assumeRootCaller ? `AssumeRoot by ${shown(entry.assumeRootCaller)}` : 'AssumeRoot, caller?') : shown(entry.actor),
			credentialLabel(entry.credential, entry.accessKeyId),
			mfaSession(entry.mfaAuthenticated, entry.credential),
			entry.sourceIPAddress,
			lifecycleResult(entry),
		],
		target: {screen: 'event', eventId: entry.eventId},
		hidden: hiddenIn(entry.eventName, entry.actor, entry.sourceIPAddress, entry.userAgent, entry.errorCode, entry.errorMessage, entry.serialNumber),
		detail: callDetail(entry),
		pivots: {principal: entry.actor, key: entry.accessKeyId, ip: entry.sourceIPAddress},
		time: entry.eventTime,
	};
}

export const signInColumns: Column[] = [
	{title: 'time', width: 19, time: true},
	{title: 'event', width: 15, fit: true},
	{title: 'result', width: 8, fit: true},
	// 'no MFA', or the device's name (its serial is in the detail line): mfa/root-account-mfa-device and
	// mfa/another-device read apart at 80 columns.
	{title: 'MFA device', width: 10, fit: true, id: true},
	{title: 'source IP', width: 9, fit: true, id: true},
	{title: 'user agent', width: 16, flex: true, drop: 1},
];

/** The device a sign-in used, by name: 'mfa/alice-phone' → 'alice-phone' (U2F 'u2f/user/alice/key-1' → 'key-1'). */
export function deviceName(serial: string | null | undefined): string {
	if (!serial) return '';
	const resource = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:(.+)$/.exec(serial)?.[1] ?? serial;
	return resource.slice(resource.lastIndexOf('/') + 1);
}

export function signInRow(entry: SignInEntry): Row {
	const result = entry.failedAtMfa ? 'Fail@MFA' : (entry.result ?? '');
	// A federated sign-in's MFAUsed "No" says nothing (domain/sign-in-mfa.ts): its MFA is at the identity provider.
	const device = entry.mfaIdentifier ? deviceName(entry.mfaIdentifier) : entry.federation ? 'MFA at IdP' : entry.mfaUsed === 'No' ? 'no MFA' : (entry.mfaType ?? (entry.mfaUsed === 'Yes' ? 'MFA (unnamed)' : ''));
	return {
		cells: [entry.eventTime, entry.eventName, result, device, entry.sourceIPAddress, entry.userAgent],
		target: {screen: 'event', eventId: entry.eventId},
		hidden: hiddenIn(entry.eventName, entry.mfaIdentifier, entry.sourceIPAddress, entry.userAgent),
		detail: callDetail({actor: entry.principalArn, serialNumber: entry.mfaIdentifier, sourceIPAddress: entry.sourceIPAddress, eventId: entry.eventId, userAgent: entry.userAgent}),
		pivots: {principal: entry.principalArn, ip: entry.sourceIPAddress},
		time: entry.eventTime,
	};
}

/**
 * Devices the principal has now: enabled, or in use (seen in sign-ins, its enabling not in the
 * evidence). A device only created (its EnableMFADevice denied, or never called) protects nothing.
 */
export function deviceCounts(devices: Array<{state: string}>): {now: number; createdOnly: number} {
	return {now: devices.filter(d => d.state === 'enabled' || d.state === 'in-use').length, createdOnly: devices.filter(d => d.state === 'created').length};
}

/** The roll-up's columns: what (IP, agent, AKIA…), the identifier, a fact, how many, first and last seen. */
const rollupColumns: Column[] = [
	{title: 'what', width: 7, fit: true},
	{title: 'value', width: 5, fit: true, id: true},
	{title: 'about', width: 12, flex: true},
	{title: 'n', width: 5, fit: true},
	{title: 'first', width: 19, time: true},
	{title: 'last', width: 19, time: true, drop: 1},
];

const heading = (text: string): Row => ({cells: [text], span: true});

/**
 * The per-identity roll-up as one list: where and how it was seen (IPs, user agents, access keys
 * with their MFA status), denied calls, sign-ins by result and by device. Rows open the IP, user
 * agent, key or event.
 */
export function rollupPane(r: Rollup, geo: (ip: string) => Geo | undefined): Pane {
	const rows: Row[] = [];
	rows.push(heading(`Source IPs ${r.sourceIPs.length}`));
	for (const ip of r.sourceIPs) {
		const where = geo(ip.ip)?.label ?? '';
		rows.push({cells: ['IP', ip.ip, where, ip.count, ip.firstSeen, ip.lastSeen], target: {screen: 'ip', ip: ip.ip}, detail: [['IP', ip.ip], ...(where ? [['where', where] as [string, unknown]] : [])], hidden: hiddenIn(ip.ip), time: ip.lastSeen});
	}
	rows.push(heading(`User agents ${r.userAgents.length}`));
	for (const ua of r.userAgents) {
		rows.push({cells: ['agent', '', ua.userAgent, ua.count, ua.firstSeen, ua.lastSeen], target: {screen: 'user-agent', userAgent: ua.userAgent}, detail: [['agent', ua.userAgent]], hidden: hiddenIn(ua.userAgent), copy: ua.userAgent, time: ua.lastSeen ?? undefined});
	}
	rows.push(heading(`Access keys ${r.keys.length}`));
	for (const k of r.keys) {
		const kind = k.accessKeyId.slice(0, 4) === 'AKIA' || k.accessKeyId.slice(0, 4) === 'ASIA' ? k.accessKeyId.slice(0, 4) : k.kind;
		rows.push({cells: [kind, k.accessKeyId, `MFA ${k.mfaAuthenticated === null ? (k.kind === 'long-term' ? 'no' : '?') : yesNo(k.mfaAuthenticated)}${k.denied ? `, ${k.denied} denied` : ''}`, k.count, k.firstSeen, k.lastSeen], target: {screen: 'key', accessKeyId: k.accessKeyId}, detail: [['key', k.accessKeyId]], hidden: hiddenIn(k.accessKeyId), time: k.lastSeen ?? undefined});
	}
	rows.push(heading(`Denied calls ${r.deniedCount}${r.denied.length < r.deniedCount ? ` (newest ${r.denied.length})` : ''}`));
	for (const d of r.denied) {
		rows.push({
			cells: ['denied', '', `${d.eventName} ${d.errorCode ?? ''}`.trim(), '', d.eventTime, ''],
			target: {screen: 'event', eventId: d.eventId},
			detail: [['call', `${d.eventSource ?? ''} ${d.eventName ?? ''}`.trim()], ['IP', d.sourceIPAddress], ['eventID', d.eventId]],
			hidden: hiddenIn(d.eventName, d.errorCode, d.sourceIPAddress),
			pivots: {ip: d.sourceIPAddress},
			time: d.eventTime,
		});
	}
	rows.push(heading('Sign-ins by result and by device'));
	for (const b of r.signIns.byResult) rows.push({cells: ['sign-in', '', b.result, b.count, '', '']});
	for (const d of r.signIns.byDevice) {
		rows.push({cells: ['device', d.mfaIdentifier ? deviceName(d.mfaIdentifier) : 'no MFA', `${d.success} ok, ${d.failure} failed`, d.success + d.failure, '', ''], detail: d.mfaIdentifier ? [['serial', d.mfaIdentifier]] : undefined, copy: d.mfaIdentifier ?? undefined, hidden: hiddenIn(d.mfaIdentifier)});
	}
	return {name: 'Roll-up', columns: rollupColumns, rows, empty: 'nothing seen for this principal'};
}

const atColumns: Column[] = [
	{title: 'device', width: 10, fit: true, id: true},
	{title: 'state at T', width: 13, fit: true},
	{title: 'type', width: 8, fit: true},
	{title: 'enabled', width: 19, time: true},
	{title: 'now', width: 12, flex: true},
];

/** Devices at a moment: which MFA devices the principal had at T, and in which state. */
export function devicesAtPane(moment: string, devices: DeviceAt[], shown: ArnShown): Pane {
	return {
		name: `At ${moment.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, '')}`,
		columns: atColumns,
		rows: devices.map(d => ({
			cells: [shown(d.serialNumber), d.stateAt === 'start-unknown' ? 'enabled (start unknown)' : d.stateAt, d.type, d.enabledAt, d.state],
			target: {screen: 'device', deviceId: d.id},
			detail: [['serial', d.serialNumber]],
			hidden: hiddenIn(d.serialNumber),
		})),
		empty: 'no MFA device assigned at that moment',
	};
}

export interface PrincipalExtras {
	rollup?: Rollup;
	/** Where an IP is (country and ASN, or what it is). */
	geo?: (ip: string) => Geo | undefined;
	/** Devices at a moment (`@`): shown as the first pane. */
	at?: {moment: string; devices: DeviceAt[]};
}

export function principalModel(view: UserView, findings: Finding[], serialFindings: Map<string, number>, extras: PrincipalExtras = {}): ScreenModel {
	const {principal} = view;
	const shown = arnIn(principal.accountId);
	const deviceRows: Row[] = [];
	for (const device of view.devices) {
		deviceRows.push({
			cells: [`device ${device.state}`, shown(device.serialNumber), device.type],
			span: true,
			target: {screen: 'device', deviceId: device.deviceId},
			marker: Boolean(serialFindings.get(device.serialNumber)),
			hidden: hiddenIn(device.serialNumber),
			detail: [['serial', device.serialNumber]],
			copy: device.serialNumber,
		});
		for (const entry of device.lifecycle) deviceRows.push(lifecycleRow(entry, shown, ' '));
	}
	if (view.attempts.length > 0) {
		// Denied calls log no serial: they belong to no device but are part of the story.
		deviceRows.push({cells: ['calls naming no device (a denied call logs no serial)'], span: true});
		for (const entry of view.attempts) deviceRows.push(lifecycleRow(entry, shown, ' '));
	}
	const failed = view.logins.filter(l => l.result === 'Failure' || l.failedAtMfa).length;
	const panes: Pane[] = [
		...(extras.at ? [devicesAtPane(extras.at.moment, extras.at.devices, shown)] : []),
		{name: `Devices ${view.devices.length}`, columns: lifecycleColumns, rows: deviceRows, empty: 'no MFA device seen for this principal'},
		{name: `Sign-ins ${view.logins.length}`, columns: signInColumns, rows: view.logins.map(signInRow), empty: 'no sign-in seen'},
		findingsPane(findings, principal.accountId),
		...(extras.rollup ? [rollupPane(extras.rollup, extras.geo ?? (() => undefined))] : []),
	];
	const {now, createdOnly} = deviceCounts(view.devices);
	const r = extras.rollup;
	return {
		screen: 'principal',
		title: principal.name ?? principal.arn,
		header: [
			[['ARN', principal.arn]],
			[
				['type', principal.type],
				['account', principal.accountId],
				['findings', findings.length ? `${findings.length} !` : 'none'],
			],
			[
				['devices', `${now} now${createdOnly ? `, ${createdOnly} created not enabled` : ''}, ${view.devices.length} over time`],
				['sign-ins', `${view.logins.length} (${failed} failed)`],
			],
			...(r ? [rollupHeader(r)] : []),
		],
		panes,
		export: {name: 'principal', format: 'json', json: {...view, findings, rollup: extras.rollup, devicesAt: extras.at}},
		timelineSubject: {principalArn: principal.arn, label: principal.name ?? principal.arn},
		pivots: {principal: principal.arn},
		copy: principal.arn,
	};
}

/** The roll-up's one header line: first and last seen, accounts, regions (each value whole). */
export function rollupHeader(r: Rollup): Array<[string, unknown]> {
	return [
		['first', time(r.firstSeen)],
		['last', time(r.lastSeen)],
		['accounts', r.accounts.join(', ') || '-'],
		['regions', r.regions.join(', ') || '-'],
	];
}
