import type {DeviceRow, Geo, IpView, KeyCall, KeyView, UserAgentView} from '../data.js';
import {accountPair, arnIn, hiddenIn, mainAccount, time, yesNo, type Column, type Row, type ScreenModel} from '../model.js';
import {signInColumns, signInRow} from './principal.js';

/**
 * The pivot screens a responder opens next: an access key (owner, where it was minted, MFA, every
 * call it made), a source IP (principals and sign-ins from it), a user agent (who used it, when).
 */

const callColumns: Column[] = [
	{title: 'time', width: 19, time: true},
	{title: 'call', width: 24, fit: true},
	{title: 'result', width: 20, fit: true},
	{title: 'source IP', width: 9, fit: true, id: true},
	{title: 'region', width: 14, fit: true, drop: 2},
	{title: 'user agent', width: 10, flex: true, drop: 1},
];

function callRow(c: KeyCall): Row {
	return {
		cells: [c.eventTime, c.eventName ?? '', c.denied ? `DENIED ${c.errorCode ?? ''}`.trim() : (c.errorCode ?? 'ok'), c.sourceIPAddress, c.awsRegion, c.userAgent],
		target: {screen: 'event', eventId: c.eventId},
		hidden: hiddenIn(c.eventName ?? '', c.sourceIPAddress, c.userAgent, c.errorCode, c.eventSource),
		detail: [
			['call', `${c.eventSource ?? ''} ${c.eventName ?? ''}`.trim()],
			['IP', c.sourceIPAddress],
			['eventID', c.eventId],
		],
		// K from a call opens the key this one was minted with (the screen's), not itself again.
		pivots: {ip: c.sourceIPAddress},
		time: c.eventTime,
	};
}

/** The call that minted the key, above its own calls (Enter opens it). */
function mintRow(view: KeyView): Row {
	const m = view.minted;
	return {
		cells: [`minted by ${m.how}${m.by ? ` of ${m.by}` : ''}${m.eventTime ? ` at ${m.eventTime.replace('T', ' ').replace('Z', '')}` : ''}`],
		span: true,
		target: {screen: 'event', eventId: m.eventId!},
		detail: [...(m.by ? [['by', m.by] as [string, unknown]] : []), ...(m.byAccessKeyId ? [['key', m.byAccessKeyId] as [string, unknown]] : []), ['eventID', m.eventId]],
		pivots: {principal: m.by, key: m.byAccessKeyId, ip: m.sourceIPAddress},
		time: m.eventTime ?? undefined,
		copy: m.eventId ?? undefined,
	};
}

/** Calls shown per page; moving past the last row reads the next page. */
export const keyPage = 500;

export function keyModel(view: KeyView, calls: KeyCall[], more: boolean): ScreenModel {
	const minted = view.minted;
	const how = minted.how === 'long-term' ? 'long-term key (IAM user access key)' : minted.how;
	return {
		screen: 'key',
		title: `Key ${view.accessKeyId}`,
		header: [
			[
				['key', view.accessKeyId],
				['kind', view.kind],
				['MFA-authenticated', view.mfaAuthenticated === null ? (view.kind === 'long-term' ? 'no (long-term key)' : 'unknown') : yesNo(view.mfaAuthenticated)],
			],
			[['owner', view.owner ?? 'unknown']],
			[
				['minted', how],
				...(minted.eventTime ? [['at', time(minted.eventTime)] as [string, unknown]] : []),
				...(minted.sourceIPAddress ? [['from', minted.sourceIPAddress] as [string, unknown]] : []),
				['told by', minted.basis],
			],
			...(minted.by || minted.byAccessKeyId ? [[...(minted.by ? [['by', minted.by] as [string, unknown]] : []), ...(minted.byAccessKeyId ? [['with key', minted.byAccessKeyId] as [string, unknown]] : [])]] : []),
			...(minted.mfaSerial ? [[['MFA device', minted.mfaSerial] as [string, unknown]]] : []),
			[
				['first', time(view.firstSeen)],
				['last', time(view.lastSeen)],
				['calls', `${view.callCount} (${view.deniedCount} denied)`],
			],
		],
		panes: [
			{
				name: `Calls ${view.callCount}`,
				columns: callColumns,
				rows: [...(minted.eventId ? [mintRow(view)] : []), ...calls.map(callRow)],
				empty: 'no call made with this key in the evidence',
				note: more ? `first ${calls.length}: G or ↓ at the end reads more` : undefined,
			},
		],
		export: {name: 'key', format: 'csv', json: {...view, calls}, table: {header: ['eventTime', 'eventSource', 'eventName', 'denied', 'errorCode', 'sourceIPAddress', 'awsRegion', 'userAgent', 'eventId'], rows: calls.map(c => [c.eventTime, c.eventSource, c.eventName, c.denied ? 'yes' : 'no', c.errorCode, c.sourceIPAddress, c.awsRegion, c.userAgent, c.eventId])}},
		pivots: {principal: view.owner, key: minted.byAccessKeyId, ip: minted.sourceIPAddress},
		copy: view.accessKeyId,
	};
}

const whoColumns: Column[] = [
	{title: 'principal', width: 10, fit: true, id: true},
	{title: 'events', width: 6, fit: true},
	{title: 'first', width: 19, time: true},
	{title: 'last', width: 19, time: true},
];

function principalRows(principals: Array<{arn: string | null; count: number; firstSeen: string | null; lastSeen: string | null}>, shown: (arn: string) => string): Row[] {
	return principals.map(p => ({
		// Calls without an identity ARN (a service, an anonymous request) have no principal to open.
		cells: [p.arn ? shown(p.arn) : '(no identity ARN)', p.count, p.firstSeen, p.lastSeen],
		target: p.arn ? {screen: 'principal', arn: p.arn} : undefined,
		detail: p.arn ? [['principal', p.arn]] : undefined,
		hidden: hiddenIn(p.arn),
		pivots: {principal: p.arn},
		time: p.lastSeen ?? undefined,
	}));
}

export function ipModel(view: IpView, geo: Geo | undefined): ScreenModel {
	const account = mainAccount(view.principals.map(p => p.arn));
	const shown = arnIn(account);
	const cidr = view.addresses.length !== 1 || view.addresses[0] !== view.ip;
	return {
		screen: 'ip',
		title: `IP ${view.ip}`,
		header: [
			[
				[cidr ? 'range' : 'IP', view.ip],
				...(cidr ? [['addresses', view.addresses.length] as [string, unknown]] : [['where', geo?.label || 'unknown (no offline data for it)'] as [string, unknown]]),
			],
			[
				['first', time(view.firstSeen)],
				['last', time(view.lastSeen)],
				['events', view.eventCount],
				...accountPair(account, view.principals.map(p => p.arn)),
			],
		],
		panes: [
			{
				name: `Principals ${view.principalCount}`,
				columns: whoColumns,
				rows: principalRows(view.principals, shown),
				empty: 'no principal seen from this address',
				note: view.principalCount > view.principals.length ? `the ${view.principals.length} with most calls of ${view.principalCount}` : undefined,
			},
			{
				name: `Sign-ins ${view.signInCount}`,
				columns: signInColumns,
				rows: view.signIns.map(signInRow),
				empty: 'no sign-in from this address',
				note: view.signInCount > view.signIns.length ? `the first ${view.signIns.length} of ${view.signInCount}` : undefined,
			},
		],
		export: {name: 'ip', format: 'json', json: view},
		pivots: {ip: view.ip},
		copy: view.ip,
	};
}

export function userAgentModel(view: UserAgentView): ScreenModel {
	const account = mainAccount(view.principals.map(p => p.arn));
	return {
		screen: 'user-agent',
		title: `Agent ${view.userAgent}`,
		header: [
			[['user agent', view.userAgent]],
			[
				['first', time(view.firstSeen)],
				['last', time(view.lastSeen)],
				['events', view.eventCount],
				...accountPair(account, view.principals.map(p => p.arn)),
			],
		],
		panes: [
			{
				name: `Principals ${view.principals.length}${view.more ? '+' : ''}`,
				columns: whoColumns,
				rows: principalRows(view.principals, arnIn(account)),
				empty: 'no principal used this user agent',
				note: view.more ? `the first ${view.principals.length} principals (ARN order); mfatrail agent --json pages on` : undefined,
			},
		],
		export: {name: 'user-agent', format: 'json', json: view},
		copy: view.userAgent,
	};
}

/** Devices in one state (from the overview's "devices by state" lines). */
export function devicesModel(state: string, devices: DeviceRow[]): ScreenModel {
	const account = mainAccount(devices.map(d => d.ownerArn ?? d.serialNumber));
	const shown = arnIn(account);
	return {
		screen: 'devices',
		title: `Devices ${state}`,
		header: [[['state', state], ...accountPair(account, devices.map(d => d.ownerArn ?? d.serialNumber))]],
		panes: [
			{
				name: `Devices ${devices.length}`,
				columns: [
					{title: 'serial', width: 10, fit: true, id: true},
					{title: 'type', width: 8, fit: true},
					{title: 'owner', width: 10, fit: true, id: true},
					{title: 'last used', width: 19, time: true, drop: 2},
				],
				rows: devices.map(d => ({
					cells: [shown(d.serialNumber), d.type, shown(d.ownerArn) || 'unknown', d.lastUsed],
					target: {screen: 'device', deviceId: d.id},
					marker: d.findingCount > 0,
					detail: [['serial', d.serialNumber], ...(d.ownerArn ? [['owner', d.ownerArn] as [string, unknown]] : [])],
					hidden: hiddenIn(d.serialNumber, d.ownerArn),
					copy: d.serialNumber,
					pivots: {principal: d.ownerArn},
				})),
				empty: `no device ${state}`,
			},
		],
		export: {name: 'devices', format: 'json', json: devices},
	};
}
