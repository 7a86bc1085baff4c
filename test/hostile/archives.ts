import zlib from 'node:zlib';
import tar from 'tar-stream';

/** A zip written byte by byte (stored entries), so names the zip tools refuse can be tested. */
export function makeZip(entries: {name: string; data: Buffer | string}[]): Buffer {
	const locals: Buffer[] = [];
	const centrals: Buffer[] = [];
	let offset = 0;
	for (const entry of entries) {
		const name = Buffer.from(entry.name, 'utf8');
		const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data);
		const crc = zlib.crc32(data);
		const local = Buffer.alloc(30);
		local.writeUInt32LE(0x04034b50, 0);
		local.writeUInt16LE(20, 4); // version needed
		local.writeUInt16LE(0x0800, 6); // UTF-8 names
		local.writeUInt16LE(0, 8); // stored
		local.writeUInt32LE(crc, 14);
		local.writeUInt32LE(data.length, 18);
		local.writeUInt32LE(data.length, 22);
		local.writeUInt16LE(name.length, 26);
		const central = Buffer.alloc(46);
		central.writeUInt32LE(0x02014b50, 0);
		central.writeUInt16LE(0x031e, 4); // made by unix
		central.writeUInt16LE(20, 6);
		central.writeUInt16LE(0x0800, 8);
		central.writeUInt32LE(crc, 16);
		central.writeUInt32LE(data.length, 20);
		central.writeUInt32LE(data.length, 24);
		central.writeUInt16LE(name.length, 28);
		central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
		central.writeUInt32LE(offset, 42);
		locals.push(local, name, data);
		centrals.push(central, name);
		offset += local.length + name.length + data.length;
	}
	const directory = Buffer.concat(centrals);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(entries.length, 8);
	end.writeUInt16LE(entries.length, 10);
	end.writeUInt32LE(directory.length, 12);
	end.writeUInt32LE(offset, 16);
	return Buffer.concat([...locals, directory, end]);
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
