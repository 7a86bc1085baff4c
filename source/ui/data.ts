import type {CaseFile} from '../db/open.js';
import {caseSummary, type CaseSummary} from '../findings/summary.js';
import {isScoped} from '../db/scope.js';
import type {Severity} from '../findings/types.js';
import {eventTotal} from '../db/pivot-values.js';
import {ipView, keyCalls, keyView, PivotSearch, pivotShape, userAgentView, type IpView, type KeyCall, type KeyView, type PivotHit, type UserAgentView} from '../db/pivots.js';
import {principalRollup, type Rollup} from '../db/rollup.js';
import {geoOf, type Geo} from '../lib/geoip.js';
import {
	devicesAt,
	devicesInState,
	deviceView,
	eventRecord,
	evidenceRows,
	findDevices,
	listSignIns,
	timeline,
	userView,
	type DeviceAt,
	type DeviceRow,
	type DeviceView,
	type SignInEntry,
	type EventRecord,
	type EvidenceRow,
	type TimelineEntry,
	type UserView,
} from '../db/queries.js';
import {recordTriage, triageState, type TriageChange, type TriageEntry, type TriageState, type TriageTarget} from '../db/triage.js';
import {findingById, findingCountsFor, findingsBySeverity, findingsFor, listFindings, type StoredFinding} from '../findings/queries.js';
import {SearchIndexBuilder, type SearchHit, type SearchIndex} from '../model/search.js';

export type {CaseSummary, DeviceAt, DeviceRow, DeviceView, EventRecord, EvidenceRow, SearchHit, SignInEntry, TimelineEntry, UserView};

/**
 * Everything the explorer shows comes through here: screens call these small functions and never
 * see SQL. Each wraps one query of source/db/queries.ts, source/model/search.ts or
 * source/findings/queries.ts.
 */

export type Finding = StoredFinding;

export interface Overview {
	principals: number;
	devices: number;
	events: number;
	findings: number;
	/** The case holds a scoped extract (mfatrail scope): absence holds only within its query. */
	scoped?: boolean;
}

export interface TimelineFilter {
	principalArn?: string;
	deviceSerial?: string;
	since?: string;
	until?: string;
	limit?: number;
	/** Failed sign-ins only (the lifecycle calls drop out). */
	failedOnly?: boolean;
}

/** Pivot and roll-up shapes come from their queries (source/db/pivots.ts, rollup.ts); IP places from lib/geoip. */
export type {Geo, IpView, KeyCall, KeyView, PivotHit, Rollup, UserAgentView};
/** What a search text looks like (key, IP, CIDR, eventID, free text). */
export {pivotShape};

export interface ExplorerData {
	overview(): Overview;
	/** The overview screen's data; `buckets` sign-in activity buckets over the evidence span. */
	summary(buckets: number): CaseSummary | undefined;
	/** Devices in one state (the overview's "devices by state" lines open these). */
	devicesInState(state: string): DeviceRow[];
	/** Access keys, IPs (and CIDR prefixes), user agents and eventIDs matching the text. */
	pivotSearch(text: string, limit: number): PivotHit[];
	key(accessKeyId: string): KeyView | undefined;
	/** A key's calls in time order, keyset-paged. */
	keyCalls(accessKeyId: string, page: {limit: number; afterTime?: string; afterEvent?: number}): KeyCall[];
	ip(ip: string): IpView | undefined;
	userAgent(userAgent: string): UserAgentView | undefined;
	rollup(arn: string): Rollup | undefined;
	/** Which devices the principal had at a moment, and in which state. */
	devicesAt(arn: string, time: string): DeviceAt[];
	/** Country and ASN of an IP (offline data), or what it is: 'AWS Internal', a service name. */
	geo(ip: string): Geo;
	/**
	 * The search index is built in small steps after the first frame (reading 100k principals and
	 * devices takes longer than a start may). Each call reads one chunk; true once it is built.
	 */
	indexStep(): boolean;
	/** After the index: answers one first-keystroke query ahead (idle slices); true when all are. */
	warmStep(): boolean;
	/** Share of the search index built, 0..1. */
	indexProgress(): number;
	/** Searches; before indexStep() has finished it completes the index first (a blocking wait). */
	search(text: string, options?: {limit?: number; kind?: 'principal' | 'device'}): SearchHit[];
	principal(arn: string): UserView | undefined;
	/** Device rows for a serial (one per incarnation). */
	devices(serialOrName: string): DeviceRow[];
	device(deviceId: number): DeviceView | undefined;
	event(eventId: string): EventRecord | undefined;
	timeline(filter: TimelineFilter): TimelineEntry[];
	findings(filter?: {principalArn?: string; serialNumber?: string}): Finding[];
	/** The first `limit` findings of the list (of one severity), and how many there are in all. */
	findingsPage(page: {severity?: Severity; limit: number}): {findings: Finding[]; total: number};
	/** What the evidence list shows of each eventID (absent: not in this case file). */
	evidence(eventIds: string[]): Map<string, EvidenceRow>;
	/** One finding by its id (the findings queries' id). */
	finding(id: number): Finding | undefined;
	/** Finding counts for row markers, for the principals and serials on screen only. */
	findingCounts(subjects: {principals?: string[]; serials?: string[]}): {principals: Map<string, number>; serials: Map<string, number>};
	/** The triage state of a finding (by key), principal, device (serial) or event. */
	triage(target: TriageTarget): TriageState;
	/** Appends a triage decision to the case file's journal; throws when the case file cannot be written. */
	setTriage(change: TriageChange): TriageEntry;
}

/** Results the explorer's search keeps per query (more than a screen: scrolling needs no new search). */
export const searchLimit = 500;

export interface ExplorerDataOptions {
	/**
	 * Opens the case file for writing, for a triage decision (the explorer reads through a read-only
	 * connection). Without it, decisions are written through db, unless db is read-only.
	 */
	openWritable?: () => CaseFile;
}

/** A failure shows as a 'Failure' result, an error code, or a sign-in that failed at the MFA step. */
export function isFailure(entry: Record<string, unknown>): boolean {
	return entry.result === 'Failure' || Boolean(entry.errorCode) || Boolean(entry.failedAtMfa);
}

export function openExplorerData(db: CaseFile, options: ExplorerDataOptions = {}): ExplorerData {
	// Built once, in steps (indexStep); every keystroke's search then runs in memory.
	const builder = new SearchIndexBuilder(db);
	let index: SearchIndex | undefined;
	const indexStep = () => {
		if (!index && builder.step()) index = builder.finish();
		return index !== undefined;
	};
	// The overview line's counts (table counts, once per session): no query module offers them.
	const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as {n: number}).n;
	// One per session: it keeps the distinct user agents it has read.
	let pivots: PivotSearch | undefined;

	return {
		overview: () => ({principals: count('principal'), devices: count('device'), events: eventTotal(db), findings: count('finding'), scoped: isScoped(db)}),
		summary: buckets => caseSummary(db, {buckets}),
		devicesInState: state => devicesInState(db, state),
		pivotSearch: (text, limit) => (pivots ??= new PivotSearch(db)).search(text, {limit}),
		key: accessKeyId => keyView(db, accessKeyId),
		keyCalls: (accessKeyId, page) => keyCalls(db, accessKeyId, page),
		ip: ip => ipView(db, ip, {limit: 500}),
		userAgent: ua => userAgentView(db, ua, {limit: 500}),
		rollup: arn => principalRollup(db, arn),
		devicesAt: (arn, time) => devicesAt(db, arn, time),
		geo: ip => geoOf(ip),
		indexStep,
		// The explorer's search asks for 500 (source/ui/App.tsx).
		warmStep: () => (index ? index.warm(searchLimit) : true),
		indexProgress: () => (index ? 1 : builder.progress),
		search: (text, options) => (text.trim() ? (index ??= builder.finish()).search(text, options) : []),
		principal: arn => userView(db, arn),
		devices: serial => findDevices(db, serial),
		device: id => deviceView(db, id),
		event: eventId => eventRecord(db, eventId),
		timeline({failedOnly, ...options}) {
			if (!failedOnly) return timeline(db, options);
			return listSignIns(db, {...options, failedOnly: true}).map(({kind, ...s}) => ({...s, kind: 'sign-in' as const, signInKind: kind}));
		},
		findings: (filter = {}) => (filter.principalArn || filter.serialNumber ? findingsFor(db, filter) : listFindings(db)),
		finding: id => findingById(db, id),
		evidence: eventIds => evidenceRows(db, eventIds),
		findingsPage({severity, limit}) {
			const counts = findingsBySeverity(db);
			return {findings: listFindings(db, {onlySeverity: severity, limit}), total: severity ? counts.bySeverity[severity] ?? 0 : counts.total};
		},
		findingCounts: subjects => findingCountsFor(db, subjects),
		triage: target => triageState(db, target),
		setTriage(change) {
			if (options.openWritable) {
				const writable = options.openWritable();
				try {
					return recordTriage(writable, change);
				} finally {
					writable.close();
				}
			}
			if (db.readonly) throw new Error('the case file is open read-only');
			return recordTriage(db, change);
		},
	};
}
