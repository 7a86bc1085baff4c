import {evidenceCount} from '../../findings/lib.js';
import {terminalSafe} from '../../lib/terminal-text.js';
import type {EvidenceRow, Finding} from '../data.js';
import {accountPair, arnIn, hiddenIn, mainAccount, shortArn, time, type Column, type Pane, type Row, type ScreenModel} from '../model.js';
import {wrapWords} from '../text.js';
import {accountOfArn} from '../../model/principals.js';

/**
 * What a finding names: 'mfa/root-account-mfa-device' when the screen names its account once in
 * the header, else with its account: '123456789012 mfa/root-account-mfa-device'.
 */
export function findingSubject(f: Finding, screenAccount?: string): string {
	const arn = f.serialNumber ?? f.principal;
	const account = accountOfArn(f.serialNumber) ?? accountOfArn(f.principal) ?? '';
	const name = shortArn(arn);
	return account && account !== screenAccount ? `${account} ${name}` : name;
}

/** The account most findings are in: the screen names it once. */
export function findingsAccount(findings: Finding[]): string | undefined {
	return mainAccount(findings.map(f => f.serialNumber ?? f.principal));
}

/**
 * At 80 columns rule and subject show (the summary is on the finding's own view, one Enter away);
 * the triage status goes before the summary.
 */
const columns: Column[] = [
	{title: 'sev', width: 8, fit: true},
	// A rule id is looked up by name (mfatrail findings --rule): wrapped when short of room, never cut.
	{title: 'rule', width: 30, fit: true, id: true},
	{title: 'subject', width: 12, fit: true, id: true},
	{title: 'status', width: 12, fit: true, drop: 2},
	{title: 'summary', width: 20, flex: true, drop: 1, prose: true},
];

/** Every finding row opens the finding's detail view. */
export function findingRow(f: Finding, screenAccount?: string): Row {
	return {
		cells: [f.severity, f.rule, findingSubject(f, screenAccount), f.status, f.summary],
		target: {screen: 'finding', findingId: f.id},
		marker: true,
		hidden: hiddenIn(f.principal, f.serialNumber, f.summary),
		detail: [
			...(f.principal ? [['principal', f.principal] as [string, unknown]] : []),
			...(f.serialNumber ? [['serial', f.serialNumber] as [string, unknown]] : []),
		],
		copy: f.serialNumber ?? f.principal ?? undefined,
		pivots: {principal: f.principal},
		time: f.firstSeen,
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
export function findingsPane(findings: Finding[], screenAccount?: string | null): Pane {
	return {name: `Findings ${findings.length}`, columns, rows: findings.map(f => findingRow(f, screenAccount ?? undefined)), empty: 'no finding'};
}

/**
 * Findings the list screen reads at once: far more than a screen shows, few enough to read within a
 * keystroke at tens of thousands of findings (the rest: `mfatrail findings`, the report).
 */
export const findingsPage = 1000;

/** The findings screen: the first findingsPage findings (or those of one severity) of `total`; Enter opens one. */
export function findingsModel(findings: Finding[], severity?: string, total = findings.length): ScreenModel {
	const account = findingsAccount(findings);
	return {
		screen: 'findings',
		title: severity ? `Findings ${severity}` : 'Findings',
		header: account ? [accountPair(account, findings.map(f => f.serialNumber ?? f.principal))] : [],
		panes: [
			{
				...findingsPane(findings, account),
				...(total > findings.length ? {name: `Findings ${findings.length} of ${total}`, note: `the first ${findings.length} of ${total}: mfatrail findings lists them all`} : {}),
				empty: severity ? `no ${severity} finding` : 'no findings in this case file (or findings have not been computed)',
			},
		],
		export: findingsExport(findings),
	};
}

/**
 * One finding: rule, severity, principal, serial, first and last seen, the summary wrapped to the
 * width (in the header), and its evidence events as a list (Enter opens the Event screen).
 */
export function findingModel(f: Finding, evidence: Map<string, EvidenceRow>, width: number): ScreenModel {
	const summary = wrapWords(terminalSafe(f.summary), Math.max(10, width - 'summary: '.length));
	const shown = arnIn(accountOfArn(f.principal) ?? accountOfArn(f.serialNumber));
	const rows: Row[] = f.eventIds.map(eventId => {
		const e = evidence.get(eventId);
		const actor = e?.actor ?? undefined;
		const key = e?.accessKeyId ?? undefined;
		const ip = e?.sourceIPAddress ?? undefined;
		return {
			cells: [e?.eventTime, e ? (e.eventName ?? '') : 'not in this case file', e?.result ?? '', shown(actor), ip, eventId],
			target: e ? {screen: 'event', eventId} : undefined,
			hidden: hiddenIn(e?.eventName, actor, ip, e?.errorCode, e?.userAgent, eventId),
			detail: [...(actor ? [['actor', actor] as [string, unknown]] : []), ...(key ? [['key', key] as [string, unknown]] : []), ['eventID', eventId]],
			pivots: {principal: actor, key, ip},
			time: e?.eventTime,
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
				['first seen', time(f.firstSeen)],
				['last seen', time(f.lastSeen)],
			],
			// The summary is already escaped (wrapWords cuts escaped text): header values are shown safe.
			...summary.map((line, i): Array<[string, unknown]> => [[i === 0 ? 'summary' : '', {safe: line}]]),
		],
		panes: [
			{
				name: `Evidence ${evidenceCount(f, {noun: false})}`,
				columns: [
					{title: 'time', width: 19, time: true},
					{title: 'event', width: 22, fit: true},
					{title: 'result', width: 12, fit: true},
					{title: 'actor', width: 10, fit: true, id: true},
					{title: 'source IP', width: 9, fit: true, id: true},
					{title: 'eventID', width: 36, id: true, drop: 1},
				],
				rows,
				empty: 'no evidence event',
			},
		],
		export: {name: 'finding', format: 'json', json: f},
		pivots: {principal: f.principal},
		copy: f.serialNumber ?? f.principal ?? undefined,
		timelineSubject: f.principal ? {principalArn: f.principal, label: shortArn(f.principal)} : f.serialNumber ? {deviceSerial: f.serialNumber, label: shortArn(f.serialNumber)} : undefined,
	};
}
