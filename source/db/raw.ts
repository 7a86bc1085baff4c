import zlib from 'node:zlib';
import type Database from 'better-sqlite3';

/**
 * Original records are stored verbatim. They are packed in blocks (one per source, or per MiB of
 * text for large sources) because compressing a few hundred records together is both ten times
 * faster and three times smaller than compressing each alone (zlib's set-up dominates small inputs).
 * An event points at its bytes with (raw_block, raw_offset, raw_length). The codec is part of the
 * case-file format (meta raw_codec): never change it in place, add a new one.
 */
export const rawCodec = 'deflate-raw-blocks-1';

/** Uncompressed bytes per block before a new one starts; bounds what reading one record unpacks. */
const blockBytes = 1 << 20;

export interface RawRef {
	/** Index into the blocks of the same builder. */
	block: number;
	offset: number;
	length: number;
}

/** Collects record texts of one source into compressed blocks. */
export class RawBlockBuilder {
	readonly blocks: Uint8Array[] = [];
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

	/** The compressed blocks; call once, after the last add. */
	finish(): Uint8Array[] {
		if (this.size > 0) this.flush();
		return this.blocks;
	}

	private flush(): void {
		this.blocks.push(zlib.deflateRawSync(Buffer.concat(this.parts, this.size), {level: 3}));
		this.parts = [];
		this.size = 0;
	}
}

/** Reads original record texts back, keeping the last few unpacked blocks (neighbours share one). */
export class RawReader {
	private readonly statement: Database.Statement;
	private readonly cache = new Map<number, Buffer>();

	constructor(db: Database.Database) {
		this.statement = db.prepare('SELECT data FROM raw_block WHERE id = ?').pluck();
	}

	text(block: number, offset: number, length: number): string {
		let unpacked = this.cache.get(block);
		if (!unpacked) {
			const data = this.statement.get(block) as Buffer | undefined;
			if (!data) throw new Error(`case file is missing raw block ${block}`);
			unpacked = zlib.inflateRawSync(data);
			if (this.cache.size >= 8) this.cache.delete(this.cache.keys().next().value!);
			this.cache.set(block, unpacked);
		}
		return unpacked.toString('utf8', offset, offset + length);
	}
}
