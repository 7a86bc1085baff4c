/**
 * A seeded pseudo-random source (sfc32, 128-bit state) so the samples and the synthetic archives
 * are byte-for-byte reproducible: the same seed always yields the same evidence files.
 */

const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const upperDigits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const alphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const hex = '0123456789abcdef';

export class Random {
	private a: number;
	private b: number;
	private c: number;
	private d: number;

	constructor(seed: number | string) {
		// Spread the seed over the state with a string hash, then warm up: sfc32's first outputs are weak.
		let h = 1779033703 ^ String(seed).length;
		for (const ch of String(seed)) {
			h = Math.imul(h ^ ch.charCodeAt(0), 3432918353);
			h = (h << 13) | (h >>> 19);
		}
		const next = () => {
			h = Math.imul(h ^ (h >>> 16), 2246822507);
			h = Math.imul(h ^ (h >>> 13), 3266489909);
			return (h ^= h >>> 16) >>> 0;
		};
		this.a = next();
		this.b = next();
		this.c = next();
		this.d = next();
		for (let i = 0; i < 15; i++) this.uint32();
	}

	uint32(): number {
		this.a >>>= 0;
		this.b >>>= 0;
		this.c >>>= 0;
		this.d >>>= 0;
		let t = (this.a + this.b) | 0;
		this.a = this.b ^ (this.b >>> 9);
		this.b = (this.c + (this.c << 3)) | 0;
		this.c = (this.c << 21) | (this.c >>> 11);
		this.d = (this.d + 1) | 0;
		t = (t + this.d) | 0;
		this.c = (this.c + t) | 0;
		return t >>> 0;
	}

	/** A float in [0, 1). */
	next(): number {
		return this.uint32() / 4294967296;
	}

	/** An integer in [min, max]. */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	chance(p: number): boolean {
		return this.next() < p;
	}

	pick<T>(items: readonly T[]): T {
		return items[Math.floor(this.next() * items.length)];
	}

	/** A new independent stream, so adding draws in one story does not shift every later story. */
	fork(label: string): Random {
		return new Random(`${this.uint32()}:${label}`);
	}

	chars(alphabet: string, length: number): string {
		const n = alphabet.length;
		let out = '';
		if ((n & (n - 1)) === 0) {
			// Power-of-two alphabets take several characters from each 32-bit draw (the generator's hot path).
			const bits = 31 - Math.clz32(n);
			let pool = 0;
			let available = 0;
			for (let i = 0; i < length; i++) {
				if (available < bits) {
					pool = this.uint32();
					available = 32;
				}
				out += alphabet[pool & (n - 1)];
				pool >>>= bits;
				available -= bits;
			}
			return out;
		}
		for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * n)];
		return out;
	}

	uuid(): string {
		const h = (this.uint32().toString(16).padStart(8, '0') + this.uint32().toString(16).padStart(8, '0') + this.uint32().toString(16).padStart(8, '0') + this.uint32().toString(16).padStart(8, '0'));
		const variant = hex[8 + (this.uint32() & 3)];
		return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
	}

	/** S3-style request id (16 upper-case alphanumerics). */
	requestId(): string {
		return this.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 16);
	}

	/** IAM unique ids: AIDA (user), AROA (role), AKIA (long-term key), ASIA (session key). */
	iamId(prefix: 'AIDA' | 'AROA' | 'AKIA' | 'ASIA'): string {
		return prefix + this.chars(upperDigits, prefix === 'AKIA' || prefix === 'ASIA' ? 16 : 17);
	}

	/** The 16-character suffix of a CloudTrail log file name. */
	fileSuffix(): string {
		return this.chars(alphanumeric, 16);
	}

	upper(length: number): string {
		return this.chars(upper, length);
	}

	/** A public-looking IPv4 address from the documentation and carrier ranges. */
	ip(): string {
		const block = this.pick(['198.51.100', '203.0.113', '192.0.2', '100.64.12', '52.94.133', '18.205.93']);
		return `${block}.${this.int(2, 254)}`;
	}

	/** Fisher–Yates in place. */
	shuffle<T>(items: T[]): T[] {
		for (let i = items.length - 1; i > 0; i--) {
			const j = Math.floor(this.next() * (i + 1));
			[items[i], items[j]] = [items[j], items[i]];
		}
		return items;
	}
}
