import fs from 'node:fs';
import {listFindings} from '../findings/queries.js';
import {exportEvents} from '../db/timeline-export.js';
import {csvHeader, csvLine, timesketchLine, type EventFindings} from '../export/timeline.js';
import {UsageError} from '../lib/errors.js';
import {dbFlag, type Command} from './command.js';
import {openForQuery, timeFlag} from './query-common.js';

const formats = ['timesketch', 'csv'] as const;

export const exportCommand: Command = {
	name: 'export',
	summary: 'the timeline for Timesketch (JSON Lines) or Timeline Explorer (CSV), with findings and triage',
	help: `
	Usage
	  $ mfatrail export --format timesketch|csv [--out FILE] [--db FILE] [--findings-only]
	                    [--principal ARN] [--since T] [--until T]

	Writes the case's events in time order, one per line: Timesketch's JSON Lines (message,
	datetime, timestamp_desc, then eventID, principal, event name and source, source IP, access
	key, user agent, error code, region, account) or CSV for Timeline Explorer with the same
	columns. An event that is evidence of findings names their rules (finding_rule) and triage
	statuses (triage_status). Evidence strings are escaped for the format (CSV cells cannot start
	a formula). See docs/export.md.

	Options
	  --format F         timesketch (JSON Lines) or csv
	  --out FILE         write to FILE instead of standard output
	  --findings-only    only events that are evidence of a finding
	  --principal ARN    only this principal's calls
	  --since T          only events at or after T (2024-03-01, 2024-03-01T10:00Z, 7d)
	  --until T          only events at or before T (a date alone includes that whole day)

	Examples
	  $ mfatrail export --format timesketch --out case.jsonl --db case.db
	  $ mfatrail export --format csv --findings-only --out findings.csv --db case.db
`,
	flags: {
		...dbFlag,
		format: {type: 'string'},
		out: {type: 'string'},
		findingsOnly: {type: 'boolean', default: false},
		principal: {type: 'string'},
		since: {type: 'string'},
		until: {type: 'string'},
	},
	async run(_input, flags) {
		const format = flags.format as string | undefined;
		if (!format || !formats.includes(format as (typeof formats)[number])) throw new UsageError(`--format must be ${formats.join(' or ')}`);
		const since = timeFlag(flags.since);
		const until = timeFlag(flags.until, {endOfDay: true});
		const db = openForQuery(flags);
		const out = flags.out ? fs.openSync(flags.out as string, 'w', 0o600) : undefined;
		// Standard output may be a pipe: wait for it to drain rather than buffer a whole case.
		const write = async (text: string) => {
			if (out !== undefined) fs.writeSync(out, text);
			else if (!process.stdout.write(text)) await new Promise(resolve => process.stdout.once('drain', resolve));
		};
		try {
			// The findings each event is evidence of (built-in and Sigma), with their triage.
			const byEvent = new Map<string, EventFindings>();
			for (const f of listFindings(db)) {
				for (const id of f.eventIds) {
					let entry = byEvent.get(id);
					if (!entry) byEvent.set(id, (entry = {rules: [], statuses: []}));
					entry.rules.push(f.rule);
					entry.statuses.push(f.status);
				}
			}
			const principal = flags.principal as string | undefined;
			const events = exportEvents(db, {principal, since, until, eventIds: flags.findingsOnly ? [...byEvent.keys()] : undefined});
			const line = format === 'csv' ? csvLine : timesketchLine;
			let buffer = format === 'csv' ? csvHeader : '';
			for (const e of events) {
				buffer += line(e, byEvent.get(e.eventId));
				if (buffer.length > 1 << 16) {
					await write(buffer);
					buffer = '';
				}
			}
			if (buffer) await write(buffer);
			return 0;
		} finally {
			if (out !== undefined) fs.closeSync(out);
			db.close();
		}
	},
};
