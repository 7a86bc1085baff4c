/**
 * How event_row.event_time is stored (db/027_event_time_integer.sql), and back. An INTEGER is
 * 6 bytes where the ISO text took 20, in the table and in each of the four indexes that end in the
 * time. The stored integer is milliseconds since the epoch (UTC) times two, plus 1 when the text
 * was written with milliseconds ('…:SS.sssZ'; without: '…:SSZ'), so that the text comes back byte
 * for byte from the value alone: min()/max() over the column (first and last seen) need no other
 * column, and integer order is time order. A time the integer cannot represent exactly (before
 * 1970, after 9999, any other spelling) is stored as its text, which sorts after every integer.
 * These two functions and eventTimeSql are the only definitions of the encoding; the view `event`
 * spells eventTimeSql out.
 */

/** Year 10000 starts here: Date's ISO text and SQLite's strftime both stop at four-digit years. */
const end = Date.UTC(10000, 0, 1);

const daysIn = (year: number, month: number) =>
	month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;

/** The number of the digits of `text` from `from` to `to`, or -1 if one is not a digit. */
function digits(text: string, from: number, to: number): number {
	let n = 0;
	for (let i = from; i < to; i++) {
		const d = text.charCodeAt(i) - 48;
		if (d < 0 || d > 9) return -1;
		n = n * 10 + d;
	}
	return n;
}

/**
 * An event time as event_row stores it: a BigInt (so SQLite stores an INTEGER), or the text itself.
 * Read field by field (every imported event passes here): 'YYYY-MM-DDTHH:MM:SS[.sss]Z', a real date.
 */
export function encodeEventTime(time: string): bigint | string {
	const withMs = time.length === 24;
	if ((time.length !== 20 && !withMs) || time[4] !== '-' || time[7] !== '-' || time[10] !== 'T' || time[13] !== ':' || time[16] !== ':' || time[time.length - 1] !== 'Z') return time;
	if (withMs && time[19] !== '.') return time;
	const year = digits(time, 0, 4);
	const month = digits(time, 5, 7);
	const day = digits(time, 8, 10);
	const hour = digits(time, 11, 13);
	const minute = digits(time, 14, 16);
	const second = digits(time, 17, 19);
	const ms = withMs ? digits(time, 20, 23) : 0;
	if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return time;
	const at = Date.UTC(year, month - 1, day, hour, minute, second, ms);
	return at < end ? BigInt(at * 2 + (withMs ? 1 : 0)) : time;
}

/** The text of a stored event time (the inverse of encodeEventTime). */
export function decodeEventTime(stored: number | bigint | string): string;
export function decodeEventTime(stored: number | bigint | string | null): string | null;
export function decodeEventTime(stored: number | bigint | string | null): string | null {
	if (stored === null || typeof stored === 'string') return stored;
	return decode(Number(stored));
}

function decode(value: number): string {
	const text = new Date(Math.floor(value / 2)).toISOString();
	return value % 2 === 1 ? text : `${text.slice(0, 19)}Z`;
}

/**
 * A bound for comparing event_row.event_time with an ISO time (whole seconds or milliseconds):
 * `event_time >= eventTimeBound(from, 'from')`, `event_time <= eventTimeBound(to, 'to')` take in
 * both spellings of the bound's instant. A bound that is not such a time is kept as text.
 */
export function eventTimeBound(time: string, side: 'from' | 'to'): bigint | string {
	const stored = encodeEventTime(time);
	if (typeof stored === 'string') return stored;
	return (stored >> 1n) * 2n + (side === 'to' ? 1n : 0n);
}

/** SQL giving the text of a stored event time; `value` is a column or an aggregate of one. */
export function eventTimeSql(value: string): string {
	return `CASE WHEN typeof(${value}) = 'integer' THEN strftime(CASE WHEN ${value} & 1 THEN '%Y-%m-%dT%H:%M:%fZ' ELSE '%Y-%m-%dT%H:%M:%SZ' END, (${value} >> 1) / 1000.0, 'unixepoch') ELSE ${value} END`;
}
