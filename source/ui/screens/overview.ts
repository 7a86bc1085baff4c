import type {CaseSummary, Overview} from '../data.js';
import {sparkline} from '../../lib/sparkline.js';
import {formatTime, type Zone} from '../clock.js';
import {accountOfArn} from '../../model/principals.js';
import {hiddenIn, mainAccount, shortArn, type Column, type Row, type ScreenModel} from '../model.js';
import {findingRow} from './findings.js';

/**
 * The first screen: the lay of the land. The header holds the evidence (sources, span, accounts,
 * regions, verify status, scoped or whole) and a chart of sign-ins over the span; the list holds
 * findings by severity with the top ones, the principals findings name, and devices by state.
 * Every row opens what it names.
 */

/** The chart's labels ('ok 1234  ', 'fail 56  ') take this many columns; the buckets the rest. */
const chartLabel = 11;
/** How many buckets the chart has at this width. */
export const chartBuckets = (width: number): number => Math.max(10, Math.min(200, width - chartLabel));

const columns: Column[] = [
	{title: 'what', width: 30, fit: true},
	{title: 'n', width: 6, fit: true},
	{title: 'subject', width: 10, fit: true, id: true},
	{title: 'about', width: 10, flex: true, drop: 1, prose: true},
];

const heading = (text: string): Row => ({cells: [text], span: true});

/** A list shortened without cutting a value: 'a, b, c (+4 more)'. */
function some(values: string[], max: number): string {
	if (values.length === 0) return '-';
	return values.length <= max ? values.join(', ') : `${values.slice(0, max).join(', ')} (+${values.length - max} more)`;
}

const severityOrder = ['high', 'medium', 'low', 'info'];

export function overviewModel(summary: CaseSummary | undefined, counts: Overview | undefined, zone: Zone): ScreenModel {
	if (!summary) {
		return {
			screen: 'overview',
			title: 'Overview',
			header: counts ? [[['principals', counts.principals], ['devices', counts.devices], ['events', counts.events], ['findings', counts.findings]]] : [[['reading', 'the case file…']]],
			panes: [{name: 'Overview', columns, rows: [], empty: counts ? 'press / to search, F for findings' : 'reading the case file…'}],
			export: {name: 'overview', format: 'json', json: counts ?? null},
		};
	}
	const {inventory: ev, findings, principals, devices, signIns} = summary;
	const subjects = [...findings.top.map(f => f.serialNumber ?? f.principal), ...principals.map(p => p.arn)];
	// The account most rows are in is named once; rows of other accounts name theirs.
	const account = ev.accounts.length === 1 ? ev.accounts[0] : mainAccount(subjects);
	const rows: Row[] = [];
	const count = (s: string) => (findings.bySeverity as Record<string, number>)[s] ?? 0;
	const bySeverity = severityOrder.filter(count).map(s => `${count(s)} ${s}`);
	rows.push(heading(`Findings ${findings.total}${bySeverity.length ? `: ${bySeverity.join(', ')}` : ''}`));
	for (const f of findings.top) {
		const row = findingRow(f, account);
		rows.push({...row, cells: [f.rule, f.severity, row.cells[2], f.summary]});
	}
	for (const s of severityOrder) {
		if (count(s)) rows.push({cells: [`all ${count(s)} ${s}`, '', '', ''], target: {screen: 'findings', severity: s}});
	}
	rows.push(heading(`Principals with findings ${principals.length}`));
	for (const p of principals) {
		// The principal by name (with its account when not the main one); the ARN is in the detail line.
		const pAccount = p.accountId ?? accountOfArn(p.arn);
		const name = p.name ?? shortArn(p.arn);
		rows.push({
			cells: [p.type ?? 'principal', p.findingCount, pAccount && pAccount !== account ? `${pAccount} ${name}` : name, `most severe: ${p.topSeverity}`],
			target: {screen: 'principal', arn: p.arn},
			marker: true,
			detail: [['principal', p.arn]],
			hidden: hiddenIn(p.arn, p.name),
			pivots: {principal: p.arn},
			copy: p.arn,
		});
	}
	const states = Object.entries(devices.byState).sort((a, b) => b[1] - a[1]);
	rows.push(heading(`MFA devices ${devices.total}: ${states.map(([s, n]) => `${n} ${s}`).join(', ') || 'none'}`));
	for (const [state, n] of states) rows.push({cells: [state, n, '', ''], target: {screen: 'devices', state}});

	const span = ev.span.first ? `${formatTime(ev.span.first, zone, false)} .. ${formatTime(ev.span.last, zone, false)}` : 'no events';
	const scope = ev.scope.map(sc => [sc.engine, sc.accounts.join(' '), sc.regions.join(' '), sc.since || sc.until ? `${sc.since ?? '…'}..${sc.until ?? '…'}` : ''].filter(Boolean).join(' ')).join('; ');
	const line = (label: string, values: number[]) => [['', {line: `${label.padEnd(chartLabel)}${sparkline(values)}`}]] as Array<[string, unknown]>;
	const chart: Array<Array<[string, unknown]>> =
		signIns.buckets.length > 0
			? [
					[['sign-ins', `${signIns.total}, ${bucketSpan(signIns.buckets[0])} a column`], ...(ev.accounts.length > 1 && account ? [['main account', `${account} (rows name any other)`] as [string, unknown]] : [])],
					line(`  ok ${signIns.success}`, signIns.buckets.map(b => b.success)),
					line(`  fail ${signIns.failure}`, signIns.buckets.map(b => b.failure)),
				]
			: [[['sign-ins', 'none in the evidence']]];
	return {
		screen: 'overview',
		title: 'Overview',
		header: [
			[
				['sources', ev.sources.total],
				['events', ev.events],
				['span', span],
			],
			[
				['accounts', some(ev.accounts, 6)],
				['regions', some(ev.regions, 8)],
			],
			[
				['verify', ev.verify ? `${ev.verify.ok ? 'ok' : `FAILED (${ev.verify.problems} problems)`} ${formatTime(ev.verify.verifiedAt, zone, false)}` : 'not run (mfatrail verify)'],
				['extract', ev.scoped ? `scoped: ${scope}` : 'whole evidence'],
			],
			...chart,
		],
		panes: [{name: 'Overview', columns, rows, empty: 'nothing in this case file yet: mfatrail import PATH'}],
		export: {name: 'overview', format: 'json', json: summary},
	};
}

/** '3d', '5h', '20m': the width of one chart bucket. */
function bucketSpan(bucket: {start: string; end: string}): string {
	const ms = Date.parse(bucket.end) - Date.parse(bucket.start);
	if (!Number.isFinite(ms) || ms <= 0) return '?';
	const minutes = ms / 60_000;
	if (minutes < 120) return `${Math.round(minutes)}m`;
	if (minutes < 48 * 60) return `${Math.round(minutes / 60)}h`;
	return `${Math.round(minutes / 1440)}d`;
}

