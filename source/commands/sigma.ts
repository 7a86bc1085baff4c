import fs from 'node:fs';
import path from 'node:path';
import {caseFilePath, openCaseFile} from '../db/open.js';
import {drlLink, evaluateSigma, loadSigmaRules, saveSigmaPaths, sigmaPrefix, storeSigma, type SigmaRun} from '../findings/sigma.js';
import {UsageError} from '../lib/errors.js';
import {safe} from '../lib/terminal-text.js';
import {dbFlag, jsonFlag, type Command} from './command.js';
import {wrapText} from './query-render.js';

/** The `--json` shape (issue 19): one entry per loaded rule, events = distinct events matched. */
export function sigmaJson(run: SigmaRun) {
	return {
		rules: {loaded: run.loaded.length, unsupported: run.unsupported.map(u => ({path: u.path, reason: u.reason}))},
		matches: run.results.map(r => ({rule: r.rule.id, title: r.rule.title, level: r.rule.level, events: r.events})),
	};
}

function formatRun(run: SigmaRun, stored: {created: number; updated: number; removed: number}, saved: string[] | undefined): string {
	const out = [`rules: ${run.loaded.length} loaded, ${run.unsupported.length} unsupported`];
	if (run.unsupported.length > 0) {
		out.push('', 'UNSUPPORTED (not evaluated)');
		for (const u of run.unsupported) out.push(...wrapText(`${safe(u.path)}: ${safe(u.reason)}`, 78, '  '));
	}
	const hits = run.results.filter(r => r.events > 0).sort((a, b) => b.events - a.events || a.rule.title.localeCompare(b.rule.title));
	out.push('', `MATCHES (${hits.length} of ${run.results.length} rules matched; the others matched no event)`);
	for (const r of hits) {
		out.push(`  ${String(r.events).padStart(7)}  ${r.rule.level.padEnd(13)}  ${safe(r.rule.title)}`);
		out.push(`    ${sigmaPrefix}${safe(r.rule.id)} by ${safe(r.rule.author ?? 'an unnamed author')}`, `    ${safe(r.rule.path)}`);
	}
	out.push(
		'',
		`findings: ${run.findings.length} (${stored.created} new, ${stored.updated} updated, ${stored.removed} removed); mfatrail findings --rule sigma:ID lists them`,
		`read ${run.scanned.candidates.toLocaleString('en')} of ${run.scanned.events.toLocaleString('en')} records (candidates by eventName, eventSource and other indexed fields)${run.unreadable > 0 ? `; ${run.unreadable} not JSON, not evaluated` : ''}`,
		`Each finding credits its rule's author and file; SigmaHQ's rules are under the Detection Rule License 1.1 (${drlLink}).`,
	);
	if (saved) out.push(`saved with the case (import evaluates them again): ${saved.map(safe).join(', ')}`);
	return `${out.join('\n')}\n`;
}

export const sigmaCommand: Command = {
	name: 'sigma',
	summary: 'run Sigma rules (aws/cloudtrail, correlations too) over the case; matches become findings',
	help: `
	Usage
	  $ mfatrail sigma <rule file or folder…> [--db FILE] [--json] [--strict] [--save]

	Loads Sigma rules (YAML) whose logsource is product aws, service cloudtrail, and correlation
	rules over them, and evaluates them over every event of the case. Each match becomes a finding
	(rule sigma:<rule id>, severity from the rule's level) in mfatrail findings, the explorer,
	triage and the report; its summary names the rule's author and file (the Detection Rule
	License asks matches to keep them) and, for the access keys behind the events, where each was
	minted and whether with MFA. Rules this cannot evaluate are listed with the reason.
	See docs/sigma.md.

	Options
	  --db FILE   case file (default ./mfatrail.db, or $MFATRAIL_DB)
	  --json      {"rules": {"loaded", "unsupported": [{"path", "reason"}]},
	              "matches": [{"rule", "title", "level", "events"}]}
	  --strict    any unsupported rule is an error (exit 2, the rules named cannot all be used;
	              nothing evaluated or stored)
	  --save      remember these paths with the case: every later import evaluates them again

	Examples
	  $ mfatrail sigma sigma/rules/cloud/aws/cloudtrail --db case.db
	  $ mfatrail sigma my-rules/ --db case.db --save --strict
`,
	flags: {...dbFlag, ...jsonFlag, strict: {type: 'boolean', default: false}, save: {type: 'boolean', default: false}},
	run(input, flags) {
		if (input.length === 0) throw new UsageError('name at least one Sigma rule file or folder');
		for (const p of input) if (!fs.existsSync(p)) throw new UsageError(`no such rule file or folder: ${p}`);
		const paths = input.map(p => path.resolve(p));
		const set = loadSigmaRules(paths);
		if (flags.strict && set.unsupported.length > 0) {
			for (const u of set.unsupported) process.stderr.write(`unsupported ${safe(u.path)}: ${safe(u.reason)}\n`);
			throw new UsageError(`--strict: ${set.unsupported.length} rule${set.unsupported.length === 1 ? '' : 's'} unsupported (listed above); nothing evaluated`);
		}
		const file = caseFilePath(flags.db as string);
		// Rules run over evidence already imported: a case file that is not there is not made empty.
		openCaseFile(file, {readonly: true}).close();
		const db = openCaseFile(file);
		try {
			const run = evaluateSigma(db, set);
			const stored = storeSigma(db, run);
			const saved = flags.save ? saveSigmaPaths(db, paths) : undefined;
			process.stdout.write(flags.json ? `${JSON.stringify(sigmaJson(run))}\n` : formatRun(run, stored, saved));
			return 0;
		} finally {
			db.close();
		}
	},
};
