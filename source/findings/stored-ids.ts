/**
 * How a finding's eventIDs are stored (finding.event_ids, db/026_compact_findings.sql): 16 bytes
 * per eventID when every one is a canonical UUID (event_row's encoding, source/db/event-row.ts),
 * else the JSON array of their text. Both read back to the same list.
 */
import {decodeEventId, encodeEventId} from '../db/event-row.js';

/** 16 bytes per canonical UUID. */
const uuidBytes = 16;

export type StoredEventIds = Buffer | string;

export function packEventIds(eventIds: readonly string[]): StoredEventIds {
	const encoded = eventIds.map(encodeEventId);
	if (encoded.length > 0 && encoded.every(e => typeof e !== 'string')) return Buffer.concat(encoded as Buffer[]);
	return JSON.stringify(eventIds);
}

export function unpackEventIds(stored: StoredEventIds): string[] {
	if (typeof stored === 'string') return JSON.parse(stored) as string[];
	const ids: string[] = [];
	for (let at = 0; at + uuidBytes <= stored.length; at += uuidBytes) ids.push(decodeEventId(stored.subarray(at, at + uuidBytes)));
	return ids;
}

/** Whether two stored lists are the same (a refresh writes only what changed). */
export function sameStoredIds(a: StoredEventIds, b: StoredEventIds): boolean {
	if (typeof a === 'string' || typeof b === 'string') return a === b;
	return a.equals(b);
}
