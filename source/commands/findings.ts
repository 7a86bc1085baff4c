import fs from 'node:fs';
import {UsageError} from '../lib/errors.js';
import {caseFilePath, openCaseFile} from '../db/open.js';
import {caseScope, type CaseScope} from '../db/scope.js';
import {rulesHelp} from '../findings/docs.js';
import {publicFinding, listFindings, type StoredFinding} from '../findings/queries.js';
import {refreshFindings, storedThresholds} from '../findings/refresh.js';
import {evidenceCount} from '../findings/lib.js';
import {ruleById, rules} from '../findings/registry.js';
import {formatSetting, readRulesConfig, settingsOf} from '../findings/settings.js';
import {defaultThresholds, severities, type Severity, type Thresholds} from '../findings/types.js';
import {parseDuration} from '../lib/time.js';
import {safe} from '../lib/terminal-text.js';
import {isTriageStatus, orphanedTriage, triageStatuses, type TriageStatus} from '../db/triage.js';
import {dbFlag, jsonFlag, type Command} from './command.js';
import {timeFlag} from './query-common.js';
import {wrapText} from './query-render.js';

/**
 * Each finding within 80 columns: a header line (severity, rule, first seen), its principal and
 * device on lines of their own, in full (responders copy them), then the summary wrapped at 78.
 * Every evidence string goes through safe().
 */
export function formatFindings(findings: StoredFinding[], scopes: CaseScope[] = [], orphans = 0): string {
	const header = scopes.length > 0 ? [...scopeLines(scopes), ''] : [];
	const orphanLine = orphans > 0 ? [`${orphans} triage decision${orphans === 1 ? ' names a target' : 's name targets'} no longer in this case file: mfatrail triage --orphaned`] : [];
	if (findings.length === 0) return `${[...header, 'no findings', ...orphanLine].join('\n')}\n`;
	const severityWidth = Math.max('SEVERITY'.length, ...findings.map(f => f.severity.length));
	const triages = findings.map(f => `#${f.id} ${f.status}`);
	// The rule column is as wide as the rules, but no wider than leaves room for the triage within
	// 80 columns; a longer rule name keeps its line and its triage goes on the next one.
	const room = 80 - severityWidth - 20 - 6 - Math.max(...triages.map(t => t.length));
	const ruleWidth = Math.min(Math.max('RULE'.length, ...findings.map(f => f.rule.length)), Math.max('RULE'.length, room));
	const head = (severity: string, rule: string, firstSeen: string, triage: string) =>
		rule.length > ruleWidth
			? [`${severity.padEnd(severityWidth)}  ${rule}  ${firstSeen}`, `${' '.repeat(severityWidth + 2)}${triage}`]
			: [`${severity.padEnd(severityWidth)}  ${rule.padEnd(ruleWidth)}  ${firstSeen.padEnd(20)}  ${triage}`.trimEnd()];
	const out = [...header, ...head('SEVERITY', 'RULE', 'FIRST SEEN', 'ID STATUS'), '  PRINCIPAL', '  MFA DEVICE', '    SUMMARY', '    NOTE (triage)'];
	for (const [i, f] of findings.entries()) {
		out.push('', ...head(f.severity, f.rule, f.firstSeen, triages[i]!));
		out.push(`  ${f.principal ? safe(f.principal) : '(no principal)'}`);
		if (f.serialNumber) out.push(`  ${safe(f.serialNumber)}`);
		const events = `[${evidenceCount(f)}; last ${f.lastSeen}]`;
		out.push(...wrapText(`${safe(f.summary)} ${events}`, 78, '    '));
		if (f.note) out.push(...wrapText(`note: ${safe(f.note)}`, 78, '    '));
		const note = scopes.length > 0 ? absenceNote(f.rule) : undefined;
		if (note) out.push(...wrapText(note, 78, '    '));
	}
	const bySeverity = severities.map(s => [s, findings.filter(f => f.severity === s).length] as const).filter(([, n]) => n > 0);
	out.push('', `${findings.length} finding${findings.length === 1 ? '' : 's'}: ${bySeverity.map(([s, n]) => `${n} ${s}`).join(', ')}`, ...orphanLine);
	return `${out.join('\n')}\n`;
}

/** For a finding that rests on absence, in a scoped extract: what holds only within the extract. */
export function absenceNote(rule: string): string | undefined {
	const what = ruleById(rule)?.restsOnAbsence;
	return what ? `Scoped extract: ${what} is judged only within the objects the scope query chose.` : undefined;
}

/** The case's scope, for the head of the list: what the extract covers. */
function scopeLines(scopes: CaseScope[]): string[] {
	const lines = wrapText('SCOPED EXTRACT: this case holds only the objects a scope query chose; findings that rest on absence hold only within it.', 80, '');
	for (const s of scopes) {
		const range = s.since || s.until ? `${s.since ?? '…'} to ${s.until ?? '…'}` : 'no time bounds';
		lines.push(...wrapText(`${safe(s.engine)}: accounts ${s.accounts.map(safe).join(', ') || 'any'}; regions ${s.regions.map(safe).join(', ') || 'any'}; ${range}`, 78, '  '));
	}
	return lines;
}

export const findingsCommand: Command = {
	name: 'findings',
	summary: 'what looks wrong: MFA abuse findings with their evidence',
	help: `
	Usage
	  $ mfatrail findings [--db FILE] [--json] [--rule ID] [--since T] [--until T] [--severity S] [--status S]

	Findings are computed at import and stored in the case file; this lists them, most severe
	first, then oldest first. Each names the principal, the device, the time span, the CloudTrail
	eventIDs of its evidence and a one-sentence summary, with its id and triage status (set with
	mfatrail triage ID --status S --note TEXT; needs-review until someone decides).

	Options
	  --db FILE            case file (default ./mfatrail.db, or $MFATRAIL_DB)
	  --json               print the findings as one JSON array
	  --rule ID            only this rule
	  --since T            only findings with evidence at or after T (2024-03-01, 2024-03-01T10:00Z, 7d)
	  --until T            only findings with evidence at or before T
	                       (a date alone, 2024-03-01, includes that whole day)
	  --severity S         at least this severe: high, medium, low, info
	  --status S           only this triage status: needs-review, confirmed, benign
	                       (comma-separated for several)
	  --burst-count N      console-login-failure-burst: failures needed (default 5)
	  --burst-window D     … within this time (default 10m)
	  --spray-users N      password-spray: distinct user names failing from one address (default 5)
	  --spray-window D     … within this time (default 10m); any threshold flag recomputes the
	                       findings and stores the thresholds in the case file for later imports
	  --rules-config FILE  set any window or threshold from a JSON file, e.g.
	                       {"run-gap": "30m", "follow-up": "12h", "burst-count": 3}; recomputes
	                       and stores them like the flags (import takes it too)
	  --explain RULE       what RULE means, its windows and thresholds: value, default and why

	Rules
${rulesHelp()}

	Examples
	  $ mfatrail findings --db case.db
	  $ mfatrail findings --db case.db --json --rule mfa-added-without-mfa-session
	  $ mfatrail findings --db case.db --burst-count 3 --burst-window 5m
	  $ mfatrail findings --db case.db --spray-users 10 --spray-window 1h
`,
	flags: {
		...dbFlag,
		...jsonFlag,
		rule: {type: 'string'},
		since: {type: 'string'},
		until: {type: 'string'},
		severity: {type: 'string'},
		status: {type: 'string'},
		burstCount: {type: 'string'},
		burstWindow: {type: 'string'},
		sprayUsers: {type: 'string'},
		sprayWindow: {type: 'string'},
		rulesConfig: {type: 'string'},
		explain: {type: 'string'},
	},
	run(_input, flags) {
		const rule = flags.rule as string | undefined;
		if (rule && !ruleById(rule) && !rule.startsWith('sigma:')) throw new UsageError(`unknown rule ${JSON.stringify(rule)}; rules: ${rules.map(r => r.id).join(', ')}`);
		const severity = flags.severity as string | undefined;
		if (severity && !severities.includes(severity as Severity)) throw new UsageError(`unknown severity ${JSON.stringify(severity)}; use ${severities.join(', ')}`);
		const status = statusFlag(flags.status);
		const since = timeFlag(flags.since);
		const until = timeFlag(flags.until, {endOfDay: true});
		const count = (name: string, value: unknown): number | undefined => {
			if (value === undefined) return undefined;
			const text = String(value);
			if (!/^[1-9]\d*$/.test(text.trim())) throw new UsageError(`--${name} must be a whole number of at least 1, not ${JSON.stringify(text)}`);
			return Number(text);
		};
		const burstCount = count('burst-count', flags.burstCount);
		const sprayUsers = count('spray-users', flags.sprayUsers);
		const windowMs = flags.burstWindow !== undefined ? parseDuration(flags.burstWindow as string) : undefined;
		const sprayWindowMs = flags.sprayWindow !== undefined ? parseDuration(flags.sprayWindow as string) : undefined;
		const configFile = flags.rulesConfig as string | undefined;
		const explain = flags.explain as string | undefined;
		if (explain !== undefined && !ruleById(explain)) throw new UsageError(`unknown rule ${JSON.stringify(explain)}; rules: ${rules.map(r => r.id).join(', ')}`);
		const recompute = configFile !== undefined || [burstCount, windowMs, sprayUsers, sprayWindowMs].some(v => v !== undefined);

		if (explain !== undefined) {
			// The defaults, or the values a case file holds when there is one.
			const file = caseFilePath(flags.db as string);
			let current = defaultThresholds;
			if (fs.existsSync(file)) {
				const read = openCaseFile(file, {readonly: true});
				try {
					current = storedThresholds(read);
				} finally {
					read.close();
				}
			}
			process.stdout.write(explainRule(explain, current));
			return 0;
		}
		const db = openCaseFile(caseFilePath(flags.db as string), {readonly: !recompute});
		try {
			if (recompute) {
				// The configuration file first, then the flags over it; what is not given keeps its stored value.
				const stored = configFile ? readRulesConfig(configFile, storedThresholds(db)) : storedThresholds(db);
				refreshFindings(db, {
					...stored,
					burstCount: burstCount ?? stored.burstCount,
					burstWindowMs: windowMs ?? stored.burstWindowMs,
					sprayUsers: sprayUsers ?? stored.sprayUsers,
					sprayWindowMs: sprayWindowMs ?? stored.sprayWindowMs,
				});
			}
			const findings = listFindings(db, {rule, since, until, severity: severity as Severity | undefined, status});
			const scopes = caseScope(db);
			// In a scoped extract every finding says so; those resting on absence say what is scoped.
			const scoped = (f: StoredFinding) => {
				if (scopes.length === 0) return publicFinding(f);
				const note = absenceNote(f.rule);
				return {...publicFinding(f), scopedExtract: true, ...(note ? {scopeNote: note} : {})};
			};
			if (flags.json) process.stdout.write(`${JSON.stringify(findings.map(scoped), null, 2)}\n`);
			else process.stdout.write(formatFindings(findings, scopes, orphanedTriage(db).length));
			return 0;
		} finally {
			db.close();
		}
	},
};

/** `findings --explain RULE`: the rule in words, and each of its settings with its value, default and why. */
export function explainRule(id: string, current: Thresholds): string {
	const rule = ruleById(id)!;
	const lines = [`${rule.id} (${rule.severity}): ${rule.title}`, '', ...wrapText(rule.meaning, 78, '  '), ''];
	const own = settingsOf(rule.id);
	if (own.length === 0) lines.push('  No window or threshold: it fires on the evidence alone.');
	for (const s of own) {
		const value = current[s.field];
		const standard = defaultThresholds[s.field];
		lines.push(`  ${s.name}: ${formatSetting(s, value)}${value === standard ? ' (the default)' : ` (default ${formatSetting(s, standard)})`}`);
		lines.push(...wrapText(`why: ${s.why}`, 78, '    '));
	}
	lines.push('', 'Set with --rules-config FILE (findings or import), e.g. {"run-gap": "30m"}.');
	return `${lines.join('\n')}\n`;
}

/** --status S[,S…]: triage statuses, each checked. */
export function statusFlag(value: unknown): TriageStatus[] | undefined {
	if (typeof value !== 'string' || value.trim() === '') return undefined;
	const list = value.split(',').map(s => s.trim()).filter(Boolean);
	for (const s of list) if (!isTriageStatus(s)) throw new UsageError(`unknown status ${JSON.stringify(s)}; use ${triageStatuses.join(', ')}`);
	return list as TriageStatus[];
}
