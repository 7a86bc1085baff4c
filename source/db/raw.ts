import type Database from 'better-sqlite3';

/**
 * Original records are stored verbatim, packed into blocks of about 1 MiB of text compressed with
 * zstd (level 1). A block spans many small sources (an S3 trail is tens of thousands of files of a
 * few records each): a block per source compressed poorly, and a compressed record alone far worse.
 * An event points at its bytes with (raw_block, raw_offset, raw_length). The codec is part of the
 * case-file format (meta raw_codec): never change it in place, add a new one.
 */
export const rawCodec = 'zstd-blocks-1';

/** Uncompressed bytes per block before a new one starts; bounds what reading one record unpacks. */
export const blockBytes = 1 << 20;

const level = 1;
/** Level 1: import speed first; the blocks are plain zstd frames, readable by any zstd. */
const compressOptions = () => ({params: {[zlib().constants.ZSTD_c_compressionLevel]: level}});

/** node:zlib when a block is first packed or read: most query commands read none (1–2 ms of their start). */
const zlib = () => process.getBuiltinModule('node:zlib');

export interface RawRef {
	/** Index into the blocks the builder hands over at its next seal(). */
	block: number;
	offset: number;
	length: number;
}

/**
 * Collects record texts into compressed blocks. Readers add; whoever sends a chunk of work to the
 * store seals: the blocks since the last seal go with that chunk, and indices start again at 0.
 */
export class RawBlockBuilder {
	private blocks: Uint8Array[] = [];
	private parts: Buffer[] = [];
	private size = 0;

	add(text: string): RawRef {
		return this.addBytes(Buffer.from(text, 'utf8'));
	}

	/** A record text already encoded as UTF-8. */
	addBytes(bytes: Buffer): RawRef {
		if (this.size > 0 && this.size + bytes.length > blockBytes) this.flush();
		const ref = {block: this.blocks.length, offset: this.size, length: bytes.length};
		this.parts.push(bytes);
		this.size += bytes.length;
		return ref;
	}

	/** Uncompressed bytes added since the last seal. */
	get pending(): number {
		return this.blocks.length * blockBytes + this.size;
	}

	/** The compressed blocks since the last seal; the builder starts again empty. */
	seal(): Uint8Array[] {
		if (this.size > 0) this.flush();
		const blocks = this.blocks;
		this.blocks = [];
		return blocks;
	}

	/** Old name of seal() (one-source callers). */
	finish(): Uint8Array[] {
		return this.seal();
	}

	private flush(): void {
		const text = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
		this.blocks.push(compressBlock(text));
		this.parts = [];
		this.size = 0;
	}
}

export function compressBlock(text: Uint8Array): Uint8Array {
	return zlib().zstdCompressSync(text, compressOptions());
}

export function unpackBlock(data: Uint8Array): Buffer {
	return zlib().zstdDecompressSync(data);
}

/** Reads original record texts back, keeping the last few unpacked blocks (neighbours share one). */
export class RawReader {
	private readonly statement: Database.Statement;
	private readonly cache = new Map<number, Buffer>();

	constructor(db: Database.Database) {
		this.statement = db.prepare('SELECT data FROM raw_block WHERE id = ?').pluck();
	}

	bytes(block: number, offset: number, length: number): Buffer {
		let unpacked = this.cache.get(block);
		if (!unpacked) {
			const data = this.statement.get(block) as Buffer | undefined;
			if (!data) throw new Error(`case file is missing raw block ${block}`);
			unpacked = unpackBlock(data);
			if (this.cache.size >= 8) this.cache.delete(this.cache.keys().next().value!);
			this.cache.set(block, unpacked);
		}
		return unpacked.subarray(offset, offset + length);
	}

	text(block: number, offset: number, length: number): string {
		return this.bytes(block, offset, length).toString('utf8');
	}
}
