import {caseFilePath, openCaseFile} from '../db/open.js';
import {importPaths, type ImportSummary} from '../import/index.js';
import {safe} from '../lib/terminal-text.js';
import {dbFlag, jsonFlag, type Command} from './command.js';
import {toolVersion} from './main.js';

/** 0 clean, 3 some inputs or records rejected, 1 nothing could be imported. */
export function importExitStatus(summary: ImportSummary): number {
	const anyRejected = summary.files.rejected > 0 || summary.records.rejected > 0;
	if (summary.files.imported === 0 && summary.files.skipped === 0 && anyRejected) return 1;
	return anyRejected ? 3 : 0;
}

export const importCommand: Command = {
	name: 'import',
	summary: 'import CloudTrail evidence (files, folders, archives, - for stdin) into the case file',
	help: `
	Usage
	  $ mfatrail import <path…> [--db FILE] [--json]

	Reads CloudTrail log files (.json, .json.gz, S3 layout), digest files, lookup-events output,
	JSON arrays, single records, EventBridge envelopes, JSON lines, console Event history
	downloads (JSON, CSV) and .zip/.tar/.tgz archives of them. Formats are recognised by content.

	Options
	  --db FILE   case file (default ./mfatrail.db, or $MFATRAIL_DB)
	  --json      print one JSON summary object on stdout

	Exit status: 0 all imported, 3 some inputs or records rejected, 1 nothing imported.

	Examples
	  $ mfatrail import AWSLogs/ --db case.db
	  $ aws cloudtrail lookup-events --output json | mfatrail import - --db case.db
`,
	flags: {...dbFlag, ...jsonFlag},
	async run(input, flags) {
		if (input.length === 0) throw new Error('name at least one file or folder to import (or - for stdin)');
		const db = openCaseFile(caseFilePath(flags.db as string));
		try {
			const summary = await importPaths(db, input, {argv: process.argv.slice(2), toolVersion: toolVersion()});
			if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
			else {
				const {files, records} = summary;
				process.stdout.write(
					`files: ${files.seen} seen, ${files.imported} imported, ${files.skipped} skipped, ${files.rejected} rejected\n` +
						`records: ${records.seen} seen, ${records.inserted} inserted, ${records.duplicates} duplicates, ${records.conflicts} conflicts, ${records.rejected} rejected\n`,
				);
				for (const e of summary.errors.slice(0, 20)) process.stderr.write(`  ${safe(e.source)}: ${safe(e.reason)}\n`);
			}
			return importExitStatus(summary);
		} finally {
			db.close();
		}
	},
};
