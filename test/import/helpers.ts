import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import tar from 'tar-stream';
import {openCaseFile, type CaseFile} from '../../source/db/open.js';
import {RawReader} from '../../source/db/raw.js';
import {importEvidence, type ImportOptions, type ImportSummary} from '../../source/pipeline.js';
import {zipArchive} from '../../source/samples/zip.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const realdata = path.resolve(repoRoot, 'test', 'fixtures', 'realdata');

export function tempDir(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
}

/** A small, valid CloudTrail record. */
export function record(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		eventVersion: '1.08',
		userIdentity: {type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', userName: 'alice'},
		eventTime: '2024-03-01T10:00:00Z',
		eventSource: 'iam.amazonaws.com',
		eventName: 'ListMFADevices',
		awsRegion: 'us-east-1',
		sourceIPAddress: '198.51.100.7',
		userAgent: 'aws-cli/2.15.0',
		requestParameters: null,
		responseElements: null,
		eventID: id,
		readOnly: true,
		eventType: 'AwsApiCall',
		recipientAccountId: '111122223333',
		...extra,
	};
}

export interface Case {
	dir: string;
	db: CaseFile;
	run(inputs: string[], options?: ImportOptions): Promise<ImportSummary>;
	events(): {event_id: string; partial: number; conflict: number; event_id_derived: number; position: number; source_id: number; raw: string; event_time: string; flags: string | null}[];
	close(): void;
}

export function newCase(): Case {
	const dir = tempDir();
	const db = openCaseFile(path.join(tempDir(), 'case.db'));
	return {
		dir,
		db,
		run: (inputs, options) => importEvidence(db, inputs, {workers: 0, ...options}),
		events: () => {
			const raw = new RawReader(db);
			return (db.prepare('SELECT * FROM event ORDER BY id').all() as {raw_block: number; raw_offset: number; raw_length: number}[]).map(row => ({
				...row,
				raw: raw.text(row.raw_block, row.raw_offset, row.raw_length),
			})) as unknown as ReturnType<Case["events"]>;
		},
		close: () => db.close(),
	};
}

export function write(dir: string, name: string, content: string | Buffer): string {
	const file = path.join(dir, name);
	fs.mkdirSync(path.dirname(file), {recursive: true});
	fs.writeFileSync(file, content);
	return file;
}

/** A zip of the given members, written by the samples' zip writer (no zip tool needed). */
export function makeZip(entries: {name: string; data: Buffer | string}[]): Buffer {
	return zipArchive(entries.map(e => ({name: e.name, data: Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data)})));
}

/** A tar archive of the entries (tar-stream, in memory). */
export async function makeTar(entries: {name: string; data: Buffer | string; type?: 'file' | 'symlink'; linkname?: string}[]): Promise<Buffer> {
	const pack = tar.pack();
	for (const e of entries) {
		if (e.type === 'symlink') pack.entry({name: e.name, type: 'symlink', linkname: e.linkname});
		else pack.entry({name: e.name}, Buffer.from(e.data));
	}
	pack.finalize();
	const chunks: Buffer[] = [];
	for await (const chunk of pack) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}
