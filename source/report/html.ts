/**
 * The report as one self-contained HTML file: inline CSS, inline SVG charts, no script, nothing
 * fetched. Its Content-Security-Policy forbids scripts and every load, and allows exactly its own
 * style block (by hash). Every string from the evidence goes through html().
 */
import crypto from 'node:crypto';
import {evidenceCount} from '../findings/lib.js';
import {html} from '../lib/markup.js';
import {outcomesSvg, swimlaneSvg} from './charts.js';
import {drlLink} from '../findings/sigma.js';
import {verifyResult, type ReportFinding, type ReportModel, type ReportPrincipal} from './model.js';
import {evidenceShown, findingsShownPerPrincipal, groupFindings, principalsShownPerRule, type Beside, type BesideFile} from './beside.js';

const css = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; color: #1d232a; margin: 0 auto; max-width: 920px; padding: 24px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; border-bottom: 2px solid #1d232a; padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 16px; margin: 22px 0 6px; }
.sub { color: #555; margin: 0 0 16px; }
code, .id { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border: 1px solid #c9d1d9; padding: 3px 6px; text-align: left; vertical-align: top; font-size: 12.5px; }
th { background: #eef1f4; }
td { overflow-wrap: break-word; }
code.nw { white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.finding { border: 1px solid #c9d1d9; border-left-width: 6px; border-radius: 4px; padding: 8px 12px; margin: 12px 0; break-inside: avoid-page; }
.finding.high { border-left-color: #b42318; } .finding.medium { border-left-color: #c4661f; } .finding.low { border-left-color: #a38b00; } .finding.info { border-left-color: #5b6b7b; }
.badge { display: inline-block; border-radius: 3px; padding: 0 6px; font-size: 12px; font-weight: 600; color: #fff; background: #5b6b7b; }
.badge.high { background: #b42318; } .badge.medium { background: #c4661f; } .badge.low { background: #8a7400; }
.status { display: inline-block; border: 1px solid #888; border-radius: 3px; padding: 0 6px; font-size: 12px; }
.status.confirmed { border-color: #b42318; color: #b42318; } .status.benign { border-color: #2f7d32; color: #2f7d32; }
.note { background: #f6f8fa; border-left: 3px solid #888; padding: 4px 8px; margin: 6px 0; white-space: pre-wrap; }
.muted { color: #666; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 6px 0 10px; }
svg .lane { fill: #f3f5f7; }
svg .lane-label, svg .tick-label { font: 11px ui-monospace, "DejaVu Sans Mono", monospace; fill: #333; }
svg .seg.created { fill: #c8d3df; } svg .seg.enabled { fill: #3f8f4a; } svg .seg.deactivated { fill: #e2a23b; } svg .seg.unknown { fill: #9fb6cc; }
svg .tick { stroke: #1d232a; stroke-width: 2; }
svg .tick.deleted { stroke: #b42318; }
svg circle.ok { fill: #fff; stroke: #1f5f25; stroke-width: 2; }
svg circle.fail { fill: #b42318; stroke: #fff; stroke-width: 1; }
svg .bar.ok { fill: #3f8f4a; } svg .bar.fail { fill: #b42318; }
svg .axis { stroke: #555; stroke-width: 1; fill: none; }
.legend span { margin-right: 14px; font-size: 12px; }
.legend i { display: inline-block; width: 12px; height: 10px; margin-right: 4px; vertical-align: middle; }
.legend .created { background: #c8d3df; } .legend .enabled { background: #3f8f4a; } .legend .deactivated { background: #e2a23b; } .legend .unknown { background: #9fb6cc; }
.legend .ok { border: 2px solid #1f5f25; border-radius: 50%; width: 8px; height: 8px; } .legend .fail { background: #b42318; border-radius: 50%; width: 10px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  section.page { break-before: page; }
  .finding, svg.chart, tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
`;

const cssHash = crypto.createHash('sha256').update(css).digest('base64');

/** No script at all, no load of any kind; only the style block below (by its hash). */
export const contentSecurityPolicy = `default-src 'none'; script-src 'none'; style-src 'sha256-${cssHash}'; img-src 'none'; font-src 'none'; connect-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; child-src 'none'; worker-src 'none'; manifest-src 'none'; base-uri 'none'; form-action 'none'`;

const id = (value: unknown) => `<code>${html(value)}</code>`;
/** Times, IPs and event names are never broken across lines. */
const nw = (value: unknown) => `<code class="nw">${html(value)}</code>`;
const maybe = (value: unknown, as: (v: unknown) => string = html) => (value === null || value === undefined || value === '' ? '<span class="muted">–</span>' : as(value));

function table(head: string[], rows: string[][]): string {
	return `<table><thead><tr>${head.map(h => `<th>${html(h)}</th>`).join('')}</tr></thead><tbody>${rows.map(row => `<tr>${row.map(c => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function caseSection(m: ReportModel, beside: Beside | undefined): string {
	const inv = m.inventory;
	const verify = verifyResult(inv);
	const facts: [string, string][] = [
		['Case file', `${id(m.caseFile.name)}`],
		['Case file SHA-256', `${id(m.caseFile.sha256)}${m.caseFile.walBytes > 0 ? ` <span class="muted">(main file; ${m.caseFile.walBytes} bytes still in its write-ahead log)</span>` : ''}`],
		['Tool', `mfatrail ${html(m.caseFile.toolVersion)}`],
		['Report time', maybe(m.generatedAt, id)],
		['Evidence sources', `${inv.sources.total} <span class="muted">(SHA-256 of each in ${beside ? html(beside.sources.name) : 'the appendix'})</span>`],
		['Events', `${inv.events}${inv.rejections > 0 ? ` <span class="muted">(${inv.rejections} record${inv.rejections === 1 ? '' : 's'} rejected at import)</span>` : ''}`],
		['Time span', inv.span.first ? `${id(inv.span.first)} – ${id(inv.span.last)}` : '<span class="muted">no events</span>'],
		['Accounts', inv.accounts.length > 0 ? inv.accounts.map(id).join(' ') : '<span class="muted">none</span>'],
		['Regions', inv.regions.length > 0 ? inv.regions.map(id).join(' ') : '<span class="muted">none</span>'],
		[
			'Verify',
			verify ? `${verify.ok ? 'passed' : '<strong>FAILED</strong>'} ${html(verify.detail)}` : '<span class="muted">no verify result recorded in the case file (run <code>mfatrail verify</code>)</span>',
		],
		['Scope', m.scope.length > 0 ? 'a scoped extract (below)' : 'everything imported (not a scoped extract)'],
	];
	const filters: string[] = [];
	if (m.options.status?.length) filters.push(`status ${m.options.status.map(s => html(s)).join(', ')}`);
	if (m.options.principals?.length) filters.push(`principal ${m.options.principals.map(id).join(', ')}`);
	if (filters.length > 0) facts.push(['Report limited to', filters.join('; ')]);
	const scope =
		m.scope.length > 0
			? `<h3>Scope of the extract</h3>${table(
					['engine', 'accounts', 'regions', 'since', 'until', 'imported', 'query'],
					m.scope.map(s => [html(s.engine), s.accounts.map(id).join(' '), s.regions.map(id).join(' '), maybe(s.since, id), maybe(s.until, id), id(s.importedAt), `<code>${html(s.query)}</code>`]),
				)}`
			: '';
	const severityCounts = m.bySeverity.map(s => `${s.findings.length} ${s.severity}`).join(', ');
	return `<section class="case"><h2>1. The case</h2><dl class="facts">${facts.map(([k, v]) => `<dt>${html(k)}</dt><dd>${v}</dd>`).join('')}</dl>${scope}<p>${m.findings.length} finding${m.findings.length === 1 ? '' : 's'}${severityCounts ? `: ${severityCounts}` : ''}; ${m.principals.length + m.otherPrincipals.length} principal${m.principals.length + m.otherPrincipals.length === 1 ? '' : 's'} with findings.</p></section>`;
}

/** A file beside the report, named with its SHA-256. */
const besideName = (f: BesideFile) => `${id(f.name)} <span class="muted">(SHA-256 ${id(f.sha256)})</span>`;

function findingHtml(f: ReportFinding, beside: Beside | undefined): string {
	const rows = f.evidence.slice(0, evidenceShown).map(e =>
		e.present
			? [maybe(e.eventTime, nw), maybe(e.eventName), maybe(e.actor, id), maybe(e.sourceIp, nw), maybe(e.result), id(e.eventId)]
			: ['<span class="muted">not in this case file</span>', '', '', '', '', id(e.eventId)],
	);
	const rest = beside ? `all are in ${id(beside.findings.name)}` : `every eventID is in the appendix, Evidence in full, under #${f.id}`;
	return `<div class="finding ${f.severity}" id="finding-${f.id}"><h3><span class="badge ${f.severity}">${html(f.severity)}</span> ${html(f.rule)} <span class="muted">#${f.id}</span> <span class="status ${f.status}">${html(f.status)}</span></h3>
<dl class="facts"><dt>Principal</dt><dd>${maybe(f.principal, id)}</dd><dt>MFA device</dt><dd>${maybe(f.serialNumber, id)}</dd><dt>Seen</dt><dd>${id(f.firstSeen)} – ${id(f.lastSeen)}</dd></dl>
<p>${html(f.summary)}</p>${f.note ? `<div class="note"><strong>Note:</strong> ${html(f.note)}</div>` : ''}
<p class="muted">Evidence: ${html(evidenceCount(f))}.</p>
${table(['time', 'event', 'actor', 'IP', 'result', 'eventID'], rows)}${f.evidence.length > evidenceShown ? `<p class="muted">${evidenceShown} of ${f.evidence.length} evidence events shown; ${rest}.</p>` : ''}</div>`;
}

/** The Sigma rules behind findings, each with its author and file, as the Detection Rule License asks. */
function sigmaCredits(m: ReportModel): string {
	if (m.sigmaRules.length === 0) return '';
	const rows = m.sigmaRules.map(r => [html(r.title), id(`sigma:${r.id}`), html(r.author ?? '–'), id(r.path), maybe(r.license)]);
	return `<section><h3>Sigma rules credited</h3>${table(['Rule', 'Id', 'Author', 'File', 'Licence'], rows)}<p>SigmaHQ's rules are under the Detection Rule License 1.1: ${id(drlLink)}.</p></section>`;
}

function findingsSection(m: ReportModel, beside: Beside | undefined): string {
	if (m.findings.length === 0) return `<section class="page"><h2>2. Findings</h2><p>No findings${m.options.status || m.options.principals ? ' match the report\'s limits' : ''}.</p></section>`;
	// Bounded only with the files beside the report to hold the rest (beside.ts).
	const principalsShown = beside ? principalsShownPerRule : Infinity;
	const findingsShown = beside ? findingsShownPerPrincipal : Infinity;
	const groups = groupFindings(m.findings).map(r => {
		const principals = r.principals.slice(0, principalsShown).map(p => {
			const more = p.findings.length > findingsShown ? `<p class="muted">${findingsShown} of ${p.findings.length} findings of this rule and principal shown; all are in ${id(beside!.findings.name)}.</p>` : '';
			return `<h4>${p.principal ? id(p.principal) : 'no principal'} <span class="muted">(${p.findings.length})</span></h4>${p.findings.slice(0, findingsShown).map(f => findingHtml(f, beside)).join('\n')}${more}`;
		});
		const more = r.principals.length > principalsShown ? `<p class="muted">${principalsShown} of ${r.principals.length} principals shown for ${html(r.rule)}; every finding is in ${id(beside!.findings.name)}.</p>` : '';
		return `<h3>${html(r.rule)} <span class="muted">(${r.findings} finding${r.findings === 1 ? '' : 's'}, ${r.principals.length} principal${r.principals.length === 1 ? '' : 's'})</span></h3>${principals.join('\n')}${more}`;
	});
	const files = beside ? `<p>Every finding with every evidence event: ${besideName(beside.findings)}, beside this report.</p>` : '';
	return `<section class="page"><h2>2. Findings by rule and principal</h2>${files}${groups.join('\n')}</section>`;
}

const legend = `<p class="legend"><span><i class="created"></i>created</span><span><i class="enabled"></i>enabled</span><span><i class="deactivated"></i>deactivated</span><span><i class="unknown"></i>in use, start unknown</span><span><i class="ok"></i>sign-in ok</span><span><i class="fail"></i>sign-in failed</span></p>`;

function principalHtml(p: ReportPrincipal, n: number): string {
	const devices = p.lanes.map(l => [id(l.serialNumber), String(l.incarnation), html(l.state), maybe(l.createdAt, nw), maybe(l.enabledAt, nw), maybe(l.deactivatedAt, nw), maybe(l.deletedAt, nw), `${l.signIns.filter(s => s.ok).length} / ${l.signIns.filter(s => !s.ok).length}`]);
	return `<section class="page principal"><h2>3.${n} ${html(p.name ?? p.arn)}</h2><dl class="facts"><dt>Principal</dt><dd>${id(p.arn)}</dd><dt>Type</dt><dd>${html(p.type)}</dd><dt>Findings</dt><dd>${p.findings}</dd></dl>
<h3>MFA devices over time</h3>${p.lanes.length === 0 && p.otherSignIns.length === 0 ? '<p class="muted">no MFA device or sign-in in the evidence</p>' : `${legend}${swimlaneSvg(p)}`}
${p.lanes.length > 0 ? table(['device', 'inc.', 'state', 'created', 'enabled', 'deactivated', 'deleted', 'sign-ins ok / failed'], devices) : ''}
<h3>Sign-in outcomes per ${html(p.bucket)}</h3>${p.outcomes.length === 0 ? '<p class="muted">no sign-ins</p>' : `${outcomesSvg(p)}${table([p.bucket, 'success', 'failure'], p.outcomes.map(o => [id(o.period), String(o.success), String(o.failure)]))}`}</section>`;
}

/** Principals past the drawn ones: by name and finding count (their findings are all in section 2). */
function otherPrincipals(m: ReportModel): string {
	if (m.otherPrincipals.length === 0) return '';
	const n = m.principals.length + 1;
	return `<section class="page"><h2>3.${n} ${m.otherPrincipals.length} more principals with findings</h2><p class="muted">Each is drawn by mfatrail report --principal ARN, or shown by mfatrail user ARN.</p>${table(['principal', 'findings'], m.otherPrincipals.map(p => [id(p.arn), String(p.findings)]))}</section>`;
}

function appendix(m: ReportModel, beside: Beside | undefined): string {
	const journal =
		m.journal.length > 0
			? `<h3>Triage journal</h3>${table(['time', 'analyst', 'target', 'old → new', 'note'], m.journal.map(e => [id(e.at), html(e.analyst), `${html(e.kind)} ${id(e.target)}`, `${html(e.oldStatus)} → ${html(e.newStatus)}`, html(e.note)]))}`
			: '';
	const orphaned =
		m.orphaned.length > 0
			? `<h3>Triage decisions whose target is no longer in the case</h3>${table(['target', 'status', 'note', 'decided'], m.orphaned.map(o => [`${html(o.kind)} ${id(o.target)}`, html(o.status), html(o.note), `${id(o.at ?? '')} ${html(o.analyst ?? '')}`]))}`
			: '';
	const files = table(
		['#', 'source', 'format', 'records', 'SHA-256'],
		m.sources.map((f, i) => [String(i + 1), `${id(f.path)}${f.member ? ` ⟩ ${id(f.member)}` : ''}`, html(f.format), String(f.records), id(f.sha256)]),
	);
	if (beside) {
		return `<section class="page appendix"><h2>Appendix</h2>${journal}${orphaned}<h3>Beside this report</h3><p>Every finding with every evidence event: ${besideName(beside.findings)}.</p><p>Evidence sources and their SHA-256: ${besideName(beside.sources)}.</p></section>`;
	}
	const cut = m.findings.filter(f => f.evidence.length > evidenceShown);
	const full =
		cut.length > 0
			? `<h3>Evidence in full</h3>${cut.map(f => `<p><strong>#${f.id}</strong> ${html(f.rule)} (${f.evidence.length}): ${f.eventIds.map(e => id(e)).join(' ')}</p>`).join('\n')}`
			: '';
	return `<section class="page appendix"><h2>Appendix</h2>${journal}${orphaned}${full}<h3>Evidence sources and their SHA-256</h3>${files}</section>`;
}

/** The report as one HTML page; with `beside`, bounded, naming the files written beside it (beside.ts). */
export function renderHtml(m: ReportModel, beside?: Beside): string {
	const title = `mfatrail case report — ${m.caseFile.name}`;
	return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(title)}</title>
<style>${css}</style>
</head>
<body>
<header><h1>MFA evidence report</h1><p class="sub">Case ${id(m.caseFile.name)} · ${m.generatedAt ? `as of ${id(m.generatedAt)}` : 'no import yet'} · mfatrail ${html(m.caseFile.toolVersion)}</p></header>
${caseSection(m, beside)}
${findingsSection(m, beside)}
${sigmaCredits(m)}
${m.principals.map((p, i) => principalHtml(p, i + 1)).join('\n')}
${otherPrincipals(m)}
${appendix(m, beside)}
</body>
</html>
`;
}
