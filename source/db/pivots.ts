/**
 * The pivots a responder makes from a record: an access key (who owns it, where it was minted,
 * every call it made), a source IP or CIDR (who came from there, and when), a user agent, an
 * eventID. Every answer is read through an index of db/013_explorer.sql, so each stays within a
 * couple of hundred milliseconds at a million events.
 */
import {deniedSql, isDenied} from '../domain/denied.js';
import {mintedAccessKeyId} from '../domain/credentials.js';
import type {CaseFile} from './open.js';
import {encodeIp} from './event-row.js';
import {encodeEventTime, eventTimeSql} from './event-time.js';
import {pivotValue, pivotValueKind, pivotValuesFrom, type PivotValueKind} from './pivot-values.js';
import {RawReader} from './raw.js';
import {listSignIns, type SignInEntry} from './queries.js';

export type PivotKind = 'key' | 'ip' | 'user-agent' | 'event';

export interface PivotHit {
	kind: PivotKind;
	/** The key ID, IP, user agent or eventID, whole. */
	id: string;
	/** Events carrying it (eventIDs: versions stored); null for free-text hits (user agents, named sources), not counted while typing. */
	count: number | null;
	firstSeen: string | null;
	lastSeen: string | null;
	/** Keys and events: the principal that made the calls. */
	principal?: string | null;
}

export interface KeyCall {
	eventTime: string;
	eventName: string | null;
	eventSource: string | null;
	eventId: string;
	sourceIPAddress: string | null;
	userAgent: string | null;
	awsRegion: string | null;
	errorCode: string | null;
	/** Refused for lack of permission (AccessDenied, UnauthorizedOperation, ...). */
	denied: boolean;
	/** event row id: orders ties and pages (afterEvent). */
	event: number;
}

export type KeyKind = 'long-term' | 'session' | 'unknown';
export type MintedHow = 'long-term' | 'GetSessionToken' | 'AssumeRole' | 'AssumeRoot' | 'console' | 'federation' | 'unknown';

export interface KeyView {
	accessKeyId: string;
	kind: KeyKind;
	/** The principal (userIdentity.arn) that made the calls; the first seen when several did. */
	owner: string | null;
	ownerType: string | null;
	/** Every principal seen with the key (normally one). */
	principals: string[];
	minted: {
		how: MintedHow;
		/** The call that minted it, when it is in the evidence (STS call, console sign-in). */
		eventId: string | null;
		eventTime: string | null;
		/** Who asked for it: the caller's ARN and the key it used. */
		by: string | null;
		byAccessKeyId: string | null;
		sourceIPAddress: string | null;
		/** GetSessionToken/AssumeRole with a serialNumber, or the console sign-in's MFA device. */
		mfaSerial: string | null;
		/** How `how` was told: 'minting call in the evidence', 'session context of its first call', ... */
		basis: string;
	};
	/** sessionContext.attributes.mfaAuthenticated of its calls: true, false, or null (long-term keys, not logged). */
	mfaAuthenticated: boolean | null;
	firstSeen: string | null;
	lastSeen: string | null;
	callCount: number;
	deniedCount: number;
	sourceIPs: string[];
	accounts: string[];
}

export interface PrincipalUse {
	arn: string | null;
	count: number;
	firstSeen: string;
	lastSeen: string;
}

export interface IpView {
	/** The address or CIDR asked for. */
	ip: string;
	/** The addresses it covers that appear in the evidence (one for an address). */
	addresses: string[];
	firstSeen: string | null;
	lastSeen: string | null;
	eventCount: number;
	/** Principals that called from it, most calls first (at most `limit`), and how many in all. */
	principals: PrincipalUse[];
	principalCount: number;
	/** Sign-ins from it in time order (the first `limit`), and how many in all. */
	signIns: SignInEntry[];
	signInCount: number;
}

export interface UserAgentView {
	userAgent: string;
	/** First and last use of the user agent by anyone (the whole span, whatever the page). */
	firstSeen: string | null;
	lastSeen: string | null;
	eventCount: number;
	/** Principals that used it, in ARN order (calls without an identity ARN first), one page. */
	principals: PrincipalUse[];
	/** More principals follow: ask again with after = the last ARN. */
	more: boolean;
}



export function keyKind(accessKeyId: string): KeyKind {
	return /^AKIA/.test(accessKeyId) ? 'long-term' : /^ASIA/.test(accessKeyId) ? 'session' : 'unknown';
}

// ——— what a typed text is ———

const keyPattern = /^(?:AKIA|ASIA)[A-Z0-9]{0,28}$/;
const ipv4Prefix = /^\d{1,3}(?:\.\d{0,3}){0,3}$/;
const cidr4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const ipv6ish = /^[0-9a-fA-F:]*:[0-9a-fA-F:.]*(?:\/\d{1,3})?$/;
const eventIdPrefix = /^(?:[0-9a-f]{8}(?:-[0-9a-f-]{0,27})?|derived:[0-9a-f]{0,32})$/i;

export type PivotShape = 'key' | 'ip' | 'cidr' | 'event' | 'text';

/** What a search text looks like: an access key (prefix), an IP (prefix) or CIDR, an eventID (prefix), or free text. */
export function pivotShape(text: string): PivotShape {
	const t = text.trim();
	if (keyPattern.test(t.toUpperCase()) && t.length >= 4) return 'key';
	if (cidr4.test(t) || (ipv6ish.test(t) && t.includes('/'))) return 'cidr';
	if ((ipv4Prefix.test(t) && t.includes('.')) || (ipv6ish.test(t) && /:.*:/.test(t))) return 'ip';
	if (eventIdPrefix.test(t)) return 'event';
	return 'text';
}

/** The smallest text greater than every text starting with `prefix` (for index range scans). */
function after(prefix: string): string {
	return prefix + '\u{10FFFF}';
}

/** IPv4 text → number, or undefined. */
function ipv4(text: string): number | undefined {
	const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
	if (!m) return undefined;
	const parts = m.slice(1).map(Number);
	if (parts.some(p => p > 255)) return undefined;
	return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

/** IPv6 text → 128-bit bigint, or undefined. */
function ipv6(text: string): bigint | undefined {
	let t = text.toLowerCase();
	const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(t);
	if (dotted) {
		const v4 = ipv4(dotted[1]);
		if (v4 === undefined) return undefined;
		t = `${t.slice(0, -dotted[1].length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
	}
	const halves = t.split('::');
	if (halves.length > 2) return undefined;
	const head = halves[0] ? halves[0].split(':') : [];
	const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
	const missing = 8 - head.length - tail.length;
	if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
	const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
	if (groups.length !== 8 || groups.some(g => !/^[0-9a-f]{1,4}$/.test(g))) return undefined;
	return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
}

/** A CIDR as a test, and the text prefix every address in it starts with (to bound the index range). */
export function parseCidr(text: string): {contains(ip: string): boolean; prefix: string} | undefined {
	const m4 = cidr4.exec(text.trim());
	if (m4) {
		const bits = Number(m4[5]);
		const base = ipv4(`${m4[1]}.${m4[2]}.${m4[3]}.${m4[4]}`);
		if (base === undefined || bits > 32) return undefined;
		const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
		const network = (base & mask) >>> 0;
		const octets = Math.floor(bits / 8);
		const prefix = octets === 0 ? '' : `${[m4[1], m4[2], m4[3], m4[4]].slice(0, octets).map(Number).join('.')}.`;
		return {
			contains: ip => {
				const v = ipv4(ip);
				return v !== undefined && (v & mask) >>> 0 === network;
			},
			prefix: octets === 4 ? `${network >>> 24}.${(network >>> 16) & 255}.${(network >>> 8) & 255}.${network & 255}` : prefix,
		};
	}
	const slash = text.trim().lastIndexOf('/');
	if (slash > 0) {
		const base = ipv6(text.trim().slice(0, slash));
		const bits = Number(text.trim().slice(slash + 1));
		if (base === undefined || !Number.isInteger(bits) || bits > 128) return undefined;
		const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(128 - bits);
		const network = base & mask;
		// Text forms of IPv6 vary (zero compression, case): the range is every address containing ':'.
		return {contains: ip => ip.includes(':') && ((ipv6(ip) ?? -1n) & mask) === network, prefix: ''};
	}
	return undefined;
}

/** The first and last address of an IPv4 CIDR as numbers (event_row keeps IPv4 addresses as integers). */
function ipv4Range(text: string): [number, number] | undefined {
	const m = cidr4.exec(text.trim());
	if (!m) return undefined;
	const bits = Number(m[5]);
	const base = ipv4(`${m[1]}.${m[2]}.${m[3]}.${m[4]}`);
	if (base === undefined || bits > 32) return undefined;
	const size = 2 ** (32 - bits);
	const first = Math.floor(base / size) * size;
	return [first, first + size - 1];
}

// ——— search ———

/**
 * Pivot search for the explorer and `mfatrail search`, answered from distinct values and never
 * from events: keys and IPs (prefixes, CIDRs) are ranges of pivot_value (db/021_pivot_value.sql,
 * with their counts and first/last seen), eventID prefixes a range of event_row's eventID index,
 * and free text a substring of the distinct user agents and of source "IPs" that are not
 * addresses (AWS Internal, service names), read once per PivotSearch.
 */
export class PivotSearch {
	private agents: string[] | undefined;
	private lowerAgents: string[] | undefined;
	private readonly statements;

	constructor(private readonly db: CaseFile) {
		this.statements = {
			range: db.prepare(`SELECT value, events, first_seen, last_seen FROM pivot_value WHERE kind = ? AND value >= ? AND value < ? ORDER BY value LIMIT ?`).raw(),
			// The key's first call (the (access_key_id, event_time) index), its ARN decoded.
			keyOwner: db
				.prepare(`SELECT d.value FROM event_row e LEFT JOIN dict d ON d.id = e.identity_arn WHERE e.access_key_id = (SELECT id FROM dict WHERE value = ?) ORDER BY e.event_time LIMIT 1`)
				.pluck(),
			events: db.prepare(`SELECT g.event_id, g.count, ${eventTimeSql('g.firstSeen')} AS firstSeen, ${eventTimeSql('g.lastSeen')} AS lastSeen, d.value AS principal FROM
				(SELECT event_id, count(*) AS count, min(event_time) AS firstSeen, max(event_time) AS lastSeen, min(identity_arn) AS a
				FROM event_row WHERE event_id >= ? AND event_id < ? GROUP BY event_id ORDER BY event_id LIMIT ?) g LEFT JOIN dict d ON d.id = g.a ORDER BY g.event_id`),
		};
	}

	/**
	 * Distinct values of a kind starting with `prefix`, in text order, that `accept` keeps: at most
	 * `limit`, looking at no more than `maxSeen` values (a CIDR that matches few of its range).
	 */
	private values(kind: PivotValueKind, prefix: string, limit: number, accept: (value: string) => boolean = () => true, maxSeen = 5000, end = after(prefix)): {id: string; count: number; firstSeen: string; lastSeen: string}[] {
		const found: {id: string; count: number; firstSeen: string; lastSeen: string}[] = [];
		let from = prefix;
		let seen = 0;
		const page = Math.min(maxSeen, Math.max(limit, 200));
		while (found.length < limit && seen < maxSeen) {
			const rows = this.statements.range.all(pivotValueKind[kind], from, end, Math.min(page, maxSeen - seen)) as [string, number, string, string][];
			for (const [id, count, firstSeen, lastSeen] of rows) {
				seen++;
				if (accept(id)) found.push({id, count, firstSeen, lastSeen});
				if (found.length >= limit) break;
			}
			if (rows.length < page) break;
			from = `${rows[rows.length - 1][0]}\u0000`;
		}
		return found;
	}

	search(text: string, options: {limit?: number} = {}): PivotHit[] {
		const query = text.trim();
		const limit = Math.max(1, options.limit ?? 20);
		if (query.length < 2) return [];
		const shape = pivotShape(query);
		if (shape === 'key') {
			return this.values('key', query.toUpperCase(), limit).map(v => ({kind: 'key' as const, ...v, principal: this.statements.keyOwner.get(v.id) as string | null}));
		}
		if (shape === 'ip' || shape === 'cidr') {
			const cidr = shape === 'cidr' ? parseCidr(query) : undefined;
			if (shape === 'cidr' && !cidr) return [];
			const prefix = cidr ? cidr.prefix : query.toLowerCase();
			return this.values('ip', prefix, limit, ip => !cidr || cidr.contains(ip)).map(v => ({kind: 'ip' as const, ...v}));
		}
		if (shape === 'event') return this.eventIds(query.toLowerCase(), limit);
		// Free text: user agents and non-address source IPs containing it.
		if (!this.agents) this.loadAgents();
		const lower = query.toLowerCase();
		const hits: PivotHit[] = [];
		for (let i = 0; i < this.agents!.length && hits.length < limit; i++) {
			if (!this.lowerAgents![i].includes(lower)) continue;
			const value = this.agents![i];
			const isIp = value.startsWith('\u0000');
			const id = isIp ? value.slice(1) : value;
			const counted = pivotValue(this.db, isIp ? 'ip' : 'agent', id);
			hits.push({kind: isIp ? 'ip' : 'user-agent', id, count: counted?.events ?? null, firstSeen: counted?.firstSeen ?? null, lastSeen: counted?.lastSeen ?? null});
		}
		return hits;
	}

	/**
	 * eventIDs starting with a (lower-case) prefix: a canonical UUID is stored as 16 bytes, so its
	 * hex digits are a range of blobs; any other eventID is text, a range of text.
	 */
	private eventIds(lower: string, limit: number): PivotHit[] {
		type Row = {event_id: string | Buffer; count: number; firstSeen: string; lastSeen: string; principal: string | null};
		const rows: Row[] = [];
		const hex = lower.replaceAll('-', '');
		if (/^[0-9a-f]{1,32}$/.test(hex) && uuidPrefix.test(lower)) {
			const low = Buffer.from(hex.padEnd(32, '0'), 'hex');
			// The first blob past the prefix: the prefix plus one (as a number), padded; none when it is all f.
			const up = hex.replace(/f*$/, '');
			const high = up === '' ? Buffer.alloc(17, 0xff) : Buffer.from(`${up.slice(0, -1)}${(parseInt(up.slice(-1), 16) + 1).toString(16)}`.padEnd(32, '0'), 'hex');
			rows.push(...(this.statements.events.all(low, high, limit) as Row[]));
		}
		rows.push(...(this.statements.events.all(lower, after(lower), limit) as Row[]));
		return rows
			.map(r => ({kind: 'event' as const, id: typeof r.event_id === 'string' ? r.event_id : uuidText(r.event_id), count: r.count, firstSeen: r.firstSeen, lastSeen: r.lastSeen, principal: r.principal}))
			.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
			.slice(0, limit);
	}

	/** Distinct user agents, and source "IPs" that are names (AWS Internal, service hosts), marked with a leading NUL. */
	private loadAgents(): void {
		const agents = this.values('agent', '', 50_000, () => true, 50_000, '\u{10FFFF}').map(v => v.id);
		// Addresses start with a digit (IPv4, most IPv6) or a-f; names (AWS Internal, ec2.amazonaws.com) sort after the digits.
		const names = this.values('ip', 'A', 5000, ip => !ip.includes(':'), 20_000, '\u{10FFFF}').map(v => `\u0000${v.id}`);
		this.agents = [...names, ...agents];
		this.lowerAgents = this.agents.map(a => a.toLowerCase());
	}
}

/** The start of a canonical UUID as typed: hex digits with the dashes where a UUID has them. */
const uuidPrefix = /^[0-9a-f]{8}(?:-(?:[0-9a-f]{0,4}(?:-(?:[0-9a-f]{0,4}(?:-(?:[0-9a-f]{0,4}(?:-[0-9a-f]{0,12})?)?)?)?)?)?)?$/;

/** 16 bytes of a canonical eventID back to its text. */
function uuidText(b: Buffer): string {
	const h = b.toString('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// ——— an access key ———

const callColumns = `e.event_time AS eventTime, e.event_name AS eventName, e.event_source AS eventSource, e.event_id AS eventId,
	e.source_ip AS sourceIPAddress, e.user_agent AS userAgent, e.aws_region AS awsRegion, e.error_code AS errorCode, e.id AS event`;

function keyCall(row: Omit<KeyCall, 'denied'>): KeyCall {
	return {...row, denied: isDenied(row.errorCode)};
}

/** Calls made with a key in time order, paged by (eventTime, event) like listSignIns. */
export function keyCalls(db: CaseFile, accessKeyId: string, options: {limit?: number; afterTime?: string; afterEvent?: number; deniedOnly?: boolean} = {}): KeyCall[] {
	const limit = Math.max(1, Math.floor(options.limit ?? 200));
	// event_row r, in the order of its (access_key_id, event_time) index: the view's event_time is text computed per row.
	const where = ['r.access_key_id = (SELECT id FROM dict WHERE value = ?)'];
	const args: unknown[] = [accessKeyId];
	if (options.afterTime !== undefined) {
		const after = encodeEventTime(options.afterTime);
		where.push('(r.event_time > ? OR (r.event_time = ? AND r.id > ?))');
		args.push(after, after, options.afterEvent ?? 0);
	}
	if (options.deniedOnly) where.push(deniedSql('e.error_code'));
	const rows = db
		.prepare(`SELECT ${callColumns} FROM event e JOIN event_row r ON r.id = e.id WHERE ${where.join(' AND ')} ORDER BY r.event_time, r.id LIMIT ?`)
		.all(...args, limit) as Omit<KeyCall, 'denied'>[];
	const calls = rows.map(keyCall);
	return calls;
}

type Json = Record<string, unknown>;
const object = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);

interface EventRef {
	id: number;
	event_id: string;
	event_time: string;
	event_name: string | null;
	identity_arn: string | null;
	identity_type: string | null;
	access_key_id: string | null;
	source_ip: string | null;
	raw_block: number;
	raw_offset: number;
	raw_length: number;
}

const refColumns = `id, event_id, event_time, event_name, identity_arn, identity_type, access_key_id, source_ip, raw_block, raw_offset, raw_length`;

/** The longest a temporary credential lives (GetSessionToken: 36 h): the minting call is at most this long before first use. */
const longestSession = 36 * 3600 * 1000;

function readJson(raw: RawReader, ref: EventRef): Json | undefined {
	try {
		return object(JSON.parse(raw.text(ref.raw_block, ref.raw_offset, ref.raw_length)));
	} catch {
		return undefined;
	}
}

export function keyView(db: CaseFile, accessKeyId: string): KeyView | undefined {
	const stats = db
		.prepare(`SELECT count(*) AS callCount, min(event_time) AS firstSeen, max(event_time) AS lastSeen,
			max(mfa_authenticated) AS mfaMax, min(mfa_authenticated) AS mfaMin FROM event WHERE access_key_id = ?`)
		.get(accessKeyId) as {callCount: number; firstSeen: string | null; lastSeen: string | null; mfaMax: number | null; mfaMin: number | null};
	if (stats.callCount === 0) return undefined;
	// One pass over the key's calls for what the index does not hold (principals, IPs, accounts, denials).
	const rows = db
		.prepare(`SELECT e.identity_arn AS arn, e.identity_type AS type, e.source_ip AS ip, e.recipient_account_id AS account, e.error_code AS errorCode
			FROM event e JOIN event_row r ON r.id = e.id WHERE r.access_key_id = (SELECT id FROM dict WHERE value = ?) ORDER BY r.event_time, r.id`)
		.all(accessKeyId) as {arn: string | null; type: string | null; ip: string | null; account: string | null; errorCode: string | null}[];
	const principals = [...new Set(rows.map(r => r.arn).filter((a): a is string => a !== null))];
	const sourceIPs = [...new Set(rows.map(r => r.ip).filter((a): a is string => a !== null))].sort();
	const accounts = [...new Set(rows.map(r => r.account).filter((a): a is string => a !== null))].sort();
	const deniedCount = rows.filter(r => isDenied(r.errorCode)).length;
	const kind = keyKind(accessKeyId);
	const first = db
		.prepare(`SELECT ${refColumns.replace(/\w+/g, c => `e.${c}`)} FROM event e JOIN event_row r ON r.id = e.id WHERE r.access_key_id = (SELECT id FROM dict WHERE value = ?) ORDER BY r.event_time, r.id LIMIT 1`)
		.get(accessKeyId) as EventRef;
	return {
		accessKeyId,
		kind,
		owner: first.identity_arn ?? principals[0] ?? null,
		ownerType: first.identity_type,
		principals,
		minted: minting(db, accessKeyId, kind, first),
		// A session is MFA-authenticated when its calls say so; mixed values (never seen) read as not.
		mfaAuthenticated: kind === 'long-term' ? null : stats.mfaMin === null ? null : stats.mfaMin === 1 && stats.mfaMax === 1,
		firstSeen: stats.firstSeen,
		lastSeen: stats.lastSeen,
		callCount: stats.callCount,
		deniedCount,
		sourceIPs,
		accounts,
	};
}

/** Where a key came from: the minting call when it is in the evidence, else what its first call's session context says. */
function minting(db: CaseFile, accessKeyId: string, kind: KeyKind, first: EventRef): KeyView['minted'] {
	const none = {eventId: null, eventTime: null, by: null, byAccessKeyId: null, sourceIPAddress: null, mfaSerial: null};
	if (kind === 'long-term') return {how: 'long-term', ...none, basis: 'an AKIA key is an IAM user\'s (or root\'s) long-term access key'};
	const raw = new RawReader(db);
	const record = readJson(raw, first);
	const identity = object(record?.userIdentity) ?? {};
	const context = object(identity.sessionContext);
	const issuer = object(context?.sessionIssuer);
	const fromConsole = String(record?.sessionCredentialFromConsole ?? '').toLowerCase() === 'true';
	const assumedRoot = String(object(context?.attributes)?.assumedRoot ?? context?.assumedRoot ?? '').toLowerCase() === 'true';
	const type = String(identity.type ?? first.identity_type ?? '');
	let how: MintedHow = 'unknown';
	if (fromConsole) how = 'console';
	else if (assumedRoot) how = 'AssumeRoot';
	else if (type === 'AssumedRole' || issuer?.type === 'Role') how = 'AssumeRole';
	else if (type === 'FederatedUser') how = 'federation';
	else if (type === 'IAMUser') how = 'GetSessionToken';
	else if (type === 'Root') how = 'console';

	// The minting join (domain/credentials.ts): the call whose response named this key, in any
	// account of the case, read from the minted-key index; the latest successful one before first use.
	const candidates = db
		.prepare(`SELECT ${refColumns} FROM event WHERE id IN (
				SELECT e.id FROM event_row e WHERE e.minted_key = (SELECT d.id FROM dict d WHERE d.value = ?))
			ORDER BY (error_code IS NOT NULL), (event_time > ?), event_time DESC`)
		.all(accessKeyId, first.event_time) as EventRef[];
	if (candidates.length === 0 && db.prepare(`SELECT 1 FROM meta WHERE key = 'minted_keys_incomplete'`).get()) {
		// Events imported before the index existed: the STS calls of the longest session before first use, every account.
		const from = new Date(Date.parse(first.event_time) - longestSession).toISOString();
		const scanned = db
			.prepare(`SELECT ${refColumns} FROM event WHERE event_source = 'sts.amazonaws.com' AND event_time >= ? AND event_time <= ? ORDER BY event_time DESC`)
			.all(from, first.event_time) as EventRef[];
		candidates.push(...scanned);
	}
	for (const candidate of candidates) {
		const rec = readJson(raw, candidate);
		if (mintedAccessKeyId(rec?.responseElements) !== accessKeyId) continue;
		const name = candidate.event_name ?? '';
		return {
			how: name === 'GetSessionToken' ? 'GetSessionToken' : name === 'AssumeRoot' ? 'AssumeRoot' : name.startsWith('AssumeRole') ? 'AssumeRole' : name === 'GetFederationToken' ? 'federation' : how,
			eventId: candidate.event_id,
			eventTime: candidate.event_time,
			// An AWS service assuming a role (ec2.amazonaws.com) has no ARN: it is named by invokedBy.
			by: candidate.identity_arn ?? (typeof object(rec?.userIdentity)?.invokedBy === 'string' ? (object(rec?.userIdentity)!.invokedBy as string) : null),
			byAccessKeyId: candidate.access_key_id,
			sourceIPAddress: candidate.source_ip,
			mfaSerial: typeof object(rec?.requestParameters)?.serialNumber === 'string' ? (object(rec?.requestParameters)!.serialNumber as string) : null,
			basis: `minting call ${name} in the evidence`,
		};
	}
	if (how === 'console' && first.identity_arn) {
		// The console sign-in that opened the session: the principal's last successful ConsoleLogin before its first call.
		const login = listSignIns(db, {principalArn: first.identity_arn, until: first.event_time}).filter(s => s.eventName === 'ConsoleLogin' && s.result === 'Success').pop();
		if (login && Date.parse(first.event_time) - Date.parse(login.eventTime) <= longestSession) {
			return {
				how,
				eventId: login.eventId,
				eventTime: login.eventTime,
				by: login.principalArn,
				byAccessKeyId: null,
				sourceIPAddress: login.sourceIPAddress,
				mfaSerial: login.mfaIdentifier,
				basis: 'console session (sessionCredentialFromConsole); the sign-in before its first call',
			};
		}
	}
	return {how, ...none, basis: how === 'unknown' ? 'no minting call in the evidence' : `session context of its first call (${type || 'unknown type'}); no minting call in the evidence`};
}

// ——— an IP or CIDR ———

export function ipView(db: CaseFile, ipOrCidr: string, options: {limit?: number} = {}): IpView | undefined {
	const text = ipOrCidr.trim();
	const cidr = text.includes('/') ? parseCidr(text) : undefined;
	if (text.includes('/') && !cidr) return undefined;
	const limit = Math.max(1, options.limit ?? 500);
	const byPrincipal = new Map<string | null, PrincipalUse>();
	const addUse = (row: PrincipalUse) => {
		const seen = byPrincipal.get(row.arn);
		if (!seen) byPrincipal.set(row.arn, {arn: row.arn, count: row.count, firstSeen: row.firstSeen, lastSeen: row.lastSeen});
		else {
			seen.count += row.count;
			if (row.firstSeen < seen.firstSeen) seen.firstSeen = row.firstSeen;
			if (row.lastSeen > seen.lastSeen) seen.lastSeen = row.lastSeen;
		}
	};
	// Who called from each address: one range of event_row's (source_ip, identity_arn, event_time)
	// index per address, grouped by principal, ARNs decoded after. A CIDR's addresses are the
	// distinct IPs the import keeps (pivot_value) that it contains.
	const group = db.prepare(`SELECT d.value AS arn, g.count, ${eventTimeSql('g.firstSeen')} AS firstSeen, ${eventTimeSql('g.lastSeen')} AS lastSeen FROM
		(SELECT identity_arn AS a, count(*) AS count, min(event_time) AS firstSeen, max(event_time) AS lastSeen FROM event_row WHERE source_ip = ? GROUP BY identity_arn) g
		LEFT JOIN dict d ON d.id = g.a`);
	let addresses: string[];
	if (cidr) {
		addresses = [];
		for (let from = cidr.prefix; ; ) {
			const page = pivotValuesFrom(db, 'ip', from, 1000).filter(v => v.value.startsWith(cidr.prefix));
			for (const v of page) if (cidr.contains(v.value)) addresses.push(v.value);
			if (page.length < 1000) break;
			from = `${page[page.length - 1].value}\u0000`;
		}
	} else addresses = [text];
	// An IPv4 CIDR's addresses stored as integers are one range of the index, grouped once; the
	// rest (IPv6, odd spellings kept as text) one seek each.
	const range = cidr ? ipv4Range(text) : undefined;
	if (range) {
		const rows = db
			.prepare(`SELECT d.value AS arn, g.count, ${eventTimeSql('g.firstSeen')} AS firstSeen, ${eventTimeSql('g.lastSeen')} AS lastSeen FROM
				(SELECT identity_arn AS a, count(*) AS count, min(event_time) AS firstSeen, max(event_time) AS lastSeen FROM event_row
				WHERE source_ip >= ? AND source_ip <= ? GROUP BY identity_arn) g LEFT JOIN dict d ON d.id = g.a`)
			.all(BigInt(range[0]), BigInt(range[1])) as PrincipalUse[];
		for (const row of rows) addUse(row);
	}
	for (const address of addresses) {
		const stored = encodeIp(address);
		if (range && typeof stored === 'bigint') continue;
		for (const row of group.all(stored) as PrincipalUse[]) addUse(row);
	}
	const uses = [...byPrincipal.values()];
	// Sign-ins: the first `limit` in time order, and how many there are in all.
	let signIns: SignInEntry[] = [];
	let signInCount = 0;
	const countFrom = db.prepare(`SELECT count(*) FROM sign_in WHERE source_ip = ?`).pluck();
	for (const address of addresses) signInCount += countFrom.get(address) as number;
	for (let i = 0; i < addresses.length && signInCount > 0; i += 5000) signIns.push(...listSignIns(db, {sourceIPs: addresses.slice(i, i + 5000), limit}));
	signIns.sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : a.event - b.event));
	signIns = signIns.slice(0, limit);
	if (uses.length === 0 && signInCount === 0) return undefined;
	return {
		ip: text,
		addresses,
		firstSeen: uses.length ? uses.reduce((m, u) => (u.firstSeen < m ? u.firstSeen : m), uses[0].firstSeen) : signIns[0]?.eventTime ?? null,
		lastSeen: uses.length ? uses.reduce((m, u) => (u.lastSeen > m ? u.lastSeen : m), uses[0].lastSeen) : signIns[signIns.length - 1]?.eventTime ?? null,
		eventCount: uses.reduce((sum, u) => sum + u.count, 0),
		principals: uses.sort((a, b) => b.count - a.count || (a.firstSeen < b.firstSeen ? -1 : 1)).slice(0, limit),
		principalCount: uses.length,
		signIns,
		signInCount,
	};
}

// ——— a user agent ———

/**
 * Who used a user agent, and when: principals in ARN order, `limit` per page (after: the last ARN
 * of the previous page). Each principal is one row of agent_use (db/021_pivot_value.sql), so a
 * page costs the same for a user agent seen a dozen times as for AWS Internal on half the events.
 */
export function userAgentView(db: CaseFile, userAgent: string, options: {limit?: number; after?: string} = {}): UserAgentView | undefined {
	const limit = Math.max(1, options.limit ?? 200);
	// Its principals with their counts as the import keeps them (agent_use, in ARN order), one page;
	// its own count and span from pivot_value.
	const agentId = db.prepare(`SELECT id FROM dict WHERE value = ?`).pluck().get(userAgent) as number | undefined;
	const total = pivotValue(db, 'agent', userAgent);
	if (agentId === undefined || !total) return undefined;
	const use = `SELECT nullif(principal, '') AS arn, events AS count, first_seen AS firstSeen, last_seen AS lastSeen FROM agent_use WHERE user_agent = ?`;
	const principals: PrincipalUse[] = [];
	// Calls with no identity ARN (AWS services, some federated calls) first, on the first page only.
	if (options.after === undefined) principals.push(...(db.prepare(`${use} AND principal = ''`).all(agentId) as PrincipalUse[]));
	const named = db.prepare(`${use} AND principal > ? ORDER BY principal LIMIT ?`).all(agentId, options.after ?? '', limit + 1) as PrincipalUse[];
	principals.push(...named.slice(0, limit));
	if (principals.length === 0) return undefined;
	return {userAgent, firstSeen: total.firstSeen, lastSeen: total.lastSeen, eventCount: total.events, principals, more: named.length > limit};
}
