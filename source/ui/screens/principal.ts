import type {LifecycleEntry, SignInEntry, UserView} from '../../db/queries.js';
import type {Finding} from '../data.js';
import {credentialLabel, hiddenIn, lifecycleResult, mfaSession, shortArn, shortTime, type Column, type Pane, type Row, type ScreenModel} from '../model.js';
import {findingsPane} from './findings.js';

/**
 * Lifecycle columns shared by the principal and device screens. At 80 columns all of them show:
 * the narrow ones fit their content (an IPv4 address, AKIA/ASIA, yes/no, the actor) and the
 * result (applied, FAILED and its error code) takes what is left.
 */
export const lifecycleColumns: Column[] = [
	{title: 'time', width: 19, keep: true},
	{title: 'event', width: 24, fit: true},
	{title: 'actor', width: 30, fit: true},
	{title: 'cred', width: 5, fit: true},
	{title: 'MFA', width: 3},
	{title: 'source IP', width: 15, fit: true},
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

export function lifecycleRow(entry: LifecycleEntry, indent = ''): Row {
	return {
		cells: [
			shortTime(entry.eventTime),
			indent + lifecycleCall(entry.eventName),
			// A root session minted by AssumeRoot: the real caller (the full note is in --json and on the event screen).
			entry.actorNote ? (entry.assumeRootCaller ? `AssumeRoot by ${shortArn(entry.assumeRootCaller)}` : 'AssumeRoot, caller?') : shortArn(entry.actor),
			credentialLabel(entry.credential, entry.accessKeyId),
			mfaSession(entry.mfaAuthenticated, entry.credential),
			entry.sourceIPAddress,
			lifecycleResult(entry),
		],
		target: {screen: 'event', eventId: entry.eventId},
		hidden: hiddenIn(entry.eventName, entry.actor, entry.sourceIPAddress, entry.userAgent, entry.errorCode, entry.errorMessage, entry.serialNumber),
	};
}

export const signInColumns: Column[] = [
	{title: 'time', width: 19},
	{title: 'event', width: 12},
	{title: 'result', width: 8},
	{title: 'MFA', width: 3},
	{title: 'device', width: 22, flex: true},
	{title: 'source IP', width: 15},
	{title: 'user agent', width: 16, drop: 1},
];

export function signInRow(entry: SignInEntry): Row {
	const result = entry.failedAtMfa ? 'Fail@MFA' : (entry.result ?? '');
	return {
		cells: [shortTime(entry.eventTime), entry.eventName, result, entry.mfaUsed ?? '', shortArn(entry.mfaIdentifier) || entry.mfaType, entry.sourceIPAddress, entry.userAgent],
		target: {screen: 'event', eventId: entry.eventId},
		hidden: hiddenIn(entry.eventName, entry.mfaIdentifier, entry.sourceIPAddress, entry.userAgent),
	};
}

/**
 * Devices the principal has now: enabled, or in use (seen in sign-ins, its enabling not in the
 * evidence). A device only created (its EnableMFADevice denied, or never called) protects nothing.
 */
export function deviceCounts(devices: Array<{state: string}>): {now: number; createdOnly: number} {
	return {now: devices.filter(d => d.state === 'enabled' || d.state === 'in-use').length, createdOnly: devices.filter(d => d.state === 'created').length};
}

export function principalModel(view: UserView, findings: Finding[], serialFindings: Map<string, number>): ScreenModel {
	const {principal} = view;
	const deviceRows: Row[] = [];
	for (const device of view.devices) {
		deviceRows.push({
			cells: [`device ${device.state}`, shortArn(device.serialNumber), device.type],
			span: true,
			target: {screen: 'device', deviceId: device.deviceId},
			marker: Boolean(serialFindings.get(device.serialNumber)),
			hidden: hiddenIn(device.serialNumber),
		});
		for (const entry of device.lifecycle) deviceRows.push(lifecycleRow(entry, ' '));
	}
	if (view.attempts.length > 0) {
		// Denied calls log no serial: they belong to no device but are part of the story.
		deviceRows.push({cells: ['calls naming no device (a denied call logs no serial)'], span: true});
		for (const entry of view.attempts) deviceRows.push(lifecycleRow(entry, ' '));
	}
	const failed = view.logins.filter(l => l.result === 'Failure' || l.failedAtMfa).length;
	const panes: Pane[] = [
		{name: `Devices ${view.devices.length}`, columns: lifecycleColumns, rows: deviceRows, empty: 'no MFA device seen for this principal'},
		{name: `Sign-ins ${view.logins.length}`, columns: signInColumns, rows: view.logins.map(signInRow), empty: 'no sign-in seen'},
		findingsPane(findings),
	];
	const {now, createdOnly} = deviceCounts(view.devices);
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
		],
		panes,
		export: {name: 'principal', format: 'json', json: {...view, findings}},
		timelineSubject: {principalArn: principal.arn, label: principal.name ?? principal.arn},
	};
}
