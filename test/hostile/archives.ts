import tar from 'tar-stream';
import {zipArchive} from '../../source/samples/zip.js';

/** A zip of the given members, written by the samples' zip writer (no zip tool needed). */
export function makeZip(entries: {name: string; data: Buffer | string}[]): Buffer {
	return zipArchive(entries.map(e => ({name: e.name, data: Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data)})));
}

export type TarEntry =
	| {type: 'file'; name: string; data: string}
	| {type: 'symlink' | 'link'; name: string; target: string}
	| {type: 'fifo' | 'character-device' | 'directory'; name: string};

export async function makeTar(entries: TarEntry[]): Promise<Buffer> {
	const pack = tar.pack();
	const chunks: Buffer[] = [];
	pack.on('data', (chunk: unknown) => void chunks.push(chunk as Buffer));
	const done = new Promise<void>(resolve => pack.on('end', () => resolve()));
	for (const entry of entries) {
		if (entry.type === 'file') pack.entry({name: entry.name, type: 'file'}, entry.data);
		else if (entry.type === 'symlink' || entry.type === 'link') pack.entry({name: entry.name, type: entry.type, linkname: entry.target});
		else pack.entry({name: entry.name, type: entry.type});
	}
	pack.finalize();
	await done;
	return Buffer.concat(chunks);
}

/** One valid CloudTrail log file holding `count` records, ids prefixed by `tag`. */
export function logFile(tag: string, count = 2): string {
	const records = Array.from({length: count}, (_, i) => ({
		eventVersion: '1.08',
		userIdentity: {type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/bob', accountId: '111122223333', userName: 'bob'},
		eventTime: `2024-04-0${1 + (i % 9)}T12:00:00Z`,
		eventSource: 'iam.amazonaws.com',
		eventName: 'ListMFADevices',
		awsRegion: 'eu-west-1',
		sourceIPAddress: '203.0.113.5',
		userAgent: 'aws-cli/2',
		eventID: `${tag}-${i}`,
		eventType: 'AwsApiCall',
		recipientAccountId: '111122223333',
	}));
	return JSON.stringify({Records: records});
}
