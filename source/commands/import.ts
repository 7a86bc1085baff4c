import {UsageError} from '../lib/errors.js';
import {caseFilePath, openCaseFile} from '../db/open.js';
import {recordScope} from '../db/scope.js';
import {readScopeFile, scopeFileName, scopeFilesOf} from '../scope/scope-file.js';
import {importEvidence, type ImportProgress, type ImportSummary, type PipelineSummary} from '../pipeline.js';
import {readRulesConfig} from '../findings/settings.js';
import {storedThresholds} from '../findings/refresh.js';
import {safe} from '../lib/terminal-text.js';
import {dbFlag, jsonFlag, type Command} from './command.js';
import {exitCodes, signalExitCode} from './exit.js';
import {toolVersion} from '../package-root.js';

/**
 * The import's line of the exit-code table (exit.ts): 128+N stopped by signal N (130 SIGINT, 143
 * SIGTERM), 3 some inputs or records rejected (even all of them: each is named), 1 no evidence in
 * what was named (an empty folder, files without records), 0 all imported or already there.
 */
export function importExitStatus(summary: ImportSummary, signal?: NodeJS.Signals): number {
	if (summary.interrupted) return signalExitCode(signal ?? 'SIGINT');
	const anyRejected = summary.files.rejected > 0 || summary.records.rejected > 0;
	if (anyRejected) return exitCodes.partialImport;
	if (summary.files.imported === 0 && summary.files.skipped === 0) return exitCodes.nothingFound;
	return exitCodes.ok;
}

export const importCommand: Command = {
	name: 'import',
	summary: 'import CloudTrail evidence (files, folders, archives, - for stdin) into the case file',
	help: `
	Usage
	  $ mfatrail import <path…> [--db FILE] [--json] [--scope FILE]…

	Reads CloudTrail log files (.json, .json.gz, S3 layout), digest files, lookup-events output,
	JSON arrays, single records, EventBridge envelopes, JSON lines, console Event history
	downloads (JSON, CSV), Sentinel AWSCloudTrail CSV and .zip/.tar/.tgz archives of them.
	Formats are recognised by content. Importing again adds nothing twice.

	Options
	  --db FILE   case file (default ./mfatrail.db, or $MFATRAIL_DB)
	  --json      print one JSON summary object on stdout
	  --scope FILE  the evidence is a scoped extract: record the scope file written by
	              mfatrail scope (a folder's own ${scopeFileName} is found without it)
	  --rules-config FILE  the rules' windows and thresholds, as for mfatrail findings
	              (mfatrail findings --explain RULE shows them); stored for later imports

	Exit status: 0 all imported (or already there), 1 no evidence in what was named (an empty
	folder), 3 some inputs or records rejected (each named), 5 the case file cannot be written
	(a full disk: free space and run the same command again), 130 Ctrl-C / 143 SIGTERM
	(imported sources are kept: run the same command again to complete it).

	Examples
	  $ mfatrail import AWSLogs/ --db case.db
	  $ aws cloudtrail lookup-events --output json | mfatrail import - --db case.db
`,
	flags: {...dbFlag, ...jsonFlag, scope: {type: 'string', isMultiple: true}, rulesConfig: {type: 'string'}},
	async run(input, flags) {
		if (input.length === 0) throw new UsageError('name at least one file or folder to import (or - for stdin)');
		// Read before anything is written: a damaged scope file stops the import in one line.
		const given = (flags.scope as string[] | undefined) ?? [];
		const scopes = [...new Set([...given, ...scopeFilesOf(input)])].map(readScopeFile);
		const configFile = flags.rulesConfig as string | undefined;
		const db = openCaseFile(caseFilePath(flags.db as string));
		// The rules' windows and thresholds, from the file over those the case file holds (stored for later runs).
		let thresholds;
		try {
			thresholds = configFile ? readRulesConfig(configFile, storedThresholds(db)) : undefined;
		} catch (error) {
			db.close();
			throw error;
		}
		for (const scope of scopes) {
			const added = recordScope(db, scope);
			if (!flags.json) process.stderr.write(`scoped extract: ${added ? 'recorded' : 'already recorded'} ${safe(scope.origin ?? '')} (${safe(scope.engine)}, ${scope.objects.length} objects)\n`);
		}
		const controller = new AbortController();
		let signal: NodeJS.Signals | undefined;
		const stop = (received: NodeJS.Signals) => {
			signal ??= received;
			controller.abort();
		};
		process.once('SIGINT', stop);
		process.once('SIGTERM', stop);
		const progress = progressReporter();
		try {
			const summary = await importEvidence(db, input, {
				argv: process.argv.slice(2),
				toolVersion: toolVersion(),
				signal: controller.signal,
				onProgress: progress.update,
				thresholds,
			});
			progress.end();
			const recorded = scopes.map(s => ({engine: s.engine, origin: s.origin, objects: s.objects.length}));
			if (flags.json) process.stdout.write(`${JSON.stringify(recorded.length > 0 ? {...summary, scopes: recorded} : summary)}\n`);
			else printSummary(summary);
			if (summary.interrupted) process.stderr.write('mfatrail import: interrupted; imported sources are kept, run the same command again to complete it\n');
			return importExitStatus(summary, signal);
		} finally {
			progress.end();
			process.off('SIGINT', stop);
			process.off('SIGTERM', stop);
			db.close();
		}
	},
};

function printSummary(summary: PipelineSummary): void {
	const {files, records} = summary;
	process.stdout.write(
		`files: ${files.seen} seen, ${files.imported} imported, ${files.skipped} skipped, ${files.rejected} rejected\n` +
			`records: ${records.seen} seen, ${records.inserted} inserted, ${records.duplicates} duplicates, ${records.conflicts} conflicts, ${records.rejected} rejected\n`,
	);
	if (summary.sigma) process.stdout.write(`sigma (rules saved with the case): ${summary.sigma.loaded} rules evaluated, ${summary.sigma.unsupported.length} unsupported, ${summary.sigma.findings} findings\n`);
	const shown = summary.errors.slice(0, 20);
	for (const e of shown) process.stderr.write(`  rejected ${safe(e.source)}: ${safe(e.reason)}\n`);
	if (summary.errors.length > shown.length) process.stderr.write(`  … ${summary.errors.length - shown.length} more (--json lists up to 1000)\n`);
	for (const s of summary.skipped.slice(0, 10)) process.stderr.write(`  skipped ${safe(s.source)}: ${safe(s.reason)}\n`);
	if (summary.skipped.length > 10) process.stderr.write(`  … ${summary.skipped.length - 10} more skipped\n`);
}

/**
 * Progress on stderr: one line redrawn in place on a terminal (at most 5 times a second), plain
 * lines every 5 seconds otherwise. Nothing for imports that finish within a second.
 */
function progressReporter(): {update: (p: ImportProgress) => void; end: () => void} {
	const tty = Boolean(process.stderr.isTTY);
	const interval = tty ? 200 : 5000;
	let last = Date.now();
	let drawn = false;
	return {
		update(p) {
			const now = Date.now();
			if (now - last < interval || now - p.startedAt < 1000) return;
			last = now;
			const line = progressLine(p, now);
			if (tty) {
				process.stderr.write(`\r\x1b[K${line}`);
				drawn = true;
			} else process.stderr.write(`${line}\n`);
		},
		end() {
			if (drawn) process.stderr.write('\r\x1b[K');
			drawn = false;
		},
	};
}

export function progressLine(p: ImportProgress, now: number): string {
	const seconds = Math.max(0.001, (now - p.startedAt) / 1000);
	const rate = Math.round(p.events / seconds);
	const done = p.bytesDone + (p.current?.bytesDone ?? 0);
	const fraction = p.bytesTotal > 0 ? done / p.bytesTotal : p.sourcesDone / Math.max(1, p.sourcesTotal);
	const eta = fraction > 0 ? Math.round((seconds / fraction) * (1 - fraction)) : undefined;
	const width = 20;
	const filled = Math.round(Math.min(1, fraction) * width);
	const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
	// Within a large file read in parts: how far into it, so a long single file does not look stuck.
	const within = p.current && p.current.bytesTotal > 0 ? ` (this file ${size(p.current.bytesDone)} of ${size(p.current.bytesTotal)})` : '';
	return `${bar} ${p.sourcesDone}/${p.sourcesTotal} sources${within}, ${p.events} events, ${rate} events/s, ETA ${eta === undefined ? '?' : `${eta}s`}`;
}

function size(bytes: number): string {
	if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
	return `${Math.round(bytes / 1024 ** 2)} MiB`;
}

