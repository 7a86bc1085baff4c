import {terminalSafe} from '../../lib/terminal-text.js';
import type {EventRecord, Finding} from '../data.js';
import {hiddenIn, shortArn, shortTime, type Column, type Pane, type Row, type ScreenModel} from '../model.js';
import {wrapWords} from '../text.js';
import {accountOfArn} from '../../model/principals.js';

/** The account of an ARN ('arn:aws:iam::123456789012:user/alice' → '123456789012'), else ''. */
/** What a finding names, with its account: '123456789012 mfa/root-account-mfa-device'. */
export function findingSubject(f: Finding): string {
	const arn = f.serialNumber ?? f.principal;
	const account = accountOfArn(f.serialNumber) ?? accountOfArn(f.principal) ?? '';
	const name = shortArn(arn);
	return account ? `${account} ${name}` : name;
}

/**
 * At 80 columns rule and subject show (the summary is on the finding's own view, one Enter away);
 * the triage status goes before the summary.
 */
const columns: Column[] = [
	{title: 'sev', width: 8, fit: true},
	{title: 'rule', width: 30, fit: true},
	{title: 'account / subject', width: 40, fit: true, keep: true},
	{title: 'status', width: 12, fit: true, drop: 2},
	{title: 'summary', width: 20, flex: true, drop: 1},
];

/** Every finding row opens the finding's detail view. */
function findingRow(f: Finding): Row {
	return {
		cells: [f.severity, f.rule, findingSubject(f), f.status, f.summary],
		target: {screen: 'finding', findingId: f.id},
		marker: true,
		hidden: hiddenIn(f.principal, f.serialNumber, f.summary),
	};
}

/** What `e` writes for a list of findings: every field, in full. */
function findingsExport(findings: Finding[]): ScreenModel['export'] {
	return {
		name: 'findings',
		format: 'csv',
		json: findings,
		table: {
			header: ['rule', 'severity', 'principal', 'serialNumber', 'firstSeen', 'lastSeen', 'eventIds', 'summary', 'status', 'note'],
			rows: findings.map(f => [f.rule, f.severity, f.principal, f.serialNumber, f.firstSeen, f.lastSeen, f.eventIds.join(' '), f.summary, f.status, f.note]),
		},
	};
}

/** The findings section of the principal and device screens (rows open the finding). */
export function findingsPane(findings: Finding[]): Pane {
	return {name: `Findings ${findings.length}`, columns, rows: findings.map(findingRow), empty: 'no finding'};
}

/** The findings screen: every finding; Enter opens one. */
export function findingsModel(findings: Finding[]): ScreenModel {
	return {
		screen: 'findings',
		title: 'Findings',
		header: [],
		panes: [{...findingsPane(findings), empty: 'no findings in this case file (or findings have not been computed)'}],
		export: findingsExport(findings),
	};
}

/** A field of the first version of an evidence record ('' when the record is not JSON). */
function field(record: Record<string, unknown> | undefined, name: string): string | undefined {
	const value = record?.[name];
	return typeof value === 'string' ? value : undefined;
}

function parse(record: EventRecord | undefined): Record<string, unknown> | undefined {
	try {
		const value: unknown = record?.versions[0] ? JSON.parse(record.versions[0].record) : undefined;
		return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/**
 * One finding: rule, severity, principal, serial, first and last seen, the summary wrapped to the
 * width (in the header), and its evidence events as a list (Enter opens the Event screen).
 */
export function findingModel(f: Finding, eventFor: (eventId: string) => EventRecord | undefined, width: number): ScreenModel {
	const summary = wrapWords(terminalSafe(f.summary), Math.max(10, width - 'summary: '.length));
	const rows: Row[] = f.eventIds.map(eventId => {
		const record = eventFor(eventId);
		const r = parse(record);
		const identity = r?.userIdentity as Record<string, unknown> | undefined;
		const result = field(r, 'errorCode') ?? (r?.responseElements as Record<string, unknown> | undefined)?.ConsoleLogin;
		return {
			cells: [shortTime(record?.versions[0]?.eventTime ?? field(r, 'eventTime')), field(r, 'eventName') ?? (record ? '' : 'not in this case file'), typeof result === 'string' ? result : '', shortArn(field(identity, 'arn')), field(r, 'sourceIPAddress'), eventId],
			target: record ? {screen: 'event', eventId} : undefined,
			hidden: hiddenIn(field(r, 'eventName'), field(identity, 'arn'), field(r, 'sourceIPAddress'), field(r, 'errorCode'), field(r, 'userAgent'), eventId),
		};
	});
	return {
		screen: 'finding',
		title: `Finding ${f.rule}`,
		header: [
			[
				['rule', f.rule],
				['severity', f.severity],
			],
			[['principal', f.principal ?? '-']],
			[['serial', f.serialNumber ?? '-']],
			[
				['first seen', f.firstSeen],
				['last seen', f.lastSeen],
			],
			// The summary is already escaped (wrapWords cuts escaped text): header values are shown safe.
			...summary.map((line, i): Array<[string, unknown]> => [[i === 0 ? 'summary' : '', {safe: line}]]),
		],
		panes: [
			{
				name: `Evidence ${rows.length}`,
				columns: [
					{title: 'time', width: 19, keep: true},
					{title: 'event', width: 22, fit: true},
					{title: 'result', width: 12, fit: true},
					{title: 'actor', width: 16, flex: true},
					{title: 'source IP', width: 15, fit: true},
					{title: 'eventID', width: 36, drop: 1},
				],
				rows,
				empty: 'no evidence event',
			},
		],
		export: {name: 'finding', format: 'json', json: f},
		timelineSubject: f.principal ? {principalArn: f.principal, label: shortArn(f.principal)} : f.serialNumber ? {deviceSerial: f.serialNumber, label: shortArn(f.serialNumber)} : undefined,
	};
}
