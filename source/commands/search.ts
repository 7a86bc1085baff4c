import {SearchIndex} from '../model/search.js';
import {safe} from '../lib/terminal-text.js';
import {dbFlag, jsonFlag, type Command} from './command.js';
import {openForQuery, out, printJson, table} from './query-common.js';

export const searchCommand: Command = {
	name: 'search',
	summary: 'fuzzy search over principals (name, ARN) and MFA devices (name, serial)',
	help: `
	Usage
	  $ mfatrail search <TEXT> [--limit N] [--db FILE] [--json]

	Exact ARN, serial or name matches come first, then names containing the text, then fuzzy
	matches. A pasted full ARN is found however long it is.

	Examples
	  $ mfatrail search alice --db case.db
	  $ mfatrail search arn:aws:iam::111122223333:mfa/alice --json
`,
	flags: {...dbFlag, ...jsonFlag, limit: {type: 'number', default: 20}},
	run(input, flags) {
		const text = input.join(' ').trim();
		if (text === '') throw new Error('give the text to search for: mfatrail search TEXT');
		const limit = Number(flags.limit);
		if (!Number.isInteger(limit) || limit < 1) throw new Error('--limit must be a positive whole number');
		const db = openForQuery(flags);
		try {
			const hits = SearchIndex.searchOnce(db, text, {limit});
			if (flags.json) printJson(hits);
			else if (hits.length === 0) out(`no principal or device matches ${safe(JSON.stringify(text))}`);
			else {
				// The full ARN or serial goes on its own line: it is what `user`/`device` take.
				const lines = table(['KIND', 'NAME', 'ACCOUNT', 'FACT'], hits.map(h => [h.kind, h.label, h.accountId, h.fact]), [9, 26, 12, 26]).split('\n');
				out([lines[0], ...hits.flatMap((h, i) => [lines[i + 1], `  ${safe(h.id)}`])].join('\n'));
			}
			return hits.length > 0 ? 0 : 1;
		} finally {
			db.close();
		}
	},
};
