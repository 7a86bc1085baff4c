/**
 * A minimal, reproducible zip writer for the samples (fixed member times, no extra fields):
 * only what is needed to hand the importer a zip holding log files. Members already gzipped
 * are stored; others are deflated.
 */
import zlib from 'node:zlib';

export interface ZipMember {
	name: string;
	data: Buffer;
}

/** 2023-07-01 00:00 in MS-DOS date/time form. */
const dosTime = 0;
const dosDate = ((2023 - 1980) << 9) | (7 << 5) | 1;

export function zipArchive(members: ZipMember[]): Buffer {
	const parts: Buffer[] = [];
	const central: Buffer[] = [];
	let offset = 0;
	for (const member of members) {
		const name = Buffer.from(member.name, 'utf8');
		const store = member.name.endsWith('.gz');
		const body = store ? member.data : zlib.deflateRawSync(member.data, {level: 9});
		const crc = zlib.crc32(member.data);
		const local = Buffer.alloc(30);
		local.writeUInt32LE(0x04034b50, 0);
		local.writeUInt16LE(20, 4); // version needed
		local.writeUInt16LE(0x0800, 6); // UTF-8 names
		local.writeUInt16LE(store ? 0 : 8, 8);
		local.writeUInt16LE(dosTime, 10);
		local.writeUInt16LE(dosDate, 12);
		local.writeUInt32LE(crc, 14);
		local.writeUInt32LE(body.length, 18);
		local.writeUInt32LE(member.data.length, 22);
		local.writeUInt16LE(name.length, 26);
		local.writeUInt16LE(0, 28);
		const entry = Buffer.alloc(46);
		entry.writeUInt32LE(0x02014b50, 0);
		entry.writeUInt16LE(0x0314, 4); // made by: Unix, 2.0
		entry.writeUInt16LE(20, 6);
		entry.writeUInt16LE(0x0800, 8);
		entry.writeUInt16LE(store ? 0 : 8, 10);
		entry.writeUInt16LE(dosTime, 12);
		entry.writeUInt16LE(dosDate, 14);
		entry.writeUInt32LE(crc, 16);
		entry.writeUInt32LE(body.length, 20);
		entry.writeUInt32LE(member.data.length, 24);
		entry.writeUInt16LE(name.length, 28);
		entry.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
		entry.writeUInt32LE(offset, 42);
		parts.push(local, name, body);
		central.push(entry, name);
		offset += local.length + name.length + body.length;
	}
	const directory = Buffer.concat(central);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(members.length, 8);
	end.writeUInt16LE(members.length, 10);
	end.writeUInt32LE(directory.length, 12);
	end.writeUInt32LE(offset, 16);
	return Buffer.concat([...parts, directory, end]);
}
