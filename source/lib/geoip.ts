/**
 * Offline enrichment of source IPs: country and ASN, with nothing fetched at run time.
 * - Country: @ip-location-db/geo-whois-asn-country-mmdb (NRO statistics, CC BY 4.0), read with
 *   mmdb-lib.
 * - ASN and organisation: @ip-location-db/asn (RouteViews and DB-IP IP to ASN Lite, CC BY 4.0),
 *   sorted CSV ranges searched in place on disk (a binary search by byte offset: parsing the 21 MB
 *   file would cost a second; a lookup reads a few hundred bytes twenty times).
 * - The responder's own MaxMind file (--geoip: GeoLite2/GeoIP2 City, Country or ASN, or any mmdb
 *   with country_code/autonomous_system_number) takes precedence for what it holds.
 * CloudTrail's sourceIPAddress is not always an address: "AWS Internal" and service names
 * (ec2.amazonaws.com) are labelled as what they are, as are private and documentation ranges.
 */
import fs from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {Reader, type Response} from 'mmdb-lib';

type MmdbReader = Reader<Response>;

export type GeoKind = 'address' | 'private' | 'documentation' | 'aws-internal' | 'service' | 'other';

export interface Geo {
	kind: GeoKind;
	/** ISO 3166-1 alpha-2, when known. */
	country: string | null;
	asn: number | null;
	org: string | null;
	/** One short line: 'DE AS3320 Deutsche Telekom AG', 'AWS Internal', 'AWS service ec2.amazonaws.com'. */
	label: string;
}

export interface GeoLookup {
	/** Where the answers come from (for reports): the bundled data and/or the --geoip file. */
	source: string;
	lookup(ip: string): Geo;
}

export function geoLabel(geo: Geo | undefined | null): string {
	return geo?.label ?? '';
}

// ——— address forms ———

function ipv4Number(text: string): number | undefined {
	const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
	if (!m) return undefined;
	const parts = m.slice(1).map(Number);
	if (parts.some(p => p > 255)) return undefined;
	return parts[0] * 16777216 + parts[1] * 65536 + parts[2] * 256 + parts[3];
}

function ipv6Number(text: string): bigint | undefined {
	let t = text.toLowerCase();
	const zone = t.indexOf('%');
	if (zone >= 0) t = t.slice(0, zone);
	const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(t);
	if (dotted) {
		const v4 = ipv4Number(dotted[1]);
		if (v4 === undefined) return undefined;
		t = `${t.slice(0, -dotted[1].length)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
	}
	const halves = t.split('::');
	if (halves.length > 2) return undefined;
	const head = halves[0] ? halves[0].split(':') : [];
	const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
	const fill = 8 - head.length - tail.length;
	if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined;
	const groups = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...tail];
	if (groups.length !== 8 || groups.some(g => !/^[0-9a-f]{1,4}$/.test(g))) return undefined;
	return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
}

const v4Ranges: [string, number, number, GeoKind, string][] = (
	[
		['10.0.0.0', 8, 'private', 'private address (RFC 1918)'],
		['172.16.0.0', 12, 'private', 'private address (RFC 1918)'],
		['192.168.0.0', 16, 'private', 'private address (RFC 1918)'],
		['100.64.0.0', 10, 'private', 'shared address space (RFC 6598)'],
		['127.0.0.0', 8, 'private', 'loopback'],
		['169.254.0.0', 16, 'private', 'link-local'],
		['192.0.2.0', 24, 'documentation', 'documentation range (RFC 5737)'],
		['198.51.100.0', 24, 'documentation', 'documentation range (RFC 5737)'],
		['203.0.113.0', 24, 'documentation', 'documentation range (RFC 5737)'],
	] as [string, number, GeoKind, string][]
).map(([base, bits, kind, label]) => [base, ipv4Number(base)!, bits, kind, label]);

function special(ip: string): Geo | undefined {
	const plain = (kind: GeoKind, label: string): Geo => ({kind, country: null, asn: null, org: null, label});
	if (ip === 'AWS Internal') return plain('aws-internal', 'AWS Internal');
	const v4 = ipv4Number(ip);
	if (v4 !== undefined) {
		for (const [, base, bits, kind, label] of v4Ranges) if (Math.floor(v4 / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits))) return plain(kind, label);
		return undefined;
	}
	const v6 = ipv6Number(ip);
	if (v6 !== undefined) {
		if (v6 === 1n) return plain('private', 'loopback');
		if (v6 >> 121n === 0x7en) return plain('private', 'unique local address');
		if (v6 >> 118n === 0x3fan) return plain('private', 'link-local');
		if (v6 >> 96n === 0x20010db8n) return plain('documentation', 'documentation range (RFC 3849)');
		return undefined;
	}
	// Not an address: an AWS service acting for the caller (ec2.amazonaws.com) or another name.
	if (/^[a-z0-9.-]+\.amazonaws\.com(?:\.cn)?$/i.test(ip) || /^[a-z0-9-]+\.amazonaws\.com$/i.test(ip)) return plain('service', `AWS service ${ip}`);
	return plain('other', 'not an IP address');
}

// ——— the bundled data ———

const require = createRequire(import.meta.url);

function packageFile(pkg: string, file: string): string | undefined {
	try {
		return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
	} catch {
		return undefined;
	}
}

/**
 * Sorted "start,end,asn,org" lines (decimal numbers) searched on disk: each step reads the line at
 * a byte offset, so a lookup costs about twenty small reads and nothing is parsed up front.
 */
class RangeFile {
	private readonly fd: number;
	private readonly size: number;
	private readonly buffer = Buffer.alloc(1024);

	constructor(file: string) {
		this.fd = fs.openSync(file, 'r');
		this.size = fs.fstatSync(this.fd).size;
	}

	/** The line starting at `offset` (up to 1 KiB), or undefined past the end. */
	private lineAt(offset: number): string | undefined {
		if (offset >= this.size) return undefined;
		const n = fs.readSync(this.fd, this.buffer, 0, this.buffer.length, offset);
		const text = this.buffer.toString('utf8', 0, n);
		const end = text.indexOf('\n');
		return end < 0 ? text : text.slice(0, end);
	}

	/** The first line start at or after `offset`. */
	private lineStartFrom(offset: number): number {
		if (offset === 0) return 0;
		for (let at = offset - 1; at < this.size; at += this.buffer.length) {
			const n = fs.readSync(this.fd, this.buffer, 0, this.buffer.length, at);
			const newline = this.buffer.subarray(0, n).indexOf(10);
			if (newline >= 0) return at + newline + 1;
		}
		return this.size;
	}

	private static start(line: string): bigint {
		return BigInt(line.slice(0, line.indexOf(',')));
	}

	find(value: bigint): {asn: number; org: string} | undefined {
		const first = this.lineAt(0);
		if (!first || RangeFile.start(first) > value) return undefined;
		let lo = 0;
		let hi = this.size;
		while (hi - lo > 1) {
			const mid = Math.floor((lo + hi) / 2);
			const at = this.lineStartFrom(mid);
			if (at >= hi) {
				hi = mid;
				continue;
			}
			const line = this.lineAt(at);
			if (line && line.includes(',') && RangeFile.start(line) <= value) lo = at;
			else hi = at;
		}
		const line = this.lineAt(lo)!;
		const [, end, asn, ...org] = line.split(',');
		if (value > BigInt(end)) return undefined;
		const name = org.join(',').replace(/^"(.*)"\r?$/, '$1').replace(/""/g, '"').replace(/\r$/, '');
		return {asn: Number(asn), org: name};
	}
}

interface Bundled {
	country?: MmdbReader;
	asn4?: RangeFile;
	asn6?: RangeFile;
}

let bundled: Bundled | undefined;

function loadBundled(): Bundled {
	if (bundled) return bundled;
	bundled = {};
	const mmdb = packageFile('@ip-location-db/geo-whois-asn-country-mmdb', 'geo-whois-asn-country.mmdb');
	if (mmdb && fs.existsSync(mmdb)) bundled.country = new Reader(fs.readFileSync(mmdb));
	const v4 = packageFile('@ip-location-db/asn', 'asn-ipv4-num.csv');
	const v6 = packageFile('@ip-location-db/asn', 'asn-ipv6-num.csv');
	if (v4 && fs.existsSync(v4)) bundled.asn4 = new RangeFile(v4);
	if (v6 && fs.existsSync(v6)) bundled.asn6 = new RangeFile(v6);
	return bundled;
}

/** Country and ASN fields of an mmdb record, whatever its flavour (MaxMind City/Country/ASN, ip-location-db). */
function fromRecord(record: Record<string, unknown> | null): {country: string | null; asn: number | null; org: string | null} {
	if (!record) return {country: null, asn: null, org: null};
	const iso = (v: unknown) => (v && typeof v === 'object' && typeof (v as {iso_code?: unknown}).iso_code === 'string' ? (v as {iso_code: string}).iso_code : null);
	const country = iso(record.country) ?? iso(record.registered_country) ?? (typeof record.country_code === 'string' ? record.country_code : null);
	const asn = typeof record.autonomous_system_number === 'number' ? record.autonomous_system_number : null;
	const org = typeof record.autonomous_system_organization === 'string' ? record.autonomous_system_organization : null;
	return {country, asn, org};
}

function label(country: string | null, asn: number | null, org: string | null): string {
	return [country ?? '??', asn !== null ? `AS${asn}` : '', org ?? ''].filter(Boolean).join(' ');
}

export interface GeoOptions {
	/** The responder's own MaxMind (mmdb) file. */
	file?: string;
	/** Leave the bundled data out (tests of --geoip alone). */
	bundled?: boolean;
}

/** A lookup over the bundled data and, when given, the responder's own mmdb file (which wins). */
export function openGeo(options: GeoOptions = {}): GeoLookup {
	let own: MmdbReader | undefined;
	if (options.file) {
		let data: Buffer;
		try {
			data = fs.readFileSync(options.file);
		} catch (error) {
			throw new Error(`--geoip ${options.file}: ${(error as Error).message}`);
		}
		try {
			own = new Reader(data);
		} catch (error) {
			throw new Error(`--geoip ${options.file}: not a MaxMind DB file (${(error as Error).message})`);
		}
	}
	const useBundled = options.bundled !== false;
	const sources = [
		...(own ? [`${path.basename(options.file!)} (${own.metadata.databaseType})`] : []),
		...(useBundled ? ['bundled: country NRO via ip-location-db (CC BY 4.0), ASN RouteViews + DB-IP Lite (CC BY 4.0)'] : []),
	];
	const cache = new Map<string, Geo>();
	return {
		source: sources.join('; ') || 'none',
		lookup(ip: string): Geo {
			const hit = cache.get(ip);
			if (hit) return hit;
			const geo = lookupOnce(ip, own, useBundled ? loadBundled() : {});
			if (cache.size > 100_000) cache.clear();
			cache.set(ip, geo);
			return geo;
		},
	};
}

function lookupOnce(ip: string, own: MmdbReader | undefined, data: Bundled): Geo {
	const fixed = special(ip);
	if (fixed) return fixed;
	let {country, asn, org} = own ? safeGet(own, ip) : {country: null as string | null, asn: null as number | null, org: null as string | null};
	if (country === null && data.country) country = safeGet(data.country, ip).country;
	if (asn === null) {
		const v4 = ipv4Number(ip);
		const found = v4 !== undefined ? data.asn4?.find(BigInt(v4)) : (() => {
			const v6 = ipv6Number(ip);
			return v6 !== undefined ? data.asn6?.find(v6) : undefined;
		})();
		if (found) ({asn, org} = {asn: found.asn, org: org ?? found.org});
	}
	return {kind: 'address', country, asn, org, label: label(country, asn, org)};
}

function safeGet(reader: MmdbReader, ip: string) {
	try {
		return fromRecord(reader.get(ip) as unknown as Record<string, unknown> | null);
	} catch {
		return {country: null, asn: null, org: null};
	}
}

let shared: GeoLookup | undefined;

/** The bundled lookup, shared (the explorer shows it beside IPs). */
export function geoOf(ip: string): Geo {
	shared ??= openGeo();
	return shared.lookup(ip);
}

/** For the explorer: use the responder's own file for every later geoOf (called once at start with --geoip). */
export function useGeoFile(file: string | undefined): void {
	shared = openGeo({file});
}
