import {describe, expect, it} from 'vitest';
import {decodeEventId, encodeEventId, encodeIp} from '../../source/db/event-row.js';

/** The definitions the char-code readers replaced (source/db/event-row.ts): what stays text, what becomes bytes or an integer. */
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const part = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const ipv4 = new RegExp(`^${part}\\.${part}\\.${part}\\.${part}$`);

/** A deterministic generator: the same mutations every run. */
function random(seed: number): () => number {
	let s = seed;
	return () => {
		s = (s * 1103515245 + 12345) & 0x7fffffff;
		return s / 0x80000000;
	};
}

/** Mutations of a valid value: one character replaced, removed or added, from an alphabet of near misses. */
function mutations(base: string[], alphabet: string, count: number, seed: number): string[] {
	const r = random(seed);
	const out: string[] = [];
	for (let i = 0; i < count; i++) {
		let s = base[Math.floor(r() * base.length)];
		const edits = 1 + Math.floor(r() * 2);
		for (let e = 0; e < edits; e++) {
			const at = Math.floor(r() * (s.length + 1));
			const ch = alphabet[Math.floor(r() * alphabet.length)];
			const kind = r();
			s = kind < 0.4 ? s.slice(0, at) + ch + s.slice(at + 1) : kind < 0.7 ? s.slice(0, at) + s.slice(at + 1) : s.slice(0, at) + ch + s.slice(at);
		}
		out.push(s);
	}
	return out;
}

describe('event_row encodings (source/db/event-row.ts)', () => {
	it('an eventID is 16 bytes exactly when it is a lowercase canonical UUID, and comes back byte for byte', () => {
		const valid = ['3f1c2a9e-0b6d-4c1e-9a7f-5d2e8b4c6a10', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'];
		const cases = [...valid, ...mutations(valid, '0123456789abcdefABCDEFg-_ é\u0130', 50_000, 21), '3F1C2A9E-0B6D-4C1E-9A7F-5D2E8B4C6A10', ''];
		let bytes = 0;
		for (const id of cases) {
			const stored = encodeEventId(id);
			expect(Buffer.isBuffer(stored), id).toBe(uuid.test(id));
			if (Buffer.isBuffer(stored)) {
				bytes++;
				expect(stored.length).toBe(16);
				expect(stored.toString('hex')).toBe(id.replaceAll('-', ''));
			}
			expect(decodeEventId(stored)).toBe(id);
		}
		expect(bytes).toBeGreaterThan(1000);
	});

	it('an IPv4 address is an integer exactly when it is a canonical dotted quad', () => {
		const valid = ['0.0.0.0', '255.255.255.255', '10.0.0.1', '192.168.100.25', '1.22.249.250', '203.0.113.7'];
		const cases = [...valid, ...mutations(valid, '0123456789.:a 9', 50_000, 27), '256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.', '::1', '2001:db8::1', 'ec2.amazonaws.com'];
		let integers = 0;
		for (const ip of cases) {
			const stored = encodeIp(ip);
			const m = ipv4.exec(ip);
			if (!m) {
				expect(stored, ip).toBe(ip);
				continue;
			}
			integers++;
			expect(stored, ip).toBe(BigInt(((Number(m[1]) << 24) >>> 0) + (Number(m[2]) << 16) + (Number(m[3]) << 8) + Number(m[4])));
		}
		expect(integers).toBeGreaterThan(1000);
		expect(encodeIp(null)).toBe(null);
	});
});
