/**
 * Everything a principal did, rolled up (the principal screen and `mfatrail user --json`): when it
 * was active, in which accounts and regions, from which addresses and clients, with which access
 * keys (and whether those sessions were MFA-authenticated), what was denied, and its sign-ins by
 * result and by device. Read from its own events (index event_identity) and sign-ins.
 */
import type {CaseFile} from './open.js';
import {isDenied} from '../domain/denied.js';
import {keyKind, type KeyCall, type KeyKind} from './pivots.js';

export interface Use {
	count: number;
	firstSeen: string;
	lastSeen: string;
}

export interface Rollup {
	firstSeen: string | null;
	lastSeen: string | null;
	eventCount: number;
	accounts: string[];
	regions: string[];
	sourceIPs: ({ip: string} & Use)[];
	userAgents: ({userAgent: string} & Use)[];
	keys: ({accessKeyId: string; kind: KeyKind; mfaAuthenticated: boolean | null; denied: number} & Use)[];
	deniedCount: number;
	/** The newest denied calls, newest first (at most 200). */
	denied: KeyCall[];
	signIns: {
		byResult: {result: string; count: number}[];
		byDevice: {mfaIdentifier: string | null; success: number; failure: number}[];
	};
}

interface EventRow {
	eventTime: string;
	account: string | null;
	region: string | null;
	ip: string | null;
	userAgent: string | null;
	accessKeyId: string | null;
	mfa: number | null;
	errorCode: string | null;
	eventName: string | null;
	eventSource: string | null;
	eventId: string;
	event: number;
}

function note<K>(map: Map<K, Use>, key: K, time: string): Use {
	let use = map.get(key);
	if (!use) map.set(key, (use = {count: 0, firstSeen: time, lastSeen: time}));
	use.count++;
	if (time < use.firstSeen) use.firstSeen = time;
	if (time > use.lastSeen) use.lastSeen = time;
	return use;
}

const byCount = <T extends Use>(a: T, b: T) => b.count - a.count || (a.firstSeen < b.firstSeen ? -1 : a.firstSeen > b.firstSeen ? 1 : 0);

export function principalRollup(db: CaseFile, arn: string): Rollup | undefined {
	const principal = db.prepare(`SELECT first_seen AS firstSeen, last_seen AS lastSeen FROM principal WHERE arn = ?`).get(arn) as
		| {firstSeen: string | null; lastSeen: string | null}
		| undefined;
	if (!principal) return undefined;
	const rows = db
		.prepare(`SELECT e.event_time AS eventTime, e.recipient_account_id AS account, e.aws_region AS region, e.source_ip AS ip, e.user_agent AS userAgent,
			e.access_key_id AS accessKeyId, e.mfa_authenticated AS mfa, e.error_code AS errorCode, e.event_name AS eventName, e.event_source AS eventSource,
			e.event_id AS eventId, e.id AS event
			FROM event e JOIN event_row r ON r.id = e.id WHERE r.identity_arn = (SELECT id FROM dict WHERE value = ?) ORDER BY r.event_time, r.id`)
		.all(arn) as EventRow[];
	const accounts = new Set<string>();
	const regions = new Set<string>();
	const ips = new Map<string, Use>();
	const agents = new Map<string, Use>();
	const keys = new Map<string, Use & {mfaMin: number | null; mfaMax: number | null; denied: number}>();
	const denied: KeyCall[] = [];
	let deniedCount = 0;
	for (const r of rows) {
		if (r.account) accounts.add(r.account);
		if (r.region) regions.add(r.region);
		if (r.ip) note(ips, r.ip, r.eventTime);
		if (r.userAgent) note(agents, r.userAgent, r.eventTime);
		const refused = isDenied(r.errorCode);
		if (r.accessKeyId) {
			let key = keys.get(r.accessKeyId);
			if (!key) keys.set(r.accessKeyId, (key = {count: 0, firstSeen: r.eventTime, lastSeen: r.eventTime, mfaMin: null, mfaMax: null, denied: 0}));
			key.count++;
			key.lastSeen = r.eventTime;
			if (r.mfa !== null) {
				key.mfaMin = key.mfaMin === null ? r.mfa : Math.min(key.mfaMin, r.mfa);
				key.mfaMax = key.mfaMax === null ? r.mfa : Math.max(key.mfaMax, r.mfa);
			}
			if (refused) key.denied++;
		}
		if (refused) {
			deniedCount++;
			denied.push({
				eventTime: r.eventTime,
				eventName: r.eventName,
				eventSource: r.eventSource,
				eventId: r.eventId,
				sourceIPAddress: r.ip,
				userAgent: r.userAgent,
				awsRegion: r.region,
				errorCode: r.errorCode,
				denied: true,
				event: r.event,
			});
		}
	}
	const signInRows = db
		.prepare(`SELECT result, failed_at_mfa AS failedAtMfa, mfa_identifier AS mfaIdentifier, count(*) AS n FROM sign_in WHERE principal_arn = ?
			GROUP BY result, failed_at_mfa, mfa_identifier`)
		.all(arn) as {result: string | null; failedAtMfa: number; mfaIdentifier: string | null; n: number}[];
	const byResult = new Map<string, number>();
	const byDevice = new Map<string | null, {success: number; failure: number}>();
	for (const s of signInRows) {
		const result = s.failedAtMfa ? 'Failure@MFA' : s.result ?? 'unknown';
		byResult.set(result, (byResult.get(result) ?? 0) + s.n);
		const device = byDevice.get(s.mfaIdentifier) ?? {success: 0, failure: 0};
		if (s.result === 'Failure' || s.failedAtMfa) device.failure += s.n;
		else device.success += s.n;
		byDevice.set(s.mfaIdentifier, device);
	}
	const span = rows.length > 0 ? {first: rows[0].eventTime, last: rows[rows.length - 1].eventTime} : {first: principal.firstSeen, last: principal.lastSeen};
	return {
		firstSeen: span.first,
		lastSeen: span.last,
		eventCount: rows.length,
		accounts: [...accounts].sort(),
		regions: [...regions].sort(),
		sourceIPs: [...ips].map(([ip, use]) => ({ip, ...use})).sort(byCount),
		userAgents: [...agents].map(([userAgent, use]) => ({userAgent, ...use})).sort(byCount),
		keys: [...keys]
			.map(([accessKeyId, k]) => ({
				accessKeyId,
				kind: keyKind(accessKeyId),
				// Long-term keys carry no session context: their MFA status is not logged (null).
				mfaAuthenticated: k.mfaMin === null ? null : k.mfaMin === 1 && k.mfaMax === 1,
				denied: k.denied,
				count: k.count,
				firstSeen: k.firstSeen,
				lastSeen: k.lastSeen,
			}))
			.sort((a, b) => (a.firstSeen < b.firstSeen ? -1 : a.firstSeen > b.firstSeen ? 1 : a.accessKeyId < b.accessKeyId ? -1 : 1)),
		deniedCount,
		denied: denied.reverse().slice(0, 200),
		signIns: {
			byResult: [...byResult].map(([result, count]) => ({result, count})).sort((a, b) => b.count - a.count),
			byDevice: [...byDevice].map(([mfaIdentifier, c]) => ({mfaIdentifier, ...c})).sort((a, b) => b.success + b.failure - (a.success + a.failure)),
		},
	};
}
