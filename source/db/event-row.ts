/**
 * How event_row (db/005_lean_event.sql) encodes two columns compactly, and back: the view `event`
 * decodes them in SQL the same way. Queries that look a value up use these to hit the indexes.
 */

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A lowercase canonical UUID as its 16 bytes (round-trips exactly), anything else as it is. */
export function encodeEventId(eventId: string): string | Buffer {
	return eventId.length === 36 && uuid.test(eventId) ? Buffer.from(eventId.replaceAll('-', ''), 'hex') : eventId;
}

const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * A dotted-quad IPv4 address in its canonical spelling (no leading zeros, so it round-trips
 * exactly) as an integer (a BigInt, so SQLite stores an INTEGER); anything else (IPv6, service
 * names, odd spellings) as text.
 */
export function encodeIp(ip: string | null): string | bigint | null {
	if (ip === null || ip.length > 15) return ip;
	const m = ipv4.exec(ip);
	if (!m) return ip;
	return BigInt(((Number(m[1]) << 24) >>> 0) + (Number(m[2]) << 16) + (Number(m[3]) << 8) + Number(m[4]));
}

/** The eventID as CloudTrail wrote it, from its stored form (the inverse of encodeEventId). */
export function decodeEventId(stored: string | Buffer): string {
	if (typeof stored === 'string') return stored;
	// One flat string (a template of slices would keep five pieces and their parent alive per eventID).
	return stored.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
}
