/** Small helpers shared by the rules: event-name sets, time arithmetic, wording. */
import {isDeniedSignIn} from '../domain/denied.js';
import type {KeyedFinding, LifecycleEntry, ModelData, Severity, SignInEntry} from './types.js';

/** Device event sets, from the one list of MFA-relevant events. */
export {
	deviceAddEvents as addEvents,
	deviceChangeEvents as changeEvents,
	deviceEnableEvents as enableEvents,
	deviceManagementEvents as managementEvents,
	deviceRemovalEvents as removalEvents,
} from '../domain/mfa-events.js';

/** What "denied" means (AccessDenied, *UnauthorizedOperation, …): the one definition. */
export {isDenied} from '../domain/denied.js';

/**
 * Parsed times, by their text: the rules compare the same few thousand times of a principal over
 * and over, and a lookup costs a third of a parse. Emptied when it grows past this many (a
 * long-running explorer computes findings again and again).
 */
const parsed = new Map<string, number>();
const maxParsed = 500_000;

export function ms(time: string): number {
	let value = parsed.get(time);
	if (value === undefined) {
		if (parsed.size >= maxParsed) parsed.clear();
		value = Date.parse(time);
		parsed.set(time, value);
	}
	return value;
}

/** Whole minutes/hours for a summary: '4 min', '3 h 10 min', '45 s'. */
export function duration(fromTime: string, toTime: string): string {
	const seconds = Math.round((ms(toTime) - ms(fromTime)) / 1000);
	if (seconds < 60) return `${seconds} s`;
	const minutes = Math.round(seconds / 60);
	if (minutes < 60) return `${minutes} min`;
	const h = Math.floor(minutes / 60);
	return minutes % 60 === 0 ? `${h} h` : `${h} h ${minutes % 60} min`;
}

export function plural(count: number, word: string, many = `${word}s`): string {
	return `${count} ${count === 1 ? word : many}`;
}

/**
 * How many events a list of rows is, by eventID: two records that conflict on one eventID (the
 * import keeps both) are one event, and the summary says they conflict, so it agrees with the
 * finding's event list.
 */
export function pluralEvents(list: readonly {eventId: string}[], word: string, many = `${word}s`): string {
	const n = new Set(list.map(e => e.eventId)).size;
	const conflicting = list.length > n ? ` (${list.length} records for ${n === 1 ? 'one eventID' : `${n} eventIDs`}: they conflict)` : '';
	return `${plural(n, word, many)}${conflicting}`;
}

export function unique<T>(values: Iterable<T | null | undefined>): T[] {
	const seen = new Set<T>();
	for (const v of values) if (v !== null && v !== undefined) seen.add(v);
	return [...seen];
}

export function isRootArn(arn: string | null | undefined): boolean {
	return Boolean(arn && /^arn:aws[\w-]*:iam::\d*:root$/.test(arn));
}

/** ARNs compared as IAM compares names: case-insensitively. */
export function sameArn(a: string | null | undefined, b: string | null | undefined): boolean {
	return Boolean(a && b && a.toLowerCase() === b.toLowerCase());
}

/**
 * The principal a lifecycle call is about: its owner; for a device creation, the creator; for a
 * failed call that logged no parameters (denied calls log requestParameters null), the caller,
 * the likeliest target of a call it was not allowed to make.
 */
export function target(entry: LifecycleEntry): string | null {
	if (entry.ownerArn) return entry.ownerArn;
	if (entry.eventName === 'CreateVirtualMFADevice') return entry.actorArn;
	return !entry.applied && !entry.serialNumber ? entry.actorArn : null;
}

/** The principal's type from the model, else from the shape of its ARN. */
export function principalType(model: ModelData, arn: string): string {
	const known = model.principals.get(arn)?.type;
	if (known && known !== 'Unknown') return known;
	if (isRootArn(arn)) return 'Root';
	if (/:iam::\d*:user\//.test(arn)) return 'IAMUser';
	if (/:sts::\d*:assumed-role\//.test(arn)) return 'AssumedRole';
	if (/:sts::\d*:federated-user\//.test(arn)) return 'FederatedUser';
	if (/^arn:aws[\w-]*:identitystore::/.test(arn)) return 'IdentityCenterUser';
	return known ?? 'Unknown';
}

/** 'IAM user alice (111122223333)', 'root user of 111122223333', or the ARN itself. */
export function describePrincipal(arn: string | null): string {
	if (!arn) return 'an unknown principal';
	const root = /^arn:aws[\w-]*:iam::(\d*):root$/.exec(arn);
	if (root) return `the root user of ${root[1]}`;
	const user = /^arn:aws[\w-]*:iam::(\d*):user\/(?:.*\/)?([^/]+)$/.exec(arn);
	if (user) return `IAM user ${user[2]} (${user[1]})`;
	return arn;
}

/** How a lifecycle call was authenticated, in words. */
export function describeCredential(entry: LifecycleEntry): string {
	const mfa = entry.mfaAuthenticated === 1 ? 'with MFA' : entry.mfaAuthenticated === 0 ? 'without MFA' : 'MFA not recorded';
	switch (entry.credential) {
		case 'long-term':
			return `long-term access key ${entry.accessKeyId ?? '(unknown)'} (no MFA session)`;
		case 'console':
			return `a console session (${mfa})`;
		case 'temporary':
			return `temporary credentials ${entry.accessKeyId ?? ''} (${mfa})`.replace('  ', ' ');
		default:
			return `unknown credentials (${mfa})`;
	}
}

/** A sign-in refused (the sign-in form of "denied", domain/denied.ts). */
export function failed(signIn: SignInEntry): boolean {
	return isDeniedSignIn(signIn.result);
}

export function succeeded(signIn: SignInEntry): boolean {
	return signIn.result === 'Success';
}

/** Splits time-ordered items into runs whose consecutive gap is at most maxGapMs. */
export function runs<T extends {eventTime: string}>(items: T[], maxGapMs: number): T[][] {
	const out: T[][] = [];
	for (const item of items) {
		const last = out.at(-1);
		if (last && ms(item.eventTime) - ms(last.at(-1)!.eventTime) <= maxGapMs) last.push(item);
		else out.push([item]);
	}
	return out;
}

/** The maximal runs of consecutive marked items (a burst, a spray): unmarked items split them. */
export function markedRuns<T>(items: T[], marked: boolean[]): T[][] {
	const out: T[][] = [];
	let current: T[] | undefined;
	items.forEach((item, i) => {
		if (!marked[i]) {
			current = undefined;
			return;
		}
		if (!current) out.push((current = []));
		current.push(item);
	});
	return out;
}

export function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string | null): Map<string, T[]> {
	const groups = new Map<string, T[]>();
	for (const item of items) {
		const key = keyOf(item);
		if (key === null) continue;
		const list = groups.get(key);
		if (list) list.push(item);
		else groups.set(key, [item]);
	}
	return groups;
}

/** Evidence lists are capped so one noisy principal cannot make a finding unreadable. */
export const maxEventIds = 200;

/** '3 events', or '200 of 1234 events' when the list is cut: a cut list always says so. */
export function evidenceCount(f: {eventIds: readonly string[]; eventCount: number}, options: {noun?: boolean} = {}): string {
	const total = Math.max(f.eventCount, f.eventIds.length);
	const noun = options.noun === false ? '' : total === 1 ? ' event' : ' events';
	return f.eventIds.length < total ? `${f.eventIds.length} of ${total}${noun}` : `${total}${noun}`;
}

export interface FindingParts {
	rule: string;
	severity: Severity;
	principal: string | null;
	serialNumber: string | null;
	/** Evidence, any order; times give firstSeen/lastSeen. */
	evidence: {eventId: string; eventTime: string}[];
	/** Earlier events that explain the finding (e.g. proof a device existed): listed, but not in its time span. */
	context?: {eventId: string; eventTime: string}[];
	summary: string;
	/**
	 * What makes this finding itself, besides rule, principal and serial: the one event it is about
	 * ({event}; '' when it is about the principal's whole record), or, for a run of events, the group the run belongs to ({run}: '' or, say, a source
	 * address). A run is the same incident however evidence extends it, earlier or later: its key
	 * is given when first found and kept by every later run that overlaps it (findings/refresh.ts).
	 */
	incident: {event: string} | {run: string};
}

/**
 * a.localeCompare(b), sooner: the order evidence has always had (keys name the first event, so it
 * must not change). Strings equal up to a pair of ASCII digits compare as those digits do in every
 * locale's collation (digits keep their order, and an identical prefix weighs the same), which
 * settles almost every pair of times and most UUIDs without asking the collator.
 */
export function localeOrder(a: string, b: string): number {
	if (a === b) return 0;
	const n = Math.min(a.length, b.length);
	let i = 0;
	while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
	if (i < n) {
		const x = a.charCodeAt(i);
		const y = b.charCodeAt(i);
		if (x >= 48 && x <= 57 && y >= 48 && y <= 57) return x < y ? -1 : 1;
	}
	return a.localeCompare(b);
}

/** Time order, then eventID: the order of a finding's evidence. */
export function byTime(a: {eventId: string; eventTime: string}, b: {eventId: string; eventTime: string}): number {
	return localeOrder(a.eventTime, b.eventTime) || localeOrder(a.eventId, b.eventId);
}

export function finding(parts: FindingParts): KeyedFinding {
	const evidence = [...parts.evidence].sort(byTime);
	const allIds = unique([...(parts.context ?? []), ...evidence].sort(byTime).map(e => e.eventId));
	const identity = [parts.rule, parts.principal ?? '', parts.serialNumber ?? ''];
	// A run's key is its prefix and the eventID it first started at; with no group the prefix is
	// rule|principal|serial|, so keys written before incidents were kept still match.
	const run = 'run' in parts.incident ? `${[...identity, ...(parts.incident.run ? [parts.incident.run] : [])].join('|')}|` : undefined;
	return {
		rule: parts.rule,
		severity: parts.severity,
		principal: parts.principal,
		serialNumber: parts.serialNumber,
		firstSeen: evidence[0].eventTime,
		lastSeen: evidence.at(-1)!.eventTime,
		eventIds: allIds.slice(0, maxEventIds),
		eventCount: allIds.length,
		summary: parts.summary,
		key: run ? `${run}${evidence[0].eventId}` : [...identity, (parts.incident as {event: string}).event].join('|'),
		...(run ? {run} : {}),
	};
}

/** Times in summaries as stored: UTC, second precision. */
export function at(time: string): string {
	return time.replace(/\.\d+Z$/, 'Z');
}

/** Lookups the rules share, built once per model: rules stay linear however large the model. */
export interface ModelIndex {
	signInsByPrincipal: Map<string, SignInEntry[]>;
	signInsBySerial: Map<string, SignInEntry[]>;
	lifecycleByTarget: Map<string, LifecycleEntry[]>;
	lifecycleByActor: Map<string, LifecycleEntry[]>;
	lifecycleBySerial: Map<string, LifecycleEntry[]>;
}

const indexes = new WeakMap<ModelData, ModelIndex>();

/** ARN keys are lower-cased (sameArn). Lists keep the model's time order. */
export function modelIndex(model: ModelData): ModelIndex {
	let index = indexes.get(model);
	if (!index) {
		index = {
			signInsByPrincipal: groupBy(model.signIns, s => s.principalArn.toLowerCase()),
			signInsBySerial: groupBy(model.signIns, s => s.mfaIdentifier),
			lifecycleByTarget: groupBy(model.lifecycle, e => target(e)?.toLowerCase() ?? null),
			lifecycleByActor: groupBy(model.lifecycle, e => e.actorArn?.toLowerCase() ?? null),
			lifecycleBySerial: groupBy(model.lifecycle, e => e.serialNumber),
		};
		indexes.set(model, index);
	}
	return index;
}

export function lookup<T>(map: Map<string, T[]>, key: string | null | undefined, lower = false): T[] {
	if (!key) return [];
	return map.get(lower ? key.toLowerCase() : key) ?? [];
}
