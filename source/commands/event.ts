import {UsageError} from '../lib/errors.js';
import {eventRecord} from '../db/queries.js';
import {prettyJson} from '../lib/pretty-record.js';
import {safe} from '../lib/terminal-text.js';
import {dbFlag, jsonFlag, type Command} from './command.js';
import {openForQuery, out, printJson} from './query-common.js';

export {prettyJson} from '../lib/pretty-record.js';

export const eventCommand: Command = {
	name: 'event',
	summary: 'one record by eventID: the original text, pretty-printed, with its provenance',
	help: `
	Usage
	  $ mfatrail event <EVENT_ID> [--db FILE] [--json]

	Prints the record exactly as it was in the evidence (re-indented only; values untouched), and
	where it was found: file, archive member, SHA-256, position. A conflicting second version of the
	same eventID is shown too. --json gives the verbatim record text as a string.

	Exit status: 0 found, 1 no such eventID.

	Example
	  $ mfatrail event 8feee4c2-5e27-4857-8475-bfa7e7b6d791 --db case.db
`,
	flags: {...dbFlag, ...jsonFlag},
	run(input, flags) {
		if (input.length !== 1) throw new UsageError('name one eventID: mfatrail event EVENT_ID');
		const db = openForQuery(flags);
		try {
			const record = eventRecord(db, input[0]);
			if (!record) {
				process.stderr.write(`mfatrail event: no event with eventID ${safe(JSON.stringify(input[0]))} in this case file\n`);
				return 1;
			}
			if (flags.json) {
				printJson(record);
				return 0;
			}
			const lines: string[] = [];
			record.versions.forEach((v, n) => {
				const notes = [v.conflict ? 'CONFLICT: another record has this eventID with other content' : '', v.partial ? 'partial export' : '', v.derived ? 'eventID derived from content' : '']
					.filter(Boolean)
					.join('; ');
				if (record.versions.length > 1) lines.push(`Version ${n + 1} of ${record.versions.length}`);
				if (notes) lines.push(notes);
				for (const p of v.provenance) {
					lines.push(`source   ${safe(p.path)}${p.member ? ` :: ${safe(p.member)}` : ''} (${safe(p.format)}, record ${p.position})`);
					lines.push(`  sha256 ${safe(p.sha256)}`);
					if (p.contentSha256 !== p.sha256) lines.push(`  sha256 ${safe(p.contentSha256)} (decompressed)`);
				}
				lines.push('', prettyJson(v.record) ?? safe(v.record), '');
			});
			out(lines.join('\n'));
			return 0;
		} finally {
			db.close();
		}
	},
};
