import type {LifecycleEntry, SignInEntry, UserView} from '../../db/queries.js';
import type {Finding} from '../data.js';
import {credentialLabel, mfaSession, shortArn, shortTime, type Column, type Pane, type Row, type ScreenModel} from '../model.js';
import {findingsPane} from './findings.js';

/** Lifecycle columns shared by the principal and device screens. */
export const lifecycleColumns: Column[] = [
	{title: 'time', width: 19},
	{title: 'event', width: 20},
	{title: 'actor', width: 24, flex: true},
	{title: 'cred', width: 7},
	{title: 'MFA', width: 3},
	{title: 'source IP', width: 15, drop: 1},
	{title: 'result', width: 8},
];

export function lifecycleRow(entry: LifecycleEntry, indent = ''): Row {
	return {
		cells: [
			shortTime(entry.eventTime),
			indent + entry.eventName,
			shortArn(entry.actor),
			credentialLabel(entry.credential, entry.accessKeyId),
			mfaSession(entry.mfaAuthenticated, entry.credential),
			entry.sourceIPAddress,
			entry.errorCode ? `${entry.errorCode}` : entry.applied ? 'applied' : 'no-op',
		],
		target: {screen: 'event', eventId: entry.eventId},
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
	};
}

export function principalModel(view: UserView, findings: Finding[], serialFindings: Map<string, number>): ScreenModel {
	const {principal} = view;
	const deviceRows: Row[] = [];
	for (const device of view.devices) {
		deviceRows.push({
			cells: [`device ${device.state}`, device.type, shortArn(device.serialNumber), '', '', '', ''],
			target: {screen: 'device', deviceId: device.deviceId},
			marker: Boolean(serialFindings.get(device.serialNumber)),
		});
		for (const entry of device.lifecycle) deviceRows.push(lifecycleRow(entry, '  '));
	}
	if (view.attempts.length > 0) {
		// Denied calls log no serial: they belong to no device but are part of the story.
		deviceRows.push({cells: ['', 'calls naming no device', '', '', '', '', '']});
		for (const entry of view.attempts) deviceRows.push(lifecycleRow(entry, '  '));
	}
	const failed = view.logins.filter(l => l.result === 'Failure' || l.failedAtMfa).length;
	const panes: Pane[] = [
		{name: `Devices ${view.devices.length}`, columns: lifecycleColumns, rows: deviceRows, empty: 'no MFA device seen for this principal'},
		{name: `Sign-ins ${view.logins.length}`, columns: signInColumns, rows: view.logins.map(signInRow), empty: 'no sign-in seen'},
		findingsPane(findings),
	];
	const now = view.devices.filter(d => d.state !== 'deleted' && d.state !== 'deactivated').length;
	return {
		screen: 'principal',
		title: principal.name ?? principal.arn,
		header: [
			[['ARN', principal.arn]],
			[
				['type', principal.type],
				['account', principal.accountId],
				['devices', `${now} now, ${view.devices.length} over time`],
			],
			[
				['sign-ins', `${view.logins.length} (${failed} failed)`],
				['findings', findings.length ? `${findings.length} !` : 'none'],
			],
		],
		panes,
		export: {name: 'principal', format: 'json', json: {...view, findings}},
		timelineSubject: {principalArn: principal.arn, label: principal.name ?? principal.arn},
	};
}
