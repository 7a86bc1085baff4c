import {hasHiddenCharacters} from '../lib/terminal-text.js';
import type {ScreenName} from './keymap.js';

/**
 * What a screen shows, independent of Ink: header facts, panes of rows with columns, and what `e`
 * exports. Screens build these from data.ts; components/Frame renders any of them, so windowing,
 * escaping and truncation live in one place.
 */

export type Target = {screen: 'principal'; arn: string} | {screen: 'device'; deviceId: number} | {screen: 'event'; eventId: string} | {screen: 'finding'; findingId: number};

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
	/** The device screen's owner, for `o`. */
	owner?: string | null;
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
