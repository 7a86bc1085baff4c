import {isAscii, isUtf8} from 'node:buffer';
import crypto from 'node:crypto';

const empty = Buffer.alloc(0);

/**
 * The part of a source's decompressed content a reader is looking at. `text` is the same bytes
 * decoded as Latin-1, one character per byte: structural JSON characters are ASCII and never occur
 * inside a UTF-8 sequence, so readers find record boundaries with string searches and every index
 * is a byte offset. Each record is then decoded as UTF-8 on its own (or sliced from `text` when the
 * window is pure ASCII) and its exact bytes are a view of `bytes`.
 *
 * Bytes before `pos` may be dropped at the next refill: a reader moves `pos` only past what it has
 * finished with, so a record cut by the end of the window is seen whole after the refill.
 */
export class Window {
	bytes: Buffer = empty;
	text = '';
	/** Content offset of bytes[0]. */
	base = 0;
	/** First index still needed. */
	pos = 0;
	/** No content follows the window. */
	eof = false;
	ascii = true;
	/** SHA-256 of the content dropped so far (created at the first drop: a source read whole is hashed in one go). */
	private hash?: crypto.Hash;

	/** Content offset of window index `i`. */
	at(i: number): number {
		return this.base + i;
	}

	/** Bytes [s, e) as a string (UTF-8). */
	utf8(s: number, e: number): string {
		return this.ascii ? this.text.slice(s, e) : this.bytes.toString('utf8', s, e);
	}

	/** Bytes [s, e) decoded leniently, with whether they were valid UTF-8. */
	valid(s: number, e: number): boolean {
		return this.ascii || isUtf8(this.bytes.subarray(s, e));
	}

	/** Drops what is before `pos` and appends `chunk` (empty and `eof` at the end of the content). */
	push(chunk: Buffer, eof: boolean): void {
		if (this.pos > 0) (this.hash ??= crypto.createHash('sha256')).update(this.bytes.subarray(0, this.pos));
		const rest = this.pos < this.bytes.length ? this.bytes.subarray(this.pos) : empty;
		this.bytes = rest.length === 0 ? chunk : chunk.length === 0 ? rest : Buffer.concat([rest, chunk]);
		this.base += this.pos;
		this.pos = 0;
		this.eof = eof;
		this.text = this.bytes.toString('latin1');
		this.ascii = isAscii(this.bytes);
	}

	/** SHA-256 (hex) of the content before `pos`: what a resume point is checked against. */
	prefixSha256(): string {
		const h = this.hash ? this.hash.copy() : crypto.createHash('sha256');
		return h.update(this.bytes.subarray(0, this.pos)).digest('hex');
	}

	/** SHA-256 (hex) of all the content, once the window holds the last of it. */
	contentSha256(): string {
		if (!this.hash) return crypto.hash ? crypto.hash('sha256', this.bytes, 'hex') : crypto.createHash('sha256').update(this.bytes).digest('hex');
		return this.hash.update(this.bytes).digest('hex');
	}

	/** Bytes kept (the reader still needs them). */
	get size(): number {
		return this.bytes.length - this.pos;
	}
}
