import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type {CaseFile} from '../db/open.js';
import {isScoped, objectKey, scopeObjects} from '../db/scope.js';
import {processTask, type SourceResult} from '../import/process.js';
import {parseDigest, Signatures, verifySignature, type Digest, type PublicKey} from './digest.js';

/**
 * `mfatrail verify`: is the case file sound, is the evidence on disk still what was imported, and
 * do the CloudTrail digests vouch for the imported log files? Reads only; every finding is listed
 * so a report can be handed over as it is.
 */

export interface SourceRef {
	path: string;
	member: string | null;
}

export interface VerifyReport {
	ok: boolean;
	integrity: {ok: boolean; messages: string[]};
	/** MFA rows whose stored facts are not readable JSON: the model could not use them (event row ids). */
	facts: {unreadable: number[]};
	sources: {
		total: number;
		rehashed: number;
		unchanged: number;
		changed: (SourceRef & {recorded: string; now: string})[];
		notOnDisk: SourceRef[];
		notRehashed: (SourceRef & {reason: string})[];
	};
	digests: {
		count: number;
		invalid: (SourceRef & {reason: string})[];
		logFiles: {listed: number; matched: number};
		missing: {s3Object: string; digest: string}[];
		/**
		 * A scoped extract (mfatrail scope) holds only the objects its query chose: log files its
		 * digests list but the query did not choose are counted here, not missing. Null: not scoped.
		 */
		outsideScope: number | null;
		altered: (SourceRef & {s3Object: string; digest: string; expected: string; imported: string})[];
		uncovered: SourceRef[];
		chain: {consistent: boolean; problems: {digest: string; problem: string}[]; starts: string[]};
		signatures: {
			checked: boolean;
			verified: number;
			invalid: string[];
			absent: string[];
		};
		/** One line: "hash chain consistent, signature not verified", "… signature verified", … */
		status: string;
	};
}

export interface VerifyOptions {
	publicKeys?: PublicKey[];
	signatures?: Signatures;
}

interface SourceRow {
	id: number;
	path: string;
	member: string | null;
	format: string;
	status: string;
	sha256: string;
	content_sha256: string;
	notes: string | null;
}

interface DigestRow {
	source_id: number;
	path: string;
	member: string | null;
	content_sha256: string;
	body: string;
}

export async function verifyCaseFile(db: CaseFile, options: VerifyOptions = {}): Promise<VerifyReport> {
	const integrity = checkIntegrity(db);
	// The facts the import stored for each MFA row, read as the model reads them (JSON): none may be lost silently.
	const facts = {unreadable: db.prepare(`SELECT id FROM event_row WHERE facts IS NOT NULL AND NOT json_valid(facts) ORDER BY id`).pluck().all() as number[]};
	const sourceRows = db.prepare(`SELECT id, path, member, format, status, sha256, content_sha256, notes FROM source ORDER BY id`).all() as SourceRow[];
	const sources = await rehashSources(sourceRows);
	const digests = checkDigests(db, sourceRows, options);
	const ok =
		integrity.ok &&
		facts.unreadable.length === 0 &&
		sources.changed.length === 0 &&
		digests.invalid.length === 0 &&
		digests.missing.length === 0 &&
		digests.altered.length === 0 &&
		digests.uncovered.length === 0 &&
		digests.chain.consistent &&
		digests.signatures.invalid.length === 0;
	return {ok, integrity, facts, sources, digests};
}

function checkIntegrity(db: CaseFile): VerifyReport['integrity'] {
	let messages: string[];
	try {
		messages = (db.pragma('integrity_check') as {integrity_check: string}[]).map(r => r.integrity_check);
	} catch (error) {
		// SQLite gives up on a badly damaged file: that is the check's answer, not an error of verify.
		return {ok: false, messages: [`integrity_check could not finish: ${(error as Error).message}`]};
	}
	const foreign = db.pragma('foreign_key_check') as unknown[];
	const ok = messages.length === 1 && messages[0] === 'ok' && foreign.length === 0;
	if (foreign.length > 0) messages.push(`${foreign.length} rows point to missing rows (foreign_key_check)`);
	return {ok, messages};
}

/** SHA-256 of a file, read in chunks so a large log costs no more memory than a small one. */
export function hashFile(file: string): string {
	const hash = crypto.createHash('sha256');
	const fd = fs.openSync(file, 'r');
	try {
		const buffer = Buffer.allocUnsafe(1 << 20);
		for (;;) {
			const n = fs.readSync(fd, buffer, 0, buffer.length, null);
			if (n === 0) break;
			hash.update(buffer.subarray(0, n));
		}
	} finally {
		fs.closeSync(fd);
	}
	return hash.digest('hex');
}

/** The archive's own hash, when the importer wrote it into the member's notes. */
function recordedArchiveHash(notes: string | null): string | undefined {
	if (!notes) return undefined;
	try {
		const list = JSON.parse(notes) as unknown;
		for (const note of Array.isArray(list) ? list : []) {
			const match = typeof note === 'string' ? /archive[_ ]sha256[=: ]+([0-9a-f]{64})/i.exec(note) : null;
			if (match) return match[1]!.toLowerCase();
		}
	} catch {
		// notes that are not JSON carry no archive hash
	}
	return undefined;
}

/**
 * SHA-256 of each member's bytes as read, by member name, by reading the archive again with the
 * importer's own reader (same member naming, same bounds, nothing extracted). Null when the
 * archive cannot be read at all.
 */
async function memberHashes(archive: string, size: number): Promise<Map<string, string> | null> {
	const hashes = new Map<string, string>();
	let readable = true;
	await processTask({seq: 0, path: archive, size}, (result: SourceResult) => {
		if (result.kind === 'source' || result.kind === 'digest' || (result.kind === 'part' && result.status !== 'importing')) hashes.set(result.meta.member ?? '', result.meta.sha256);
		else if (result.kind === 'rejected' && result.member === null) readable = false;
	}, new Map());
	return readable || hashes.size > 0 ? hashes : null;
}

async function rehashSources(rows: SourceRow[]): Promise<VerifyReport['sources']> {
	const report: VerifyReport['sources'] = {total: rows.length, rehashed: 0, unchanged: 0, changed: [], notOnDisk: [], notRehashed: []};
	const hashes = new Map<string, string | null>(); // one read per file, however many members it holds
	const hashOf = (file: string): string | null => {
		if (!hashes.has(file)) {
			let value: string | null = null;
			try {
				if (fs.statSync(file).isFile()) value = hashFile(file);
			} catch {
				value = null;
			}
			hashes.set(file, value);
		}
		return hashes.get(file)!;
	};
	const archives = new Map<string, Map<string, string> | null>();
	const membersOf = async (file: string) => {
		if (!archives.has(file)) archives.set(file, await memberHashes(file, fs.statSync(file).size));
		return archives.get(file)!;
	};
	for (const row of rows) {
		const ref = {path: row.path, member: row.member};
		if (row.path === '-') {
			report.notRehashed.push({...ref, reason: 'read from standard input'});
			continue;
		}
		if (!fs.existsSync(row.path)) {
			report.notOnDisk.push(ref);
			continue;
		}
		let recorded = row.sha256;
		let now: string | null | undefined;
		if (row.member !== null) {
			const archive = recordedArchiveHash(row.notes);
			if (archive) {
				recorded = archive;
				now = hashOf(row.path);
			} else {
				const members = await membersOf(row.path);
				if (members === null) {
					report.notRehashed.push({...ref, reason: 'the archive cannot be read any more'});
					continue;
				}
				// A member that is gone from the archive is a change to the evidence.
				now = members.get(row.member) ?? 'member no longer in the archive';
			}
		} else now = hashOf(row.path);
		if (now === null) {
			report.notRehashed.push({...ref, reason: 'cannot be read'});
			continue;
		}
		report.rehashed++;
		if (now === recorded.toLowerCase()) report.unchanged++;
		else report.changed.push({...ref, recorded, now});
	}
	return report;
}

/** Where a source sits, as a slash path: the file, or the file then the archive member. */
function location(row: {path: string; member: string | null}): string {
	const file = row.path.split(path.sep).join('/');
	return row.member === null ? file : `${file}/${row.member.replace(/^\/+/, '')}`;
}

function describe(row: {path: string; member: string | null}): string {
	return row.member === null ? row.path : `${row.path} ▸ ${row.member}`;
}

// A log file a trail delivered: ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json[.gz].
const logFileName = /(?:^|\/)(\d{12})_CloudTrail_([a-z0-9-]+)_\d{8}T\d{4}Z_[A-Za-z0-9]+\.json(?:\.gz)?$/;

/** Which imported source holds a digest's log file: same S3 key at the end of its location, else same file name. */
class LogFileIndex {
	private readonly byName = new Map<string, SourceRow[]>();

	constructor(rows: SourceRow[]) {
		for (const row of rows) {
			const name = location(row).split('/').pop()!;
			const list = this.byName.get(name) ?? [];
			list.push(row);
			this.byName.set(name, list);
		}
	}

	find(s3Object: string): SourceRow | undefined {
		const key = s3Object.replace(/^\/+/, '');
		const candidates = this.byName.get(key.split('/').pop()!) ?? [];
		const bySuffix = candidates.filter(row => {
			const where = location(row);
			return where === key || where.endsWith(`/${key}`);
		});
		if (bySuffix.length > 0) return bySuffix[bySuffix.length - 1];
		// Downloaded without the S3 folders: CloudTrail file names are unique (random suffix).
		return candidates.length === 1 ? candidates[0] : undefined;
	}
}

/** Digests that belong to one chain: same bucket, account, region and trail (the key without its end time). */
function chainKey(digest: Digest): string {
	return `${digest.s3Bucket}/${(digest.s3Object ?? '').replace(/\/\d{4}\/\d{2}\/\d{2}\//, '/').replace(/_\d{8}T\d{6}Z(?:_backfill)?\.json(?:\.gz)?$/, '')}`;
}

function checkDigests(db: CaseFile, sources: SourceRow[], options: VerifyOptions): VerifyReport['digests'] {
	const rows = db
		.prepare(`SELECT d.source_id, s.path, s.member, s.content_sha256, d.body FROM digest d JOIN source s ON s.id = d.source_id ORDER BY d.digest_end_time, d.source_id`)
		.all() as DigestRow[];
	const report: VerifyReport['digests'] = {
		count: rows.length,
		invalid: [],
		logFiles: {listed: 0, matched: 0},
		missing: [],
		outsideScope: null,
		altered: [],
		uncovered: [],
		chain: {consistent: true, problems: [], starts: []},
		signatures: {checked: false, verified: 0, invalid: [], absent: []},
		status: '',
	};
	const selected = isScoped(db) ? scopeObjects(db) : undefined;
	if (selected) report.outsideScope = 0;
	const digestSourceIds = new Set(rows.map(r => r.source_id));
	const logSources = sources.filter(s => !digestSourceIds.has(s.id) && s.status !== 'digest' && !location(s).includes('CloudTrail-Digest'));
	const index = new LogFileIndex(logSources);
	const covered = new Set<number>();
	const parsed: {row: DigestRow; digest: Digest; name: string}[] = [];
	for (const row of rows) {
		const name = describe(row);
		try {
			const digest = parseDigest(row.body);
			// The stored body must still be what was hashed at import.
			const bodyHash = crypto.createHash('sha256').update(row.body, 'utf8').digest('hex');
			if (bodyHash !== row.content_sha256) {
				report.invalid.push({path: row.path, member: row.member, reason: 'stored digest text differs from the content hashed at import'});
				continue;
			}
			parsed.push({row, digest, name});
		} catch (error) {
			report.invalid.push({path: row.path, member: row.member, reason: (error as Error).message});
		}
	}
	const accountsRegions = new Set<string>();
	for (const {digest, name} of parsed) {
		const region = /\/CloudTrail-Digest\/([^/]+)\//.exec(digest.s3Object ?? '')?.[1];
		if (digest.accountId && region) accountsRegions.add(`${digest.accountId} ${region}`);
		for (const file of digest.logFiles) {
			report.logFiles.listed++;
			const source = index.find(file.s3Object);
			if (!source && selected && !selected.has(objectKey(file.s3Object))) {
				report.outsideScope!++;
				continue;
			}
			if (!source) {
				report.missing.push({s3Object: file.s3Object, digest: name});
				continue;
			}
			covered.add(source.id);
			report.logFiles.matched++;
			const expected = (file.hashValue ?? '').toLowerCase();
			if (expected !== source.content_sha256.toLowerCase()) {
				report.altered.push({path: source.path, member: source.member, s3Object: file.s3Object, digest: name, expected, imported: source.content_sha256});
			}
		}
	}
	// A delivered log file of an account and region the digests speak for, yet listed in none.
	for (const source of logSources) {
		if (covered.has(source.id)) continue;
		const match = logFileName.exec(location(source));
		if (match && accountsRegions.has(`${match[1]} ${match[2]}`)) report.uncovered.push({path: source.path, member: source.member});
	}
	checkChain(parsed, report, Boolean(selected));
	checkSignatures(parsed, report, options);
	report.status = digestStatus(report);
	return report;
}

function checkChain(parsed: {row: DigestRow; digest: Digest; name: string}[], report: VerifyReport['digests'], scoped: boolean): void {
	const byObject = new Map<string, {row: DigestRow; digest: Digest; name: string}>();
	for (const p of parsed) if (p.digest.s3Object) byObject.set(`${p.digest.s3Bucket}/${p.digest.s3Object}`, p);
	const chains = new Map<string, typeof parsed>();
	for (const p of parsed) {
		const key = chainKey(p.digest);
		chains.set(key, [...(chains.get(key) ?? []), p]);
	}
	for (const chain of chains.values()) {
		chain.sort((a, b) => (a.digest.digestEndTime ?? '').localeCompare(b.digest.digestEndTime ?? ''));
		chain.forEach((p, i) => {
			const {digest, name} = p;
			if (!digest.previousS3Object) {
				report.chain.starts.push(name);
				return;
			}
			const previous = byObject.get(`${digest.previousS3Bucket}/${digest.previousS3Object}`);
			if (!previous) {
				// Before the first digest in the case, the chain simply starts here; later, a digest is gone
				// (a scoped extract fetches the digests of the hours it needs: there a gap starts a segment).
				if (i === 0 || scoped) report.chain.starts.push(name);
				else report.chain.problems.push({digest: name, problem: `previous digest ${digest.previousS3Object} is not in the case (digest missing)`});
				return;
			}
			if ((digest.previousHashValue ?? '').toLowerCase() !== previous.row.content_sha256.toLowerCase()) {
				report.chain.problems.push({
					digest: name,
					problem: `previousDigestHashValue ${digest.previousHashValue} does not match ${previous.name} (${previous.row.content_sha256})`,
				});
			}
		});
	}
	report.chain.consistent = report.chain.problems.length === 0 && report.invalid.length === 0;
}

function checkSignatures(parsed: {row: DigestRow; digest: Digest; name: string}[], report: VerifyReport['digests'], options: VerifyOptions): void {
	const keys = options.publicKeys ?? [];
	const signatures = options.signatures;
	if (keys.length === 0 || !signatures || signatures.size === 0 || parsed.length === 0) return;
	report.signatures.checked = true;
	for (const {row, digest, name} of parsed) {
		const signature = signatures.find(digest);
		if (!signature) {
			report.signatures.absent.push(name);
			continue;
		}
		if (verifySignature(digest, row.content_sha256.toLowerCase(), signature, keys)) report.signatures.verified++;
		else report.signatures.invalid.push(name);
	}
}

function digestStatus(report: VerifyReport['digests']): string {
	if (report.count === 0) return 'no digest files in the case: log files not validated';
	const segments = report.outsideScope !== null && report.chain.starts.length > 1 ? ` in ${report.chain.starts.length} segments (scoped extract)` : '';
	const chain = report.chain.consistent ? `hash chain consistent${segments}` : 'hash chain broken';
	const s = report.signatures;
	if (!s.checked) return `${chain}, signature not verified`;
	if (s.invalid.length > 0) return `${chain}, signature INVALID for ${s.invalid.length} of ${report.count} digests`;
	if (s.absent.length > 0) return `${chain}, signature verified for ${s.verified} of ${report.count} digests, not verified for ${s.absent.length} (no signature given)`;
	return `${chain}, signature verified`;
}
