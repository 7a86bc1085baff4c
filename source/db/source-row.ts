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

/**
 * A path as its folder (null when it has none) and the rest. The folder stops before the digit-only
 * folders that end it: an S3 trail files by day (…/CloudTrail/REGION/YYYY/MM/DD/), and a folder per
 * day was as many dictionary strings as files (19k for 40k files); per region they are a few hundred.
 */
export function splitPath(path: string): [folder: string | null, name: string] {
	let cut = path.lastIndexOf('/');
	if (cut < 0) return [null, path];
	for (let before = path.lastIndexOf('/', cut - 1); before >= 0 && digitsOnly(path, before + 1, cut); before = path.lastIndexOf('/', before - 1)) cut = before;
	return [path.slice(0, cut + 1), path.slice(cut + 1)];
}

function digitsOnly(text: string, from: number, to: number): boolean {
	if (from >= to) return false;
	for (let i = from; i < to; i++) {
		const c = text.charCodeAt(i);
		if (c < 48 || c > 57) return false;
	}
	return true;
}
