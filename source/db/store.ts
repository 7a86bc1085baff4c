import os from 'node:os';
import type {CaseFile} from './open.js';
import {canonicalJson, type DigestRow, type NormalisedEvent} from './record.js';
import {RawBlockBuilder, RawReader, rawCodec, unpackBlock, type RawRef} from './raw.js';
import {encodeEventId, encodeIp} from './event-row.js';
import {decodeEventTime, encodeEventTime} from './event-time.js';
import {decodeTime, encodeContentSha256, encodeSha256, encodeTime, splitPath} from './source-row.js';
import {PivotTally} from './pivot-values.js';

export interface SourceInfo {
	path: string;
	member: string | null;
	format: string;
	byteSize: number;
	sha256: string;
	contentSize: number;
	contentSha256: string;
	notes?: string[];
}

export interface SourceCounts {
	records: number;
	inserted: number;
	duplicates: number;
	conflicts: number;
	rejected: number;
}

/** One part of a source streamed in parts (source/import/stream.ts PartResult, as the store needs it). */
export interface StoredPart {
	meta: SourceInfo;
	part: number;
	resumeOf?: number;
	status: 'importing' | 'imported' | 'partial';
	events: StoredEvent[];
	rejected: {position: string; reason: string}[];
	resume?: {byteOffset: number; position: number; state: string};
}

export type InsertOutcome = 'inserted' | 'duplicate' | 'conflict';

/**
 * An event to store: its original text (raw), or a reference into the raw blocks of the chunk
 * being stored (rawRef, when a reader already packed the texts).
 */
export type StoredEvent = Omit<NormalisedEvent, 'raw' | 'rawSha256'> & {raw?: string; rawRef?: RawRef};

interface ExistingEvent {
	id: number;
	/** event_row.event_id as stored (source/db/event-row.ts). */
	storedEventId: string | Buffer;
	bits: number;
	/** As stored (source/db/event-time.ts). */
	eventTime: number | string;
	eventName: number | null;
	sourceId: number;
	position: number;
	rawBlock: number;
	rawOffset: number;
	rawLength: number;
}

/** event_row.bits (db/005_lean_event.sql). */
const bit = {derived: 1, conflict: 2, partial: 4, mfaFalse: 8, mfaTrue: 16, readOnlyFalse: 32, readOnlyTrue: 64} as const;

/** Columns of event_row in insert order (id excluded). */
const columns = `event_id, bits, event_time, event_version, event_source, event_name, event_type, recipient_account_id,
	aws_region, identity_type, identity_arn, identity_user_name, identity_principal_id, identity_account_id, access_key_id,
	invoked_by, source_ip, user_agent, error_code, error_message, facts, flags, source_id, position, raw_block, raw_offset, raw_length, minted_key`;
const columnCount = 28;
/** Rows per INSERT statement: more gained nothing when measured (import-budget.md). */
const rowsPerInsert = 32;
/**
 * Columns almost always NULL (MFA-heavy 200k: identity_principal_id and flags never set, error_code
 * 0.1 %, error_message 0.5 %, minted_key 3 %, invoked_by 4 %). A group of rows with none of them is
 * inserted by a statement that leaves them out: binding 23 values a row instead of 29 took a fifth
 * off the insert's cost.
 */
const sparseColumns = ['identity_principal_id', 'invoked_by', 'error_code', 'error_message', 'flags', 'minted_key'];
const rowColumns = ['id', ...columns.split(',').map(c => c.trim())];
/** Positions in a buffered row (id first) of the sparse columns, and of the others. */
const sparseAt = sparseColumns.map(c => rowColumns.indexOf(c));
const leanAt = rowColumns.flatMap((c, i) => (sparseColumns.includes(c) ? [] : [i]));

/**
 * Writes evidence into a case file: lean event rows (source/db/event-row.ts), repeated strings
 * once in `dict`, original texts in zstd blocks. Callers group work in transactions of whole
 * sources (batch), so an interrupted import leaves whole sources (or whole parts) in or out.
 */
export class EventStore {
	readonly runId: number;
	private readonly db: CaseFile;
	private readonly statements;
	private readonly rawReader: RawReader;
	/** raw_block ids of the chunk being stored, and its blocks (unpacked only to compare a repeat). */
	private blockIds: number[] = [];
	private blocks: Uint8Array[] = [];
	private unpacked = new Map<number, Buffer>();
	/** Bulk mode: eventID → row id(s), replacing the event_event_id index while it is dropped. */
	private eventIds: Map<number, number | number[]> | undefined;
	/** eventIDs added to the map by the open transaction, taken out again if it rolls back. */
	private added: string[] = [];
	/** The dictionary (dict table) in memory; values added by the open transaction, forgotten on rollback. */
	private readonly dict = new Map<string, number>();
	private dictNext: number;
	private dictAdded: string[] = [];
	/** New dict rows (id, value, …) not yet written: many rows per statement, flushed with the event rows. */
	private dictRows: unknown[] = [];
	/** columnId()'s last value and id per column (cleared when a transaction rolls back). */
	private lastValues: (string | null | undefined)[] = [];
	private lastIds: (number | null)[] = [];
	private depth = 0;
	/** Source rows of this run still 'importing', by path NUL member (the next part adds to them). */
	private openParts = new Map<string, number>();
	/**
	 * Event rows waiting to be written `rowsPerInsert` at a time (one statement for many rows costs
	 * far less per row); ids are given here, so the eventID map can point at rows not yet written.
	 * Flushed before anything reads event_row and before every commit.
	 */
	private rows: unknown[] = [];
	/** eventIDs of the buffered rows, when looked up through the index (the eventID map knows them otherwise). */
	private rowIds = new Set<string>();
	private nextEventId = 0;
	/** The pivot counts of the rows this run adds (source/db/pivot-values.ts), merged after the load. */
	private readonly pivots: PivotTally;
	private readonly inserts = new Map<number, import('better-sqlite3').Statement>();
	private readonly dictInserts = new Map<number, import('better-sqlite3').Statement>();

	constructor(db: CaseFile, argv: string[], toolVersion: string) {
		this.db = db;
		db.prepare(`INSERT OR IGNORE INTO meta(key, value) VALUES ('raw_codec', ?)`).run(rawCodec);
		const codec = (db.prepare(`SELECT value FROM meta WHERE key = 'raw_codec'`).get() as {value: string}).value;
		if (codec !== rawCodec) throw new Error(`case file stores records as ${codec}; this mfatrail writes ${rawCodec}`);
		this.runId = Number(
			db
				.prepare(`INSERT INTO import_run(started_at, tool_version, argv, host, user) VALUES (?, ?, ?, ?, ?)`)
				.run(new Date().toISOString(), toolVersion, JSON.stringify(argv), os.hostname(), safeUser()).lastInsertRowid,
		);
		for (const [id, value] of db.prepare('SELECT id, value FROM dict').raw().iterate() as IterableIterator<[number, string]>) this.dict.set(value, id);
		this.dictNext = ((db.prepare('SELECT max(id) FROM dict').pluck().get() as number | null) ?? 0) + 1;
		this.pivots = new PivotTally(db, columns.split(',').map(c => c.trim()));
		const existing = `SELECT id, event_id AS storedEventId, bits, event_time AS eventTime, event_name AS eventName, source_id AS sourceId, position,
			raw_block AS rawBlock, raw_offset AS rawOffset, raw_length AS rawLength FROM event_row`;
		this.statements = {
			byEventId: db.prepare(`${existing} WHERE event_id = ?`),
			byId: db.prepare(`${existing} WHERE id = ?`),
			insertBlock: db.prepare(`INSERT INTO raw_block(data) VALUES (?)`),
			replaceEvent: db.prepare(`UPDATE event_row SET (${columns}) = (${Array(columnCount).fill('?').join(', ')}) WHERE id = ?`),
			insertDigest: db.prepare(`INSERT INTO digest(source_id, account_id, region, digest_start_time, digest_end_time, s3_bucket,
				s3_object, previous_hash, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			markConflict: db.prepare(`UPDATE event_row SET bits = bits | ${bit.conflict} WHERE id = ?`),
			insertSighting: db.prepare(`INSERT INTO sighting(event, source_id, position) VALUES (?, ?, ?)`),
			insertSource: db.prepare(`INSERT INTO source_row (
				run_id, folder, dirs, stem, name, member, format, byte_size, sha256, content_size, content_sha256, imported_at, status, notes
			) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			finishSource: db.prepare(`UPDATE source_row SET record_count = ?, inserted = ?, duplicates = ?, conflicts = ?, rejected = ?,
				first_event_time = ?, last_event_time = ?, status = ? WHERE id = ?`),
			insertRejection: db.prepare(`INSERT INTO rejection(run_id, path, member, position, reason) VALUES (?, ?, ?, ?, ?)`),
		};
		this.rawReader = new RawReader(db);
	}

	/**
	 * Bulk mode (the event indexes are dropped, source/db/event-indexes.ts): duplicates are found
	 * through a map of every stored eventID, seeded here from the rows already in the case file.
	 */
	useMemoryLookup(): void {
		const ids = new Map<number, number | number[]>();
		for (const [eventId, id] of this.db.prepare(`SELECT event_id, id FROM event_row`).raw().iterate() as IterableIterator<[string | Buffer, number]>) {
			remember(ids, typeof eventId === 'string' ? eventId : uuidText(eventId), id);
		}
		this.eventIds = ids;
	}

	/** Back to the event_event_id index (after the indexes are rebuilt); frees the map. */
	useIndexLookup(): void {
		this.eventIds = undefined;
	}

	/** The stored rows with this eventID (more than one only for conflicting versions). */
	private rowsOf(eventId: string): ExistingEvent[] {
		if (!this.eventIds) {
			if (this.rowIds.has(eventId)) this.flushRows();
			return this.statements.byEventId.all(encodeEventId(eventId)) as ExistingEvent[];
		}
		const ids = this.eventIds.get(eventIdKey(eventId));
		if (ids === undefined) return [];
		const list = typeof ids === 'number' ? [ids] : ids;
		// A row still buffered is written first, so it can be read (ids grow: the newest is last).
		if (this.rows.length > 0 && list[list.length - 1] >= (this.rows[0] as number)) this.flushRows();
		// Keyed by a hash: the rows found are those of this eventID, or of another with the same hash.
		const rows: ExistingEvent[] = [];
		for (const id of list) {
			const row = this.statements.byId.get(id) as ExistingEvent | undefined;
			if (row && (typeof row.storedEventId === 'string' ? row.storedEventId : uuidText(row.storedEventId)) === eventId) rows.push(row);
		}
		return rows;
	}

	/**
	 * The raw blocks of a chunk of work, stored first: events of the chunk's sources then point
	 * into them by index (RawRef.block). Call inside the chunk's transaction.
	 */
	storeBlocks(blocks: Uint8Array[]): void {
		this.blocks = blocks;
		this.unpacked.clear();
		this.blockIds = blocks.map(data => Number(this.statements.insertBlock.run(data).lastInsertRowid));
	}

	/** Events that bring their own text (direct callers, tests): packed into blocks of their own. */
	private packOwnText(events: Iterable<StoredEvent>): Iterable<StoredEvent> {
		const list = [...events];
		if (list.every(e => e.rawRef)) return list;
		const builder = new RawBlockBuilder();
		const packed = list.map(event => (event.rawRef || event.raw === undefined ? event : {...event, rawRef: builder.add(event.raw)}));
		this.storeBlocks(builder.seal());
		return packed;
	}

	/**
	 * Stores one source and its events. Runs in its own transaction, or inside the caller's
	 * (batch): either way the source goes in whole or not at all.
	 */
	storeSource(
		info: SourceInfo,
		status: 'imported' | 'partial' | 'digest',
		events: Iterable<StoredEvent>,
		rejected: {position: string; reason: string}[],
		extra?: (sourceId: number) => void,
	): SourceCounts & {sourceId: number} {
		const run = () => {
			const list = this.packOwnText(events);
			const sourceId = this.insertSourceRow(info, status);
			const counts: SourceCounts = {records: rejected.length, inserted: 0, duplicates: 0, conflicts: 0, rejected: rejected.length};
			const span = this.insertEvents(list, sourceId, counts);
			for (const r of rejected) this.reject(info.path, info.member, r.position, r.reason);
			extra?.(sourceId);
			this.statements.finishSource.run(counts.records, counts.inserted, counts.duplicates, counts.conflicts, counts.rejected, encodeTime(span.first), encodeTime(span.last), this.id(status), sourceId);
			return {...counts, sourceId};
		};
		return this.whole(run);
	}

	private insertSourceRow(info: SourceInfo, status: string): number {
		const notes = info.notes && info.notes.length > 0 ? JSON.stringify(info.notes) : null;
		const path = splitPath(info.path);
		const row = [
			this.runId, this.id(path.folder), path.dirs, this.id(path.stem), path.name, info.member, this.id(info.format), info.byteSize, encodeSha256(info.sha256), info.contentSize,
			encodeContentSha256(info.contentSha256, info.sha256), BigInt(Date.now()), this.id(status), notes,
		];
		return Number(this.statements.insertSource.run(row).lastInsertRowid);
	}

	private insertEvents(events: Iterable<StoredEvent>, sourceId: number, counts: SourceCounts): {first: string | null; last: string | null} {
		let first: string | null = null;
		let last: string | null = null;
		for (const event of events) {
			counts.records++;
			const outcome = this.insertEvent(event, sourceId);
			if (outcome === 'duplicate') counts.duplicates++;
			else counts.inserted++;
			if (outcome === 'conflict') counts.conflicts++;
			if (first === null || event.eventTime < first) first = event.eventTime;
			if (last === null || event.eventTime > last) last = event.eventTime;
		}
		return {first, last};
	}

	/**
	 * Runs a source's writes whole: inside the caller's transaction (batch) as they are, since a
	 * failure rolls that back whole anyway (a savepoint per source cost more than its rows), else
	 * in a transaction of their own.
	 */
	private whole<T>(run: () => T): T {
		if (this.db.inTransaction) return run();
		return this.batch(run);
	}

	/** Writes the buffered dict rows, then the buffered event rows. */
	private flushRows(): void {
		this.flushDict();
		const width = columnCount + 1;
		const rows = this.rows;
		let at = 0;
		while (at < rows.length) {
			const n = Math.min(rowsPerInsert, (rows.length - at) / width);
			const end = at + n * width;
			let lean = true;
			for (let row = at; row < end && lean; row += width) for (const i of sparseAt) if (rows[row + i] !== null) lean = false;
			if (lean) {
				const values = new Array(n * leanAt.length);
				let v = 0;
				for (let row = at; row < end; row += width) for (const i of leanAt) values[v++] = rows[row + i];
				this.insertStatement(n, true).run(values);
			} else {
				this.insertStatement(n, false).run(n * width === rows.length && at === 0 ? rows : rows.slice(at, end));
			}
			at = end;
		}
		this.rows = [];
		this.rowIds.clear();
	}

	/** INSERT of n event rows, with every column or (lean) without the sparse ones. */
	private insertStatement(n: number, lean: boolean): import('better-sqlite3').Statement {
		const key = lean ? -n : n;
		let statement = this.inserts.get(key);
		if (!statement) {
			const names = lean ? leanAt.map(i => rowColumns[i]) : rowColumns;
			const one = `(${Array(names.length).fill('?').join(', ')})`;
			statement = this.db.prepare(`INSERT INTO event_row (${names.join(', ')}) VALUES ${Array(n).fill(one).join(', ')}`);
			this.inserts.set(key, statement);
		}
		return statement;
	}

	private flushDict(): void {
		for (let at = 0; at < this.dictRows.length; at += 2 * rowsPerInsert) {
			const part = this.dictRows.length - at > 2 * rowsPerInsert ? this.dictRows.slice(at, at + 2 * rowsPerInsert) : at === 0 ? this.dictRows : this.dictRows.slice(at);
			const n = part.length / 2;
			let statement = this.dictInserts.get(n);
			if (!statement) this.dictInserts.set(n, (statement = this.db.prepare(`INSERT INTO dict(id, value) VALUES ${Array(n).fill('(?, ?)').join(', ')}`)));
			statement.run(part);
		}
		this.dictRows = [];
	}

	/** Runs a transaction; if it fails, the in-memory maps forget what it rolled back. */
	private undoable<T>(write: () => T): T {
		const mark = this.added.length;
		const dictMark = this.dictAdded.length;
		const dictNext = this.dictNext;
		this.depth++;
		try {
			return write();
		} catch (error) {
			this.rows = [];
			this.rowIds.clear();
			this.dictRows = [];
			this.lastValues = [];
			this.lastIds = [];
			this.pivots.spoil();
			if (this.eventIds) for (const eventId of this.added.splice(mark)) forget(this.eventIds, eventId);
			for (const value of this.dictAdded.splice(dictMark)) this.dict.delete(value);
			this.dictNext = dictNext;
			throw error;
		} finally {
			if (--this.depth === 0) {
				this.added = [];
				this.dictAdded = [];
			}
		}
	}

	/** Stores a CloudTrail digest file: a source with status 'digest', never records. */
	storeDigest(info: SourceInfo, digest: DigestRow): number {
		return this.storeSource(info, 'digest', [], [], sourceId => {
			this.statements.insertDigest.run(
				sourceId,
				digest.accountId,
				digest.region,
				digest.digestStartTime,
				digest.digestEndTime,
				digest.s3Bucket,
				digest.s3Object,
				digest.previousHash,
				digest.body,
			);
		}).sourceId;
	}

	/** Runs `write` in one transaction: several small sources commit together, each still whole. */
	batch<T>(write: () => T): T {
		return this.undoable(() =>
			this.db
				.transaction(() => {
					this.nextEventId = ((this.db.prepare('SELECT max(id) FROM event_row').pluck().get() as number | null) ?? 0) + 1;
					const result = write();
					this.flushRows();
					return result;
				})
				.immediate(),
		);
	}

	/** The dictionary id of a string (added when new; written with the next rows). */
	private id(value: string | null): number | null {
		if (value === null) return null;
		let id = this.dict.get(value);
		if (id === undefined) {
			id = this.dictNext++;
			this.dictRows.push(id, value);
			this.dict.set(value, id);
			this.dictAdded.push(value);
		}
		return id;
	}

	/**
	 * id() for event column `column`, remembering its last value: a source's events mostly repeat
	 * their neighbour's account, region, service and caller, and the same string object arrives for
	 * them (source/import/packed.ts), so the comparison is a pointer check where a lookup hashed the string.
	 */
	private columnId(column: number, value: string | null): number | null {
		if (value === this.lastValues[column] && value !== undefined) return this.lastIds[column];
		const id = this.id(value);
		this.lastValues[column] = value;
		this.lastIds[column] = id;
		return id;
	}

	private insertEvent(event: StoredEvent, sourceId: number): InsertOutcome {
		const existing = this.rowsOf(event.eventId);
		let conflict = 0;
		if (existing.length > 0) {
			const same = this.sameEvent(existing, event);
			if (same) {
				this.statements.insertSighting.run(same.id, sourceId, event.position);
				return 'duplicate';
			}
			if (!event.partial) {
				// A full record for an event known only from a CSV export: the full text replaces the
				// partial row, and the partial copy stays on record as a sighting.
				const partial = existing.find(row => row.bits & bit.partial && this.consistent(row, event));
				if (partial) {
					this.statements.insertSighting.run(partial.id, partial.sourceId, partial.position);
					const values: unknown[] = [];
					this.pushValues(values, event, 0, sourceId);
					this.statements.replaceEvent.run(...values, partial.id);
					this.pivots.spoil(); // a row counted as it was is rewritten
					return 'inserted';
				}
			}
			for (const row of existing) this.statements.markConflict.run(row.id);
			conflict = 1;
		}
		const id = this.nextEventId++;
		this.rows.push(id);
		this.pushValues(this.rows, event, conflict, sourceId);
		if (!this.eventIds) this.rowIds.add(event.eventId);
		this.pivots.add(event, this.rows, this.rows.length - columnCount);
		if (this.rows.length >= rowsPerInsert * (columnCount + 1)) this.flushRows();
		if (this.eventIds) {
			// Keyed by a hash that another eventID may share: always added beside what the key holds.
			remember(this.eventIds, event.eventId, id);
			this.added.push(event.eventId);
		}
		return conflict ? 'conflict' : 'inserted';
	}

	/**
	 * The stored row that holds the same event: byte-identical text, or the same record serialised
	 * differently (S3 file vs lookup-events string), or a partial CSV copy consistent with it.
	 */
	private sameEvent(existing: ExistingEvent[], event: StoredEvent): ExistingEvent | undefined {
		if (event.partial) return existing.find(row => this.consistent(row, event));
		const bytes = this.newBytes(event);
		const full = existing.filter(row => !(row.bits & bit.partial));
		const identical = full.find(row => row.rawLength === bytes.length && this.rawReader.bytes(row.rawBlock, row.rawOffset, row.rawLength).equals(bytes));
		if (identical) return identical;
		const text = bytes.toString('utf8');
		return full.find(row => sameContent(this.rawReader.text(row.rawBlock, row.rawOffset, row.rawLength), text));
	}

	/** The original bytes of an event being stored. */
	private newBytes(event: StoredEvent): Buffer {
		if (event.raw !== undefined && !event.rawRef) return Buffer.from(event.raw, 'utf8');
		const ref = event.rawRef!;
		let block = this.unpacked.get(ref.block);
		if (!block) this.unpacked.set(ref.block, (block = unpackBlock(this.blocks[ref.block])));
		return block.subarray(ref.offset, ref.offset + ref.length);
	}

	/** A partial (CSV) copy agrees with a stored row on what it holds: the same time and name. */
	private consistent(row: ExistingEvent, event: StoredEvent): boolean {
		return decodeEventTime(row.eventTime) === event.eventTime && (row.eventName === null || event.eventName === null || row.eventName === this.dict.get(event.eventName));
	}

	/** The stored event time; neighbouring events often share their second, so the last one is kept. */
	private time(text: string): bigint | string {
		if (text !== this.lastTime) {
			this.lastTime = text;
			this.lastTimeValue = encodeEventTime(text);
		}
		return this.lastTimeValue;
	}

	private lastTime = '';
	private lastTimeValue: bigint | string = '';

	/** Appends event_row values in the order of `columns` to `to` (no array of its own per row: less garbage). */
	private pushValues(to: unknown[], event: StoredEvent, conflict: number, sourceId: number): void {
		const ref = event.rawRef!;
		let bits = (event.eventIdDerived ? bit.derived : 0) | (conflict ? bit.conflict : 0) | (event.partial ? bit.partial : 0);
		if (event.mfaAuthenticated !== null) bits |= event.mfaAuthenticated ? bit.mfaTrue : bit.mfaFalse;
		if (event.readOnly !== null) bits |= event.readOnly ? bit.readOnlyTrue : bit.readOnlyFalse;
		to.push(
			encodeEventId(event.eventId),
			bits,
			this.time(event.eventTime),
			this.columnId(0, event.eventVersion),
			this.columnId(1, event.eventSource),
			this.columnId(2, event.eventName),
			this.columnId(3, event.eventType),
			this.columnId(4, event.recipientAccountId),
			this.columnId(5, event.awsRegion),
			this.columnId(6, event.identityType),
			this.columnId(7, event.identityArn),
			this.columnId(8, event.identityUserName),
			this.columnId(9, event.identityPrincipalId),
			this.columnId(10, event.identityAccountId),
			this.columnId(11, event.accessKeyId),
			this.columnId(12, event.invokedBy),
			encodeIp(event.sourceIp),
			this.columnId(13, event.userAgent),
			this.columnId(14, event.errorCode),
			this.columnId(15, event.errorMessage),
			event.facts,
			this.columnId(16, event.flags),
			sourceId,
			event.position,
			this.blockIds[ref.block],
			ref.offset,
			ref.length,
			this.id(event.mintedAccessKeyId ?? null),
		);
	}

	/** Records an input or record that could not be imported. */
	reject(path: string, member: string | null, position: string | null, reason: string): void {
		this.statements.insertRejection.run(this.runId, path, member, position, reason);
	}

	finishRun(status: 'done' | 'interrupted', summary: unknown): void {
		this.db
			.prepare(`UPDATE import_run SET finished_at = ?, status = ?, summary = ? WHERE id = ?`)
			.run(new Date().toISOString(), status, JSON.stringify(summary), this.runId);
	}

	/**
	 * Stores one part of a large source streamed in parts, with its resume point: the first part
	 * inserts the source row ('importing'), later ones add events, counts and rejections to it, and
	 * the last sets the hashes and sizes of the whole file and the final status. A part of an
	 * earlier run's interrupted source continues that row (`resumeOf`). Runs inside the caller's
	 * transaction (batch) or its own.
	 */
	storePart(p: StoredPart): SourceCounts & {sourceId: number} {
		const run = () => {
			const key = `${p.meta.path}\0${p.meta.member ?? ''}`;
			let sourceId = p.resumeOf ?? (p.part > 0 ? this.openParts.get(key) : undefined);
			if (sourceId === undefined) sourceId = this.insertSourceRow({...p.meta, notes: []}, p.status);
			this.openParts.set(key, sourceId);
			const list = this.packOwnText(p.events);
			const counts: SourceCounts = {records: p.rejected.length, inserted: 0, duplicates: 0, conflicts: 0, rejected: p.rejected.length};
			const {first, last} = this.insertEvents(list, sourceId, counts);
			for (const r of p.rejected) this.reject(p.meta.path, p.meta.member, r.position, r.reason);
			const final = p.status !== 'importing';
			// The span so far, compared as the text it stands for (source-row.ts encodes it).
			const span = this.db.prepare(`SELECT first_event_time, last_event_time FROM source_row WHERE id = ?`).raw().get(sourceId) as [bigint | number | string | null, bigint | number | string | null];
			const [before, after] = [decodeTime(span[0]), decodeTime(span[1])];
			const firstTime = first === null || (before !== null && before <= first) ? before : first;
			const lastTime = last === null || (after !== null && after >= last) ? after : last;
			this.db
				.prepare(
					`UPDATE source_row SET record_count = record_count + ?, inserted = inserted + ?, duplicates = duplicates + ?,
					conflicts = conflicts + ?, rejected = rejected + ?, first_event_time = ?, last_event_time = ?,
					status = ?, format = ?, notes = ?, resume_offset = ?, resume_position = ?, resume_state = ?,
					byte_size = CASE WHEN ? THEN ? ELSE byte_size END, sha256 = CASE WHEN ? THEN ? ELSE sha256 END,
					content_size = CASE WHEN ? THEN ? ELSE content_size END, content_sha256 = CASE WHEN ? THEN ? ELSE content_sha256 END
					WHERE id = ?`,
				)
				.run(
					counts.records, counts.inserted, counts.duplicates, counts.conflicts, counts.rejected,
					encodeTime(firstTime), encodeTime(lastTime),
					this.id(p.status), this.id(p.meta.format), p.meta.notes && p.meta.notes.length > 0 ? JSON.stringify(p.meta.notes) : null,
					p.resume?.byteOffset ?? null, p.resume?.position ?? null, p.resume?.state ?? null,
					final ? 1 : 0, p.meta.byteSize, final ? 1 : 0, encodeSha256(p.meta.sha256), final ? 1 : 0, p.meta.contentSize,
					final ? 1 : 0, encodeContentSha256(p.meta.contentSha256, p.meta.sha256),
					sourceId,
				);
			if (final) this.openParts.delete(key);
			return {...counts, sourceId};
		};
		return this.whole(run);
	}
}

/**
 * The bulk load's key for an eventID: a 30-bit FNV-1a hash, a small integer V8 keeps unboxed in the
 * map, where the 36-character text cost ~70 bytes more per event (~70 MiB of the peak at a million
 * events). Hashes collide (a few hundred pairs in a million): rowsOf checks the eventID of each row found.
 */
export function eventIdKey(eventId: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < eventId.length; i++) h = Math.imul(h ^ eventId.charCodeAt(i), 0x01000193);
	return h >>> 2;
}

function remember(ids: Map<number, number | number[]>, eventId: string, id: number): void {
	const key = eventIdKey(eventId);
	const known = ids.get(key);
	if (known === undefined) ids.set(key, id);
	else if (typeof known === 'number') ids.set(key, [known, id]);
	else known.push(id);
}

/** Takes back the newest id remembered for an eventID. */
function forget(ids: Map<number, number | number[]>, eventId: string): void {
	const key = eventIdKey(eventId);
	const known = ids.get(key);
	if (typeof known === 'number') ids.delete(key);
	else if (known) {
		known.pop();
		if (known.length === 1) ids.set(key, known[0]);
	}
}

function uuidText(b: Buffer): string {
	const h = b.toString('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Two serialisations of one record (S3 file vs lookup-events string) are the same event. */
function sameContent(a: string, b: string): boolean {
	try {
		return canonicalJson(JSON.parse(a)) === canonicalJson(JSON.parse(b));
	} catch {
		return false;
	}
}

function safeUser(): string | null {
	try {
		return os.userInfo().username;
	} catch {
		return null;
	}
}

/**
 * The newest import run, recorded 'done' once its evidence was loaded, becomes 'interrupted' when
 * the stop arrives during the phases after the load (source/pipeline.ts): only one import writes
 * a case file at a time, so the newest run is this one.
 */
export function markLastRunInterrupted(db: CaseFile): void {
	db.prepare(`UPDATE import_run SET status = 'interrupted' WHERE id = (SELECT max(id) FROM import_run)`).run();
}
