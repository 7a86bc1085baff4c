/**
 * The pivots' scriptable twins: `mfatrail key`, `mfatrail ip`, `mfatrail agent`. Human output
 * within 80 columns with every identifier whole (wrapped onto a line of its own when long).
 */
import {UsageError} from '../lib/errors.js';
import {ipView, keyCalls, keyView, userAgentView} from '../db/pivots.js';
import {safe} from '../lib/terminal-text.js';
import {geoLabel, openGeo, type GeoLookup} from '../lib/geoip.js';
import {dbFlag, jsonFlag, type Command} from './command.js';
import {openForQuery, out, printJson} from './query-common.js';
import {shortTime, signInLabel, signInResult, wrapText} from './query-render.js';

const span = (u: {firstSeen: string | null; lastSeen: string | null}) => (u.firstSeen ? `${shortTime(u.firstSeen)} … ${shortTime(u.lastSeen)}` : '');

/** "label value" with the value wrapped under the label when it does not fit. */
function field(label: string, value: string): string[] {
	const indent = ' '.repeat(10);
	const lines = wrapText(value, 80, indent);
	return lines.length === 0 ? [label] : [`${label.padEnd(10)}${lines[0].slice(indent.length)}`, ...lines.slice(1)];
}

const geoFlag = {geoip: {type: 'string', default: ''}} as const;

function geoFor(flags: Record<string, unknown>): GeoLookup {
	return openGeo({file: (flags.geoip as string) || undefined});
}

export const keyCommand: Command = {
	name: 'key',
	summary: 'an access key: owner, where it was minted, MFA, every call it made (denied marked)',
	help: `
	Usage
	  $ mfatrail key <ACCESS_KEY_ID> [--limit N] [--after TIME#ROW] [--db FILE] [--json]

	Who used the key (AKIA… long-term, ASIA… session), where it was minted (long-term,
	GetSessionToken, AssumeRole, AssumeRoot, console sign-in: from the minting call when it is in
	the evidence, else from its first call's session context), whether its session was
	MFA-authenticated, and its calls in time order, denied ones marked DENIED.

	Calls are paged: --limit N per page (200); the last line names the --after value of the next page.

	Exit status: 0 found, 1 the key is not in the evidence.

	Examples
	  $ mfatrail key AKIAIOSFODNN7EXAMPLE --db case.db
	  $ mfatrail key ASIAXXXXXXXXXXXXXXXX --json --limit 1000
`,
	flags: {...dbFlag, ...jsonFlag, limit: {type: 'number', default: 200}, after: {type: 'string', default: ''}},
	run(input, flags) {
		if (input.length !== 1) throw new UsageError('name one access key: mfatrail key AKIA…|ASIA…');
		const limit = Number(flags.limit);
		if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
		const after = /^(.+)#(\d+)$/.exec(String(flags.after ?? ''));
		if (flags.after && !after) throw new UsageError('--after takes TIME#ROW as printed at the end of a page');
		const db = openForQuery(flags);
		try {
			const key = input[0].trim().toUpperCase();
			const view = keyView(db, key);
			if (!view) {
				process.stderr.write(`mfatrail key: no call with access key ${safe(JSON.stringify(input[0]))} in the case file\n`);
				return 1;
			}
			const calls = keyCalls(db, key, {limit, ...(after ? {afterTime: after[1], afterEvent: Number(after[2])} : {})});
			const last = calls[calls.length - 1];
			const next = calls.length === limit && last ? `${last.eventTime}#${last.event}` : null;
			if (flags.json) {
				printJson({...view, calls, next});
				return 0;
			}
			const m = view.minted;
			const lines = [
				...field('Key', `${safe(view.accessKeyId)} (${view.kind})`),
				...field('Owner', view.owner ? safe(view.owner) : 'unknown'),
				...(view.principals.length > 1 ? field('Also used', view.principals.filter(p => p !== view.owner).map(safe).join(' ')) : []),
				...field('Minted', `${m.how}${m.eventTime ? ` at ${shortTime(m.eventTime)} UTC` : ''} (${safe(m.basis)})`),
				...(m.by ? field('by', `${safe(m.by)}${m.byAccessKeyId ? ` with ${safe(m.byAccessKeyId)}` : ''}${m.sourceIPAddress ? ` from ${safe(m.sourceIPAddress)}` : ''}`) : []),
				...(m.mfaSerial ? field('MFA', safe(m.mfaSerial)) : []),
				...(m.eventId ? field('event', safe(m.eventId)) : []),
				...field('MFA auth', view.mfaAuthenticated === null ? (view.kind === 'long-term' ? 'not applicable (long-term key)' : 'not logged') : view.mfaAuthenticated ? 'yes' : 'no'),
				...field('Seen', `${span(view)} UTC, ${view.callCount} calls, ${view.deniedCount} denied`),
				...field('From', view.sourceIPs.map(safe).join(' ')),
				...field('Accounts', view.accounts.map(safe).join(' ')),
				'',
				`Calls${after ? ' (continued)' : ''}: TIME (UTC), EVENT, RESULT; eventID and source IP below`,
			];
			for (const c of calls) {
				const result = c.denied ? `DENIED ${c.errorCode}` : c.errorCode ? `FAILED ${c.errorCode}` : 'ok';
				lines.push(`  ${shortTime(c.eventTime)}  ${safe(c.eventName ?? '')}  ${safe(result)}`, ...wrapText(`${safe(c.eventId)}  ${safe(c.sourceIPAddress ?? '')}`, 80, '    '));
			}
			if (next) lines.push(`more: mfatrail key ${safe(view.accessKeyId)} --after ${next}`);
			out(lines.join('\n'));
			return 0;
		} finally {
			db.close();
		}
	},
};

export const ipCommand: Command = {
	name: 'ip',
	summary: 'a source IP or CIDR: its country and ASN, the principals and sign-ins from it',
	help: `
	Usage
	  $ mfatrail ip <IP|CIDR|NAME> [--geoip FILE] [--limit N] [--db FILE] [--json]

	--limit N   principals (the busiest) and sign-ins (the first) listed; 500 by default

	The principals that called from the address (or any address in the CIDR, e.g. 203.0.113.0/24),
	with their first and last calls, and the sign-ins from it. Country and ASN come from the
	database shipped with mfatrail, or from your own MaxMind file (--geoip GeoLite2-City.mmdb,
	GeoIP2-ASN.mmdb, ...). Source "IPs" that are names (AWS Internal, ec2.amazonaws.com) are shown
	as what they are.

	Exit status: 0 found, 1 not in the evidence.

	Examples
	  $ mfatrail ip 203.0.113.66 --db case.db
	  $ mfatrail ip 198.51.100.0/24 --json
`,
	flags: {...dbFlag, ...jsonFlag, ...geoFlag, limit: {type: 'number', default: 500}},
	run(input, flags) {
		if (input.length !== 1) throw new UsageError('name one address or CIDR: mfatrail ip 203.0.113.66');
		const limit = Number(flags.limit);
		if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
		const geo = geoFor(flags);
		const db = openForQuery(flags);
		try {
			const view = ipView(db, input[0], {limit});
			if (!view) {
				process.stderr.write(`mfatrail ip: no call or sign-in from ${safe(JSON.stringify(input[0]))} in the case file\n`);
				return 1;
			}
			const geos = Object.fromEntries(view.addresses.slice(0, 200).map(a => [a, geo.lookup(a)]));
			if (flags.json) {
				printJson({...view, geo: geos, geoSource: geo.source});
				return 0;
			}
			const lines = [
				...field('Address', safe(view.ip)),
				...(view.addresses.length === 1 ? field('Where', safe(geoLabel(geos[view.addresses[0]]))) : field('Covers', `${view.addresses.length} addresses in the evidence`)),
				...field('Seen', `${span(view)} UTC, ${view.eventCount} calls, ${view.signInCount} sign-ins`),
				...field('Geo data', safe(geo.source)),
				'',
				`Principals (${view.principalCount}${view.principalCount > view.principals.length ? `, the ${view.principals.length} busiest` : ''}): CALLS, FIRST … LAST (UTC); ARN below`,
			];
			for (const p of view.principals) lines.push(`  ${String(p.count).padStart(6)}  ${span(p)}`, ...wrapText(p.arn ? safe(p.arn) : '(no identity ARN: AWS service or unnamed caller)', 80, '    '));
			if (view.addresses.length > 1) {
				lines.push('', `Addresses (${view.addresses.length}${view.addresses.length > 200 ? ', the first 200' : ''})`);
				for (const a of view.addresses.slice(0, 200)) lines.push(`  ${safe(a)}  ${safe(geoLabel(geos[a]))}`);
			}
			lines.push('', `Sign-ins (${view.signInCount}${view.signInCount > view.signIns.length ? `, the first ${view.signIns.length}` : ''}): TIME (UTC), STEP, RESULT; principal below`);
			for (const s of view.signIns) lines.push(`  ${shortTime(s.eventTime)}  ${signInLabel(s.eventName)}  ${safe(signInResult(s))}${view.addresses.length > 1 ? `  ${safe(s.sourceIPAddress ?? '')}` : ''}`, ...wrapText(safe(s.principalArn), 80, '    '));
			out(lines.join('\n'));
			return 0;
		} finally {
			db.close();
		}
	},
};

export const agentCommand: Command = {
	name: 'agent',
	summary: 'a user agent: who used it, and when',
	help: `
	Usage
	  $ mfatrail agent <USER_AGENT> [--limit N] [--after ARN] [--db FILE] [--json]

	The principals that called with exactly this user agent (quote it), with their number of calls
	and first and last use, in ARN order; --limit N per page (200), --after ARN for the next page.
	Find user agents with mfatrail search (part of the text is enough).

	Exit status: 0 found, 1 not in the evidence.

	Examples
	  $ mfatrail agent "aws-cli/2.9.19 Python/3.9.11 Linux/5.15.0-1030-aws" --db case.db
`,
	flags: {...dbFlag, ...jsonFlag, limit: {type: 'number', default: 200}, after: {type: 'string', default: ''}},
	run(input, flags) {
		if (input.length < 1) throw new UsageError('give the user agent: mfatrail agent "aws-cli/2.9 …"');
		const limit = Number(flags.limit);
		if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
		const db = openForQuery(flags);
		try {
			const userAgent = input.join(' ');
			const view = userAgentView(db, userAgent, {limit, after: (flags.after as string) || undefined});
			if (!view) {
				process.stderr.write(`mfatrail agent: no call with user agent ${safe(JSON.stringify(userAgent))} in the case file\n`);
				return 1;
			}
			const last = view.principals[view.principals.length - 1];
			const next = view.more && last?.arn ? last.arn : null;
			if (flags.json) {
				printJson({...view, next});
				return 0;
			}
			const lines = [
				...field('Agent', safe(view.userAgent)),
				...field('Seen', `${span(view)} UTC, ${view.eventCount} calls`),
				'',
				`Principals (${view.principals.length}${view.more ? ', more follow' : ''}): CALLS, FIRST … LAST (UTC); ARN below`,
			];
			for (const p of view.principals) lines.push(`  ${String(p.count).padStart(6)}  ${span(p)}`, ...wrapText(p.arn ? safe(p.arn) : '(no identity ARN: AWS service or unnamed caller)', 80, '    '));
			if (next) lines.push(...wrapText(`more: mfatrail agent … --after ${safe(next)}`, 80, ''));
			out(lines.join('\n'));
			return 0;
		} finally {
			db.close();
		}
	},
};
