import {UsageError} from '../lib/errors.js';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {caseFilePath, openCaseFile} from '../db/open.js';
import {findPrincipals} from '../db/queries.js';
import {parseTimeArgument} from '../lib/time.js';
import {safe} from '../lib/terminal-text.js';
import {renderHtml} from '../report/html.js';
import {renderMarkdown} from '../report/markdown.js';
import {buildReport, type CaseFileFacts} from '../report/model.js';
import {findingsCsv, sha256, sourcesCsv, type Beside} from '../report/beside.js';
import {dbFlag, type Command} from './command.js';
import {statusFlag} from './findings.js';
import {toolVersion} from '../package-root.js';

/** SHA-256 of a file's bytes, read in chunks (a case file can be gigabytes). */
export function fileSha256(file: string): string {
	const hash = crypto.createHash('sha256');
	const fd = fs.openSync(file, 'r');
	try {
		const buffer = Buffer.allocUnsafe(4 << 20);
		for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, n));
	} finally {
		fs.closeSync(fd);
	}
	return hash.digest('hex');
}

export const reportCommand: Command = {
	name: 'report',
	summary: 'the case report to hand over: evidence, verify result, findings with triage and evidence, charts (HTML or Markdown)',
	help: `
	Usage
	  $ mfatrail report [--db FILE] [--format html|md] [--out FILE] [--status S] [--principal ARN]… [--generated-at T]

	The report to hand over: the case (evidence inventory, time span, accounts, the verify result,
	the scope of a scoped extract, tool version and the case file's SHA-256), the findings by
	rule and then principal with their triage status, note, summary and evidence table (and the
	Sigma rules behind any, credited), and per principal with
	findings a chart of its MFA devices' lives with the sign-ins that used them and its sign-in
	outcomes over time; the SHA-256 of every evidence source and the triage journal as appendix.

	HTML is one self-contained file (inline CSS and SVG, no script, nothing fetched, printable);
	Markdown is for tickets (charts as tables). The same case file and options give byte-identical
	output: the time shown is the case's last import, or --generated-at. The case file is opened
	read-only and hashed before, so the report never changes it.

	Options
	  --db FILE           case file (default ./mfatrail.db, or $MFATRAIL_DB)
	  --format F          html (default) or md
	  --out FILE          write here (created owner-only) instead of standard output; beside it
	                      FILE.findings.csv (every finding with every evidence event) and
	                      FILE.sources.csv (every evidence source with its SHA-256), which the
	                      report names with their SHA-256: it then shows at most 20 principals
	                      per rule, 3 findings per rule and principal, 10 evidence events each
	  --status S          only findings with this triage status (needs-review, confirmed, benign;
	                      comma-separated for several)
	  --principal ARN     only findings about this principal (ARN or user name; repeatable)
	  --generated-at T    the time the report states (default: the last import's end)

	Examples
	  $ mfatrail report --db case.db --out case-report.html
	  $ mfatrail report --db case.db --format md --status confirmed > ticket.md
`,
	flags: {
		...dbFlag,
		format: {type: 'string', default: 'html'},
		out: {type: 'string'},
		status: {type: 'string'},
		principal: {type: 'string', isMultiple: true},
		generatedAt: {type: 'string'},
	},
	run(_input, flags) {
		const format = flags.format as string;
		if (format !== 'html' && format !== 'md') throw new UsageError(`unknown format ${JSON.stringify(format)}; use html or md`);
		const status = statusFlag(flags.status);
		const generatedAt = flags.generatedAt ? parseTimeArgument(flags.generatedAt as string) : undefined;
		const file = caseFilePath(flags.db as string);
		if (!fs.existsSync(file)) throw new UsageError(`case file not found: ${file} (import evidence first: mfatrail import PATH --db ${file})`);
		// Hashed before it is opened: what the report states is the file as it was handed over.
		const wal = `${file}-wal`;
		const caseFile: CaseFileFacts = {name: path.basename(file), sha256: fileSha256(file), walBytes: fs.existsSync(wal) ? fs.statSync(wal).size : 0, toolVersion: toolVersion()};
		const out = flags.out as string | undefined;
		let beside: Beside | undefined;
		const db = openCaseFile(file, {readonly: true});
		let text: string;
		try {
			const principals: string[] = [];
			for (const wanted of (flags.principal as string[] | undefined) ?? []) {
				const found = findPrincipals(db, wanted);
				if (found.length === 0) {
					process.stderr.write(`mfatrail report: no principal ${safe(wanted)} in this case file\n`);
					return 1;
				}
				if (found.length > 1) {
					process.stderr.write(`mfatrail report: ${safe(wanted)} names ${found.length} principals; give the ARN:\n${found.map(p => `  ${safe(p.arn)}`).join('\n')}\n`);
					return 2;
				}
				principals.push(found[0].arn);
			}
			const model = buildReport(db, caseFile, {status, principals: principals.length > 0 ? principals : undefined, generatedAt});
			// Written to a file, the report puts every finding's evidence and the sources' hashes in
			// CSV files beside it and stays bounded (source/report/beside.ts).
			if (out) {
				const base = out.replace(/\.(html?|md)$/i, '');
				const files = {findings: [`${base}.findings.csv`, findingsCsv(model)], sources: [`${base}.sources.csv`, sourcesCsv(model)]} as const;
				for (const [file, content] of Object.values(files)) fs.writeFileSync(file, content, {mode: 0o600});
				beside = {
					findings: {name: path.basename(files.findings[0]), sha256: sha256(files.findings[1])},
					sources: {name: path.basename(files.sources[0]), sha256: sha256(files.sources[1])},
				};
			}
			text = format === 'html' ? renderHtml(model, beside) : renderMarkdown(model, beside);
		} finally {
			db.close();
		}
		if (!out) {
			process.stdout.write(text);
			return 0;
		}
		fs.writeFileSync(out, text, {mode: 0o600});
		process.stderr.write(`wrote ${safe(path.resolve(out))} (${Buffer.byteLength(text)} bytes) and beside it ${safe(beside!.findings.name)} and ${safe(beside!.sources.name)}\n`);
		return 0;
	},
};
