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
