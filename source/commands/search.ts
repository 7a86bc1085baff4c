import {UsageError} from '../lib/errors.js';
import {PivotSearch, pivotShape, type PivotHit} from '../db/pivots.js';
import {fuzzyFloor, ranked, SearchIndex, type SearchHit} from '../model/search.js';
import {safe} from '../lib/terminal-text.js';
import {dbFlag, jsonFlag, type Command} from './command.js';
import {openForQuery, out, printJson, table} from './query-common.js';
import {wrapText} from './query-render.js';

export const searchCommand: Command = {
	name: 'search',
	summary: 'search principals, MFA devices, access keys, source IPs, user agents and eventIDs',
	help: `
	Usage
	  $ mfatrail search <TEXT> [--limit N] [--db FILE] [--json]

	Principals (name, ARN) and MFA devices (name, serial): exact matches first, then names
	containing the text, then fuzzy matches; a pasted full ARN is found however long it is.
	Pivots: access key IDs (AKIA…/ASIA…, a prefix is enough), source IPs (a prefix, or a CIDR such
	as 203.0.113.0/24), eventIDs (a prefix of eight or more characters) and user agents or named
	sources (AWS Internal, ec2.amazonaws.com: any part of the text). Open one with mfatrail key,
	ip, agent or event.

	Examples
	  $ mfatrail search alice --db case.db
	  $ mfatrail search arn:aws:iam::111122223333:mfa/alice --json
	  $ mfatrail search AKIA2BEA
	  $ mfatrail search 203.0.113.0/24
`,
	flags: {...dbFlag, ...jsonFlag, limit: {type: 'number', default: 20}},
	run(input, flags) {
		const text = input.join(' ').trim();
		if (text === '') throw new UsageError('give the text to search for: mfatrail search TEXT');
		const limit = Number(flags.limit);
		if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
		const db = openForQuery(flags);
		try {
			const shape = pivotShape(text);
			// Names and pivots both; a key, address or eventID shape lists the pivots first.
			// Text shaped like a key, address or eventID is looked up as one first; names are searched
			// for free text, or when no such value matched (a name may look like a key), and then
			// only exact and substring matches count (the fuzzy pass over a key-like text costs seconds at 1M).
			const pivots = shape === 'text' ? [] : new PivotSearch(db).search(text, {limit});
			const hits =
				shape === 'cidr' || pivots.length > 0 ? [] : SearchIndex.searchOnce(db, text, {limit}).filter(h => shape === 'text' || h.score < fuzzyFloor);
			if (shape === 'text') pivots.push(...new PivotSearch(db).search(text, {limit: Math.max(1, limit - hits.length)}));
			const order = ranked(text, hits, pivots);
			if (flags.json) printJson(order.map(r => r.hit ?? r.pivot));
			else if (hits.length === 0 && pivots.length === 0) out(`nothing matches ${safe(JSON.stringify(text))}`);
			else {
				// Runs of the ranked list, each under its own header: names, or keys/IPs/agents/events.
				const blocks: string[][] = [];
				for (let i = 0; i < order.length; ) {
					let j = i;
					while (j < order.length && Boolean(order[j].hit) === Boolean(order[i].hit)) j++;
					const run = order.slice(i, j);
					blocks.push(order[i].hit ? nameLines(run.map(r => r.hit!)) : pivotLines(run.map(r => r.pivot!)));
					i = j;
				}
				out(blocks.flatMap((b, i) => (i === 0 ? b : ['', ...b])).join('\n'));
			}
			return hits.length + pivots.length > 0 ? 0 : 1;
		} finally {
			db.close();
		}
	},
};

/** Principals and devices; the full ARN or serial goes on its own line: it is what `user`/`device` take. */
function nameLines(hits: SearchHit[]): string[] {
	const rows = table(['KIND', 'NAME', 'ACCOUNT', 'FACT'], hits.map(h => [h.kind, h.label, h.accountId, h.fact]), [9, 26, 12, 26]).split('\n');
	return [rows[0], ...hits.flatMap((h, i) => [rows[i + 1], `  ${safe(h.id)}`])];
}

function pivotLines(pivots: PivotHit[]): string[] {
	const lines = ['KIND        CALLS  FIRST … LAST (UTC); the value below, whole'];
	for (const p of pivots) {
		const seen = p.firstSeen ? `${p.firstSeen.slice(0, 16).replace('T', ' ')} … ${p.lastSeen!.slice(0, 16).replace('T', ' ')}` : '';
		lines.push(`${p.kind.padEnd(10)}  ${p.count === null ? '     ' : String(p.count).padStart(5)}  ${seen}`.trimEnd(), ...wrapText(safe(p.id), 80, '  '));
		if (p.principal) lines.push(...wrapText(`by ${safe(p.principal)}`, 80, '    '));
	}
	return lines;
}
