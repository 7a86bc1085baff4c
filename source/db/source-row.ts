/**
 * How source_row (db/024_lean_source.sql) stores a source's path and hashes compactly; the view
 * `source` gives them back in their old form.
 */

const hex64 = /^[0-9a-f]{64}$/;

/** A lowercase hex SHA-256 as its 32 bytes (round-trips exactly through lower(hex())), anything else as it is. */
export function encodeSha256(sha256: string): string | Buffer {
	return sha256.length === 64 && hex64.test(sha256) ? Buffer.from(sha256, 'hex') : sha256;
}

/** The content hash, or null when it is the hash of the bytes as read (a file not decompressed). */
export function encodeContentSha256(contentSha256: string, sha256: string): string | Buffer | null {
	return contentSha256 === sha256 ? null : encodeSha256(contentSha256);
}

/** A path as source_row stores it: folder + dirs + stem + name (db/024_lean_source.sql). */
export interface SplitPath {
	/** Up to the digit-only folders that end it (null: none): a dict id. */
	folder: string | null;
	/** The digit-only folders (an S3 trail's YYYY/MM/DD/), or null. */
	dirs: string | null;
	/** A CloudTrail log file's name up to its time (ACCOUNT_CloudTrail_REGION_): a dict id, or null. */
	stem: string | null;
	name: string;
}

/**
 * CloudTrail names its files ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz (and
 * CloudTrail-Digest, CloudTrail-Insight): the part before the time is the same for every file of a
 * folder, 39 bytes a source.
 */
const cloudTrailStem = /^\d{12}_CloudTrail(?:-Digest|-Insight)?_[a-z0-9-]+_/;

/**
 * A path split so that its repeated parts are dictionary strings. The folder stops before the
 * digit-only folders that end it: an S3 trail files by day (…/CloudTrail/REGION/YYYY/MM/DD/), and a
 * folder per day was as many dictionary strings as files (19k for 40k files); per region they are a
 * few hundred. folder + dirs + stem + name is the path.
 */
export function splitPath(path: string): SplitPath {
	const last = path.lastIndexOf('/');
	let cut = last;
	if (cut >= 0) {
		for (let before = path.lastIndexOf('/', cut - 1); before >= 0 && digitsOnly(path, before + 1, cut); before = path.lastIndexOf('/', before - 1)) cut = before;
	}
	const file = path.slice(last + 1);
	const stem = cloudTrailStem.exec(file)?.[0] ?? null;
	return {
		folder: cut < 0 ? null : path.slice(0, cut + 1),
		dirs: cut < last ? path.slice(cut + 1, last + 1) : null,
		stem,
		name: stem ? file.slice(stem.length) : file,
	};
}

function digitsOnly(text: string, from: number, to: number): boolean {
	if (from >= to) return false;
	for (let i = from; i < to; i++) {
		const c = text.charCodeAt(i);
		if (c < 48 || c > 57) return false;
	}
	return true;
}

const canonicalTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/**
 * An event time ('YYYY-MM-DDTHH:MM:SSZ', as the import writes every one) as seconds since the epoch
 * (a BigInt, so SQLite stores an INTEGER: 4 bytes where the text took 20); anything else as it is.
 */
export function encodeTime(time: string | null): bigint | string | null {
	if (time === null || time.length !== 20 || !canonicalTime.test(time)) return time;
	const ms = Date.parse(time);
	return Number.isFinite(ms) && ms >= 0 && decodeTime(ms / 1000) === time ? BigInt(ms / 1000) : time;
}

/** The inverse of encodeTime; the view `source` decodes the same way in SQL. */
export function decodeTime(stored: number | bigint | string | null): string | null {
	if (stored === null || typeof stored === 'string') return stored;
	return new Date(Number(stored) * 1000).toISOString().replace('.000Z', 'Z');
}
