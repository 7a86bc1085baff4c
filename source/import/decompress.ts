import zlib from 'node:zlib';
import {decompressCap, limits, mib} from './limits.js';

export type Container = 'gzip' | 'zip' | 'tar' | 'unsupported' | 'none';

/** What the first bytes say the data is; extensions lie (plain JSON named .gz, a zip named .tar). */
export function sniffContainer(head: Uint8Array): {container: Container; name?: string} {
	if (head[0] === 0x1f && head[1] === 0x8b) return {container: 'gzip'};
	if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05 || head[2] === 0x07)) return {container: 'zip'};
	if (head.length >= 262 && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar') return {container: 'tar'};
	if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return {container: 'unsupported', name: 'bzip2'};
	if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58) return {container: 'unsupported', name: 'xz'};
	if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return {container: 'unsupported', name: 'zstd'};
	return {container: 'none'};
}

export type Gunzipped =
	| {ok: true; content: Buffer; truncated?: string}
	| {ok: false; reason: string};

/**
 * Decompresses a whole gzip (all members) under the size and ratio caps. A truncated or corrupt
 * stream still yields everything decompressed before the damage, with the damage described, so
 * every complete record before the cut can be imported.
 */
export function gunzipCapped(bytes: Buffer): Gunzipped {
	const cap = decompressCap(bytes.length);
	try {
		return {ok: true, content: zlib.gunzipSync(bytes, {maxOutputLength: cap})};
	} catch (error) {
		if (tooLarge(error)) return {ok: false, reason: bombReason(bytes.length, cap)};
		const message = (error as Error).message;
		try {
			const content = zlib.gunzipSync(bytes, {maxOutputLength: cap, finishFlush: zlib.constants.Z_SYNC_FLUSH});
			return {
				ok: true,
				content,
				truncated: `gzip stream damaged (${message}) in ${bytes.length} compressed bytes; ${content.length} bytes recovered before the damage`,
			};
		} catch (second) {
			if (tooLarge(second)) return {ok: false, reason: bombReason(bytes.length, cap)};
			return {ok: false, reason: `not a readable gzip stream: ${message}`};
		}
	}
}

function tooLarge(error: unknown): boolean {
	const code = (error as NodeJS.ErrnoException).code;
	return code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError;
}

export function bombReason(compressed: number, cap: number): string {
	return cap >= limits.maxSourceBytes
		? `decompressed content exceeds the limit of ${mib(limits.maxSourceBytes)} per source (possible decompression bomb)`
		: `decompresses beyond ${limits.maxRatio}× its ${compressed} compressed bytes (possible decompression bomb)`;
}
