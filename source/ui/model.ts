import {hasHiddenCharacters} from '../lib/terminal-text.js';
import type {ScreenName} from './keymap.js';

/**
 * What a screen shows, independent of Ink: header facts, panes of rows with columns, and what `e`
 * exports. Screens build these from data.ts; components/Frame renders any of them, so windowing,
 * escaping and truncation live in one place.
 */

export type Target =
	| {screen: 'principal'; arn: string}
	| {screen: 'device'; deviceId: number}
	| {screen: 'event'; eventId: string}
	| {screen: 'finding'; findingId: number}
	| {screen: 'findings'; severity?: string}
	| {screen: 'devices'; state: string}
	| {screen: 'key'; accessKeyId: string}
	| {screen: 'ip'; ip: string}
	| {screen: 'user-agent'; userAgent: string};

/** What a row or screen leads to besides Enter: `p` its principal, `K` its access key, `I` its source IP. */
export interface Pivots {
	principal?: string | null;
	key?: string | null;
	ip?: string | null;
}

export interface Column {
	title: string;
	width: number;
	/** Takes the width left over (one column per pane). */
	flex?: boolean;
	/** On a narrow terminal columns with `drop` are left out, lowest first, until the rest fit. */
	drop?: number;
	/** Narrows to its widest cell (and title) when that is less than width: room for the flex column. */
	fit?: boolean;
	/** Never narrowed when space is short (the event time: a cut time reads as another time). */
	keep?: boolean;
	/**
	 * An identifier (ARN, serial, account, key, IP, eventID): as wide as its widest cell, and narrowed
	 * only when nothing else can give way (then the selected row's detail line holds the whole value).
	 */
	id?: boolean;
	/** Cells are ISO UTC times: shown in the explorer's zone, without seconds when space is short. */
	time?: boolean;
	/**
	 * Free text that may name identifiers (a finding's summary): cut between words, never inside one,
	 * so an ARN in it shows whole or not at all.
	 */
	prose?: boolean;
}

/** A cell holds raw evidence; the renderer escapes it and cuts it to the column. */
export type Cell = string | number | null | undefined | {raw: string; matches: Array<[number, number]>};

/** The text of a cell as it came (a highlighted cell's raw text): what exports and width measures use. */
export function cellText(cell: Cell): string {
	if (cell !== null && typeof cell === 'object') return cell.raw;
	return cell === null || cell === undefined ? '' : String(cell);
}

export interface Row {
	cells: Cell[];
	target?: Target;
	/** Findings name this row's principal or device. */
	marker?: boolean;
	/**
	 * The row's evidence holds characters terminalSafe escaped (hasHiddenCharacters on the raw
	 * values, not only the shortened cells). The frame also checks the cells themselves.
	 */
	hidden?: boolean;
	/** A heading row: its cells run across the columns (a device above its lifecycle calls). */
	span?: boolean;
	/** The row's identifiers in full, shown in the detail line under the list while it is selected. */
	detail?: Array<[string, unknown]>;
	/** What `y` copies (default: the target's identifier). */
	copy?: string;
	/** Where `p`, `K`, `I` lead from this row. */
	pivots?: Pivots;
	/** The row's time (ISO UTC): the default moment for `@`. */
	time?: string;
}

/** True when any raw evidence value holds hidden characters (controls, bidi, zero-width…). */
export function hiddenIn(...values: unknown[]): boolean {
	return values.some(v => typeof v === 'string' && hasHiddenCharacters(v));
}

export interface Pane {
	name: string;
	columns: Column[];
	rows: Row[];
	/** Shown when there are no rows. */
	empty: string;
	/** A text pane scrolls lines (no selection) whose cells are already escaped; a list pane selects rows. */
	text?: boolean;
	/** A line under the rows, e.g. that a limit was reached. */
	note?: string;
}

export interface ScreenModel {
	screen: ScreenName;
	/** Breadcrumb label. */
	title: string;
	/** Header lines: [label, raw value] pairs; several pairs share a line. */
	header: Array<Array<[string, unknown]>>;
	panes: Pane[];
	/** What `e` writes: JSON of the view's data, or CSV of its first list pane. */
	export: {
		name: string;
		format: 'json' | 'csv';
		json?: unknown;
		/** CSV of these full fields instead of the first pane's (cut, shortened) cells. */
		table?: {header: string[]; rows: Array<Array<string | number | null | undefined>>};
	};
	/** The principal or device the timeline key opens for. */
	timelineSubject?: TimelineSubject;
	/** Where `p`, `K`, `I` lead when the selected row says nothing (the device's owner, the event's key). */
	pivots?: Pivots;
	/** What `y` copies when no row is selected (the event's ID). */
	copy?: string;
}

/** A header value that is a time (ISO UTC): shown in the explorer's zone. */
export const time = (iso: string | null | undefined): {time: string} | string => (iso ? {time: iso} : '');

/** The identifier a row stands for: what `y` copies. */
export function rowIdentifier(row: Row | undefined): string | undefined {
	if (!row) return undefined;
	if (row.copy) return row.copy;
	const t = row.target;
	if (!t) return undefined;
	switch (t.screen) {
		case 'principal':
			return t.arn;
		case 'event':
			return t.eventId;
		case 'key':
			return t.accessKeyId;
		case 'ip':
			return t.ip;
		case 'user-agent':
			return t.userAgent;
		default:
			return undefined;
	}
}

/**
 * An ARN shown relative to the screen's account: its resource ('user/alice') when it is in that
 * account (the header names the account once), else with its own account in front
 * ('210987654321 user/alice'), so a short form never hides another account. The detail line of the
 * selected row has the whole ARN.
 */
export function arnIn(account: string | null | undefined): (arn: string | null | undefined) => string {
	return arn => {
		if (!arn) return '';
		const m = /^arn:[^:]*:[^:]*:[^:]*:(\d*):(.+)$/.exec(arn);
		if (!m) return arn;
		return m[1] === account ? m[2] : m[1] ? `${m[1]} ${m[2]}` : m[2];
	};
}

/** The account of an ARN or a bare account ID. */
function accountOf(value: string): string | undefined {
	return /^\d{12}$/.test(value) ? value : /^arn:[^:]*:[^:]*:[^:]*:(\d*):/.exec(value)?.[1] || undefined;
}

/**
 * The account most of these ARNs are in: a list names it once in its header and only the rows of
 * other accounts name theirs.
 */
export function mainAccount(values: Array<string | null | undefined>): string | undefined {
	const counts = new Map<string, number>();
	for (const v of values) {
		const a = v ? accountOf(v) : undefined;
		if (a) counts.set(a, (counts.get(a) ?? 0) + 1);
	}
	let best: string | undefined;
	for (const [a, n] of counts) if (best === undefined || n > counts.get(best)!) best = a;
	return best;
}

/** The header pair naming a list's main account ('account: X', or 'X (others named per row)'). */
export function accountPair(main: string | undefined, values: Array<string | null | undefined>): Array<[string, unknown]> {
	if (!main) return [];
	const several = values.some(v => v && accountOf(v) && accountOf(v) !== main);
	return [['account', several ? `${main} (rows of other accounts name theirs)` : main]];
}

/** The one account all these ARNs (or account IDs) belong to, else undefined. */
export function soleAccount(values: Array<string | null | undefined>): string | undefined {
	let account: string | undefined;
	for (const v of values) {
		if (!v) continue;
		const a = /^\d{12}$/.test(v) ? v : /^arn:[^:]*:[^:]*:[^:]*:(\d*):/.exec(v)?.[1];
		if (!a) continue;
		if (account !== undefined && a !== account) return undefined;
		account = a;
	}
	return account;
}

export interface TimelineSubject {
	principalArn?: string;
	deviceSerial?: string;
	label: string;
}

/** The MFA-session column: a long-term key has no session, so no MFA session either. */
export const mfaSession = (value: unknown, credential: string | null | undefined): string =>
	value === null || value === undefined ? (credential === 'long-term' ? 'no' : '?') : yesNo(value);

export const yesNo = (value: unknown): string => (value === null || value === undefined ? '?' : value === true || value === 1 || value === 'true' || value === 'Yes' ? 'yes' : 'no');

/** AKIA = long-term access key, ASIA = temporary (session) credentials; else the model's word. */
export function credentialLabel(credential: string | null | undefined, accessKeyId: string | null | undefined): string {
	const prefix = accessKeyId?.slice(0, 4);
	if (prefix === 'AKIA' || prefix === 'ASIA') return prefix;
	return credential === 'long-term' ? 'AKIA?' : credential === 'temporary' ? 'ASIA?' : (credential ?? '');
}

/** The result of a lifecycle call, as every screen shows it: applied, no-op, or FAILED with its error code. */
export function lifecycleResult(entry: {errorCode?: string | null; applied?: boolean | null}): string {
	if (entry.errorCode) return `FAILED ${entry.errorCode}`;
	return entry.applied ? 'applied' : 'no-op';
}

/** A failed result cell (shown red when colour is on; the word says it without colour). */
export function failedCell(cell: Cell): boolean {
	return cell === 'Failure' || cell === 'Fail@MFA' || (typeof cell === 'string' && cell.startsWith('FAILED'));
}

/** Short form of an event time for columns: '2024-03-01 10:00:00'. */
export function shortTime(time: string | null | undefined): string {
	return time ? time.replace('T', ' ').replace(/Z$/, '') : '';
}

/**
 * An ARN in a narrow column: 'arn:aws:iam::111122223333:user/alice' → 'user/alice' (the account is
 * on the screen's header; the full ARN is on the principal, device and event screens).
 */
export function shortArn(value: string | null | undefined): string {
	if (!value) return '';
	const m = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:(.+)$/.exec(value);
	return m ? m[1] : value;
}
