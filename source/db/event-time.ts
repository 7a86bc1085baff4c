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

const isoTime = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{3}))?Z$/;

/** Year 10000 starts here: Date's ISO text and SQLite's strftime both stop at four-digit years. */
const end = Date.UTC(10000, 0, 1);

/** An event time as event_row stores it: a BigInt (so SQLite stores an INTEGER), or the text itself. */
export function encodeEventTime(time: string): bigint | string {
	const m = isoTime.exec(time);
	if (!m) return time;
	const year = Number(m[1]);
	const ms = Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7] === undefined ? 0 : Number(m[7]));
	// Date.UTC rolls 2024-02-30 over to March and 24:00 to the next day: round-tripping catches both.
	if (!(ms >= 0 && ms < end) || decode(ms * 2 + (m[7] === undefined ? 0 : 1)) !== time) return time;
	return BigInt(ms * 2 + (m[7] === undefined ? 0 : 1));
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
