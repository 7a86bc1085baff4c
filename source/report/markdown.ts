/**
 * The report as Markdown for tickets: the same sections as the HTML, charts given as tables.
 * Identifiers are code spans (markdownCode), prose from the evidence is escaped (markdown), so no
 * value can open a link, an image, HTML or a table cell of its own.
 */
import {evidenceCount} from '../findings/lib.js';
import {markdown, markdownCode} from '../lib/markup.js';
import {drlLink} from '../findings/sigma.js';
import {verifyResult, type ReportFinding, type ReportModel, type ReportPrincipal} from './model.js';
import {evidenceShown, findingsShownPerPrincipal, groupFindings, principalsShownPerRule, type Beside, type BesideFile} from './beside.js';

/** A file beside the report, named with its SHA-256. */
const besideName = (f: BesideFile) => `${markdownCode(f.name, {inTable: false})} (SHA-256 ${markdownCode(f.sha256, {inTable: false})})`;

const code = (value: unknown) => markdownCode(value);
const dash = (value: unknown, as: (v: unknown) => string = markdown) => (value === null || value === undefined || value === '' ? '–' : as(value));

function table(head: string[], rows: string[][]): string {
	return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map(row => `| ${row.map(c => c || ' ').join(' | ')} |`)].join('\n');
}

function caseSection(m: ReportModel, beside: Beside | undefined): string {
	const inv = m.inventory;
	const verify = verifyResult(inv);
	const lines = [
		'## 1. The case',
		'',
		`- **Case file:** ${markdownCode(m.caseFile.name, {inTable: false})}`,
		`- **Case file SHA-256:** ${markdownCode(m.caseFile.sha256, {inTable: false})}${m.caseFile.walBytes > 0 ? ` (main file; ${m.caseFile.walBytes} bytes still in its write-ahead log)` : ''}`,
		`- **Tool:** mfatrail ${markdown(m.caseFile.toolVersion)}`,
		`- **Report time:** ${m.generatedAt ? markdownCode(m.generatedAt, {inTable: false}) : '–'}`,
		`- **Evidence sources:** ${inv.sources.total} (SHA-256 of each in ${beside ? markdownCode(beside.sources.name, {inTable: false}) : 'the appendix'})`,
		`- **Events:** ${inv.events}${inv.rejections > 0 ? ` (${inv.rejections} record${inv.rejections === 1 ? '' : 's'} rejected at import)` : ''}`,
		`- **Time span:** ${inv.span.first ? `${markdownCode(inv.span.first, {inTable: false})} – ${markdownCode(inv.span.last, {inTable: false})}` : 'no events'}`,
		`- **Accounts:** ${inv.accounts.length > 0 ? inv.accounts.map(a => markdownCode(a, {inTable: false})).join(' ') : 'none'}`,
		`- **Regions:** ${inv.regions.length > 0 ? inv.regions.map(a => markdownCode(a, {inTable: false})).join(' ') : 'none'}`,
		`- **Verify:** ${verify ? `${verify.ok ? 'passed' : '**FAILED**'} ${markdown(verify.detail)}` : 'no verify result recorded in the case file (run `mfatrail verify`)'}`,
		`- **Scope:** ${m.scope.length > 0 ? 'a scoped extract (below)' : 'everything imported (not a scoped extract)'}`,
	];
	const filters: string[] = [];
	if (m.options.status?.length) filters.push(`status ${m.options.status.map(s => markdown(s)).join(', ')}`);
	if (m.options.principals?.length) filters.push(`principal ${m.options.principals.map(p => markdownCode(p, {inTable: false})).join(', ')}`);
	if (filters.length > 0) lines.push(`- **Report limited to:** ${filters.join('; ')}`);
	if (m.scope.length > 0) {
		lines.push('', '### Scope of the extract', '', table(['engine', 'accounts', 'regions', 'since', 'until', 'imported', 'query'], m.scope.map(s => [markdown(s.engine), s.accounts.map(code).join(' '), s.regions.map(code).join(' '), dash(s.since, code), dash(s.until, code), code(s.importedAt), code(s.query)])));
	}
	const severityCounts = m.bySeverity.map(s => `${s.findings.length} ${s.severity}`).join(', ');
	lines.push('', `${m.findings.length} finding${m.findings.length === 1 ? '' : 's'}${severityCounts ? `: ${severityCounts}` : ''}; ${m.principals.length + m.otherPrincipals.length} principal${m.principals.length + m.otherPrincipals.length === 1 ? '' : 's'} with findings.`);
	return lines.join('\n');
}

function findingMd(f: ReportFinding, beside: Beside | undefined): string {
	const rows = f.evidence.slice(0, evidenceShown).map(e => (e.present ? [dash(e.eventTime, code), dash(e.eventName, code), dash(e.actor, code), dash(e.sourceIp, code), dash(e.result), code(e.eventId)] : ['not in this case file', '', '', '', '', code(e.eventId)]));
	return [
		`#### ${markdown(f.severity)}: ${markdown(f.rule)} (#${f.id}) — ${markdown(f.status)}`,
		'',
		`- **Principal:** ${dash(f.principal, v => markdownCode(v, {inTable: false}))}`,
		`- **MFA device:** ${dash(f.serialNumber, v => markdownCode(v, {inTable: false}))}`,
		`- **Seen:** ${markdownCode(f.firstSeen, {inTable: false})} – ${markdownCode(f.lastSeen, {inTable: false})}`,
		`- **Status:** ${markdown(f.status)}${f.note ? `; **note:** ${markdown(f.note)}` : ''}`,
		'',
		markdown(f.summary),
		'',
		`Evidence: ${evidenceCount(f)}.`,
		'',
		table(['time', 'event', 'actor', 'IP', 'result', 'eventID'], rows),
		...(f.evidence.length > evidenceShown
			? ['', `${evidenceShown} of ${f.evidence.length} evidence events shown; ${beside ? `all are in ${markdownCode(beside.findings.name, {inTable: false})}` : `every eventID is in the appendix, Evidence in full, under #${f.id}`}.`]
			: []),
	].join('\n');
}

/** The Sigma rules behind findings, each with its author and file, as the Detection Rule License asks. */
function sigmaCredits(m: ReportModel): string {
	if (m.sigmaRules.length === 0) return '';
	const rows = m.sigmaRules.map(r => [markdown(r.title), code(`sigma:${r.id}`), markdown(r.author ?? '–'), code(r.path), dash(r.license)]);
	return ['### Sigma rules credited', '', table(['Rule', 'Id', 'Author', 'File', 'Licence'], rows), '', `SigmaHQ's rules are under the Detection Rule License 1.1: ${code(drlLink)}.`].join('\n');
}

function findingsSection(m: ReportModel, beside: Beside | undefined): string {
	if (m.findings.length === 0) return `## 2. Findings\n\nNo findings${m.options.status || m.options.principals ? " match the report's limits" : ''}.`;
	// Bounded only with the files beside the report to hold the rest (beside.ts).
	const principalsShown = beside ? principalsShownPerRule : Infinity;
	const findingsShown = beside ? findingsShownPerPrincipal : Infinity;
	const groups = groupFindings(m.findings).map(r => {
		const principals = r.principals.slice(0, principalsShown).map(p => {
			const more = p.findings.length > findingsShown ? `\n\n${findingsShown} of ${p.findings.length} findings of this rule and principal shown; all are in ${markdownCode(beside!.findings.name, {inTable: false})}.` : '';
			return `**${p.principal ? markdownCode(p.principal, {inTable: false}) : 'no principal'}** (${p.findings.length})\n\n${p.findings.slice(0, findingsShown).map(f => findingMd(f, beside)).join('\n\n')}${more}`;
		});
		const more = r.principals.length > principalsShown ? `\n\n${principalsShown} of ${r.principals.length} principals shown for ${markdown(r.rule)}; every finding is in ${markdownCode(beside!.findings.name, {inTable: false})}.` : '';
		return `### ${markdown(r.rule)} (${r.findings} finding${r.findings === 1 ? '' : 's'}, ${r.principals.length} principal${r.principals.length === 1 ? '' : 's'})\n\n${principals.join('\n\n')}${more}`;
	});
	return ['## 2. Findings by rule and principal', ...(beside ? [`Every finding with every evidence event: ${besideName(beside.findings)}, beside this report.`] : []), ...groups].join('\n\n');
}

function principalMd(p: ReportPrincipal, n: number): string {
	const lines = [`### 3.${n} ${markdown(p.name ?? p.arn)}`, '', `- **Principal:** ${markdownCode(p.arn, {inTable: false})}`, `- **Type:** ${markdown(p.type)}`, `- **Findings:** ${p.findings}`, '', '**MFA devices** (create → enable → deactivate → delete; sign-ins that named the device, ok / failed):', ''];
	if (p.lanes.length === 0) lines.push('no MFA device in the evidence');
	else
		lines.push(
			table(
				['device', 'inc.', 'state', 'created', 'enabled', 'deactivated', 'deleted', 'sign-ins ok / failed'],
				p.lanes.map(l => [code(l.serialNumber), String(l.incarnation), markdown(l.state), dash(l.createdAt, code), dash(l.enabledAt, code), dash(l.deactivatedAt, code), dash(l.deletedAt, code), `${l.signIns.filter(s => s.ok).length} / ${l.signIns.filter(s => !s.ok).length}`]),
			),
		);
	if (p.otherSignIns.length > 0) lines.push('', `Sign-ins naming no known MFA device: ${p.otherSignIns.filter(s => s.ok).length} ok / ${p.otherSignIns.filter(s => !s.ok).length} failed.`);
	lines.push('', `**Sign-in outcomes per ${p.bucket}:**`, '');
	if (p.outcomes.length === 0) lines.push('no sign-ins');
	else lines.push(table([p.bucket, 'success', 'failure'], p.outcomes.map(o => [code(o.period), String(o.success), String(o.failure)])));
	return lines.join('\n');
}

function appendix(m: ReportModel, beside: Beside | undefined): string {
	const parts = ['## Appendix'];
	if (m.journal.length > 0) {
		parts.push('### Triage journal', table(['time', 'analyst', 'target', 'old → new', 'note'], m.journal.map(e => [code(e.at), markdown(e.analyst), `${markdown(e.kind)} ${code(e.target)}`, `${markdown(e.oldStatus)} → ${markdown(e.newStatus)}`, markdown(e.note)])));
	}
	if (m.orphaned.length > 0) {
		parts.push(
			'### Triage decisions whose target is no longer in the case',
			table(['target', 'status', 'note', 'decided'], m.orphaned.map(o => [`${markdown(o.kind)} ${code(o.target)}`, markdown(o.status), markdown(o.note), `${code(o.at ?? '')} ${markdown(o.analyst ?? '')}`])),
		);
	}
	if (beside) {
		parts.push('### Beside this report', `Every finding with every evidence event: ${besideName(beside.findings)}.\n\nEvidence sources and their SHA-256: ${besideName(beside.sources)}.`);
		return parts.join('\n\n');
	}
	const cut = m.findings.filter(f => f.evidence.length > evidenceShown);
	if (cut.length > 0) parts.push('### Evidence in full', cut.map(f => `**#${f.id}** ${markdown(f.rule)} (${f.evidence.length}): ${f.eventIds.map(e => markdownCode(e, {inTable: false})).join(' ')}`).join('\n\n'));
	parts.push('### Evidence sources and their SHA-256', table(['#', 'source', 'format', 'records', 'SHA-256'], m.sources.map((f, i) => [String(i + 1), `${code(f.path)}${f.member ? ` ⟩ ${code(f.member)}` : ''}`, markdown(f.format), String(f.records), code(f.sha256)])));
	return parts.join('\n\n');
}

/** The report as Markdown; with `beside`, bounded, naming the files written beside it (beside.ts). */
export function renderMarkdown(m: ReportModel, beside?: Beside): string {
	const others =
		m.otherPrincipals.length > 0
			? `\n\n### 3.${m.principals.length + 1} ${m.otherPrincipals.length} more principals with findings\n\nEach is drawn by \`mfatrail report --principal ARN\`.\n\n| principal | findings |\n|---|---|\n${m.otherPrincipals.map(p => `| ${markdownCode(p.arn)} | ${p.findings} |`).join('\n')}`
			: '';
	const principals = m.principals.length > 0 ? `## 3. Principals with findings\n\n${m.principals.map((p, i) => principalMd(p, i + 1)).join('\n\n')}${others}` : '';
	return `${[
		'# MFA evidence report',
		'',
		`Case ${markdownCode(m.caseFile.name, {inTable: false})} · ${m.generatedAt ? `as of ${markdownCode(m.generatedAt, {inTable: false})}` : 'no import yet'} · mfatrail ${markdown(m.caseFile.toolVersion)}`,
		'',
		caseSection(m, beside),
		'',
		findingsSection(m, beside),
		'',
		sigmaCredits(m),
		'',
		principals,
		'',
		appendix(m, beside),
	]
		.join('\n')
		.replace(/\n{3,}/g, '\n\n')
		.trimEnd()}\n`;
}
