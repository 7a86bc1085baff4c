import {UsageError} from '../lib/errors.js';
import {caseSummary, type CaseSummary} from '../findings/summary.js';
import {publicFinding} from '../findings/queries.js';
import {safe} from '../lib/terminal-text.js';
import {resample, sparkline} from '../lib/sparkline.js';
import {dbFlag, jsonFlag, type Command} from './command.js';
import {openForQuery, out, printJson} from './query-common.js';
import {principalLabel, shortTime, wrapText} from './query-render.js';

const number = (n: number) => n.toLocaleString('en');

/** Words after a label, wrapped at 80 columns under the label's indent (identifiers never cut). */
function labelled(label: string, text: string): string[] {
	const indent = ' '.repeat(11);
	const lines = wrapText(text, 80, indent);
	if (lines.length === 0) return [label];
	return [`${label.padEnd(11)}${lines[0].slice(indent.length)}`, ...lines.slice(1)];
}

/** The human form: the overview screen's content, within 80 columns, every identifier whole. */
export function formatSummary(s: CaseSummary, caseFile: string): string {
	const inv = s.inventory;
	const lines: string[] = [];
	lines.push(...labelled('Case file', safe(caseFile)));
	lines.push(
		...labelled(
			'Evidence',
			`${number(inv.sources.total)} sources${inv.sources.digests ? ` (${number(inv.sources.digests)} digests)` : ''}, ${number(inv.events)} events, ${number(inv.rejections)} rejected`,
		),
	);
	if (inv.unreadableModelRows.length > 0) {
		const ids = inv.unreadableModelRows;
		lines.push(
			...wrapText(
				`UNREADABLE: ${number(ids.length)} MFA row${ids.length === 1 ? '' : 's'} of the case file could not be read and ${ids.length === 1 ? 'is' : 'are'} not in the model (event row${ids.length === 1 ? '' : 's'} ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''}); mfatrail verify`,
				80,
				'           ',
			).map((l, i) => (i === 0 ? l.trimStart() : l)),
		);
	}
	lines.push(...labelled('Span (UTC)', inv.span.first ? `${shortTime(inv.span.first)} … ${shortTime(inv.span.last)}` : 'no events'));
	lines.push(...labelled(`Accounts`, inv.accounts.length ? `(${inv.accounts.length}) ${inv.accounts.map(safe).join(' ')}` : 'none'));
	lines.push(...labelled('Regions', inv.regions.length ? `(${inv.regions.length}) ${inv.regions.map(safe).join(' ')}` : 'none'));
	const v = inv.verify;
	const stale = v && v.sources !== inv.sources.total ? `; ${number(inv.sources.total - v.sources)} sources imported since` : '';
	lines.push(
		...labelled(
			'Verified',
			v
				? `${v.ok ? 'all checks hold' : `FAILED, ${v.problems} problem${v.problems === 1 ? '' : 's'}`} at ${shortTime(v.verifiedAt.replace(/\.\d+Z$/, 'Z'))} UTC (${safe(v.digestStatus)})${stale}`
				: 'never (run mfatrail verify)',
		),
	);
	lines.push(
		...labelled(
			'Scope',
			inv.scoped
				? `scoped extract: ${inv.scope.map(e => `${safe(e.engine)} ${e.accounts.map(safe).join(' ') || 'all accounts'} ${e.regions.map(safe).join(' ') || 'all regions'} ${e.since ? shortTime(e.since) : '…'} to ${e.until ? shortTime(e.until) : '…'}`).join('; ')}`
				: 'whole evidence (not a scoped extract)',
		),
	);
	lines.push('');
	const f = s.findings;
	lines.push(`Findings (${number(f.total)}): high ${f.bySeverity.high}, medium ${f.bySeverity.medium}, low ${f.bySeverity.low}, info ${f.bySeverity.info}`);
	for (const finding of f.top) {
		lines.push(`  ${finding.severity.toUpperCase().padEnd(6)} ${safe(finding.rule)}  ${shortTime(finding.firstSeen)}`);
		if (finding.principal) lines.push(...wrapText(safe(finding.principal), 80, '         '));
		if (finding.serialNumber) lines.push(...wrapText(safe(finding.serialNumber), 80, '         '));
	}
	if (f.total > f.top.length) lines.push(`  … ${number(f.total - f.top.length)} more: mfatrail findings`);
	lines.push('');
	lines.push(`Principals with findings (${s.principals.length}${s.principals.length >= 20 ? '+' : ''})`);
	for (const p of s.principals) {
		lines.push(`  ${p.topSeverity.toUpperCase().padEnd(6)} ${String(p.findingCount).padStart(4)}  ${safe(principalLabel(p.arn))}`);
		lines.push(...wrapText(safe(p.arn), 80, '              '));
	}
	lines.push('');
	const states = Object.entries(s.devices.byState).map(([state, n]) => `${safe(state)} ${number(n)}`);
	lines.push(...labelled(`Devices`, `${number(s.devices.total)}${states.length ? `: ${states.join(', ')}` : ''}`));
	const a = s.signIns;
	lines.push(...labelled('Sign-ins', `${number(a.total)}: ${number(a.success)} succeeded, ${number(a.failure)} failed`));
	if (a.buckets.length > 0 && a.total > 0) {
		// Each row on its own scale (a burst of failures must show beside thousands of successes); its peak is named.
		// Slices are summed in pairs or more when the chart would pass 80 columns.
		const ok = a.buckets.map(b => b.success);
		const failed = a.buckets.map(b => b.failure);
		const peakWidth = Math.max(...[ok, failed].map(v => `  peak ${number(Math.max(...v))}`.length));
		const width = Math.min(a.buckets.length, 80 - 9 - peakWidth);
		const row = (label: string, values: number[]) => {
			const shown = resample(values, width);
			return `  ${label.padEnd(7)}${sparkline(shown).padEnd(width)}  peak ${number(Math.max(...shown))}`;
		};
		lines.push(row('ok', ok), row('failed', failed));
		lines.push(`         ${shortTime(a.buckets[0].start).slice(0, 10)}${' '.repeat(Math.max(1, width - 20))}${shortTime(a.buckets[a.buckets.length - 1].end).slice(0, 10)}`);
	}
	return `${lines.join('\n')}\n`;
}

export const summaryCommand: Command = {
	name: 'summary',
	summary: 'the case at a glance: evidence, findings, principals with findings, devices, sign-ins',
	help: `
	Usage
	  $ mfatrail summary [--db FILE] [--json] [--buckets N] [--hashes]

	The explorer's overview as text: the evidence (sources, time span, accounts, regions, the last
	verify outcome, whether the case is a scoped extract), findings by severity with the top ones,
	principals with findings, MFA devices by state, and sign-in attempts over the evidence span
	(successes and failures, --buckets slices; 60 by default).

	Options
	  --json       one JSON object (the same data; --hashes adds every source's SHA-256)
	  --buckets N  slices of the sign-in chart
	  --hashes     list every source with its SHA-256 (one row per evidence file)

	Examples
	  $ mfatrail summary --db case.db
	  $ mfatrail summary --db case.db --json --hashes
`,
	flags: {...dbFlag, ...jsonFlag, buckets: {type: 'number', default: 60}, hashes: {type: 'boolean', default: false}},
	run(input, flags) {
		if (input.length > 0) throw new UsageError('summary takes no arguments: mfatrail summary [--json]');
		const buckets = Number(flags.buckets);
		if (!Number.isInteger(buckets) || buckets < 1 || buckets > 1000) throw new UsageError('--buckets must be a whole number from 1 to 1000');
		const db = openForQuery(flags);
		try {
			const summary = caseSummary(db, {buckets, hashes: Boolean(flags.hashes)});
			if (flags.json) {
				printJson({...summary, findings: {...summary.findings, top: summary.findings.top.map(publicFinding)}});
				return 0;
			}
			let text = formatSummary(summary, db.name);
			if (flags.hashes) {
				const hashes = summary.inventory.hashes.flatMap(h => [
					...wrapText(`${safe(h.path)}${h.member !== null ? ` ▸ ${safe(h.member)}` : ''}`, 80, '  '),
					`    ${safe(h.sha256)}`,
				]);
				text += `\nSources and their SHA-256 (${summary.inventory.hashes.length})\n${hashes.join('\n')}\n`;
			}
			out(text);
			return 0;
		} finally {
			db.close();
		}
	},
};
