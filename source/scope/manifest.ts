/**
 * The download plan: from the engine's answer (Athena's result CSV, or a plain list of S3 URIs) to
 * the objects and the CloudTrail-Digest files that prove them, as `aws s3 cp` lines and as a plain
 * list. mfatrail itself fetches nothing.
 */
import {parse as parseCsv} from 'csv-parse/sync';
import {formatUtc} from '../lib/time.js';
import {makeScopeFile, scopeFileName, scopeFileText, type ScopeFile} from './scope-file.js';
import {ScopeError} from './sql.js';

/** s3://BUCKET/[PREFIX/]AWSLogs/[o-ID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_…json.gz */
const logObject =
	/^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/((?:[A-Za-z0-9!_.*'()-]+\/)*?)AWSLogs\/((?:o-[a-z0-9]{10,32}\/)?)(\d{12})\/CloudTrail\/([a-z]{2}(?:-[a-z]+)+-\d+)\/(\d{4})\/(\d{2})\/(\d{2})\/\4_CloudTrail_\5_(\d{8})T(\d{2})\d{2}Z_[A-Za-z0-9]+\.json(?:\.gz)?$/;

export interface LogObject {
	uri: string;
	bucket: string;
	/** The object key (with any prefix before AWSLogs/). */
	key: string;
	/** Everything before the account folder: PREFIX/AWSLogs/[o-ID/]. */
	base: string;
	account: string;
	region: string;
	/** Delivery hour from the file name, as epoch ms. */
	hour: number;
}

/** Parses one URI; one-line error naming where it was found. */
export function logObjectOf(uri: string, where: string): LogObject {
	const m = logObject.exec(uri);
	if (!m) {
		throw new ScopeError(
			`${where}: ${JSON.stringify(uri)} is not a CloudTrail log object in the bucket layout (s3://BUCKET/[PREFIX/]AWSLogs/[o-ID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_…Z_….json.gz)`,
		);
	}
	const [, bucket, prefix, org, account, region, , , , date, hh] = m;
	return {
		uri,
		bucket,
		key: uri.slice(`s3://${bucket}/`.length),
		base: `${prefix}AWSLogs/${org}`,
		account,
		region,
		hour: Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)), Number(hh)),
	};
}

/**
 * The URIs in Athena's result CSV (a header row with a `path` column, as `SELECT … AS path` gives)
 * or in a plain list (one s3:// URI per line). Errors are one line and name the file and line.
 */
export function readSelection(text: string, file: string): LogObject[] {
	const body = text.replace(/^\uFEFF/, '');
	const first = body.split(/\r?\n/).find(line => line.trim() !== '') ?? '';
	if (first === '') throw new ScopeError(`${file}: empty: expected Athena's result CSV (a path column) or one s3:// URI per line`);
	if (first.trim().startsWith('s3://')) {
		return body
			.split(/\r?\n/)
			.map((line, i) => [line.trim(), i + 1] as const)
			.filter(([line]) => line !== '')
			.map(([line, n]) => logObjectOf(line, `${file} line ${n}`));
	}
	let rows: string[][];
	try {
		rows = parseCsv(body, {relax_column_count: true, skip_empty_lines: true}) as string[][];
	} catch (error) {
		throw new ScopeError(`${file}: not a CSV file: ${(error as Error).message.split('\n')[0]}`);
	}
	const header = rows[0].map(h => h.trim().toLowerCase());
	const at = header.findIndex(h => h === 'path' || h === '$path');
	if (at < 0) throw new ScopeError(`${file}: no path column (columns: ${header.map(h => JSON.stringify(h)).join(', ')}); run the statement from mfatrail scope sql, which returns one column, path`);
	return rows.slice(1).map((row, i) => logObjectOf((row[at] ?? '').trim(), `${file} line ${i + 2}`));
}

export interface DigestFolder {
	/** s3://BUCKET/…/CloudTrail-Digest/REGION/YYYY/MM/DD/ */
	uri: string;
	/** Local folder, relative to the download root. */
	local: string;
	/** File name patterns (ACCOUNT_CloudTrail-Digest_REGION_*_YYYYMMDDTHH*). */
	patterns: string[];
}

export interface Plan {
	objects: LogObject[];
	digests: DigestFolder[];
	scope: ScopeFile;
}

const hour = 3_600_000;

/**
 * A digest lists the log files delivered in the hour before its end time, and its name carries that
 * end time: the digests ending in the object's delivery hour and the hour after cover it (a late
 * `_backfill` digest too, when named in those hours).
 */
export function digestFolders(objects: LogObject[]): DigestFolder[] {
	const folders = new Map<string, DigestFolder>();
	for (const o of objects) {
		for (const h of [o.hour, o.hour + hour]) {
			const t = formatUtc(h);
			const day = t.slice(0, 10).replaceAll('-', '/');
			const key = `${o.base}${o.account}/CloudTrail-Digest/${o.region}/${day}/`;
			const uri = `s3://${o.bucket}/${key}`;
			let folder = folders.get(uri);
			if (!folder) folders.set(uri, (folder = {uri, local: key, patterns: []}));
			const pattern = `${o.account}_CloudTrail-Digest_${o.region}_*_${t.slice(0, 13).replaceAll('-', '')}*`;
			if (!folder.patterns.includes(pattern)) folder.patterns.push(pattern);
		}
	}
	return [...folders.values()].sort((a, b) => a.uri.localeCompare(b.uri));
}

export function makePlan(objects: LogObject[], query: string, engine = 'athena'): Plan {
	const unique = [...new Map(objects.map(o => [o.uri, o])).values()].sort((a, b) => a.uri.localeCompare(b.uri));
	const digests = digestFolders(unique);
	const scope = makeScopeFile(engine, query, unique.map(o => o.key), digests.flatMap(d => d.patterns.map(p => `${d.uri}${p}`)));
	return {objects: unique, digests, scope};
}

/** Shell-quoted: the URIs are checked against the layout, but quoting costs nothing. */
function q(text: string): string {
	return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * The plan as a POSIX shell script: objects and digests copied into DEST with their keys, and the
 * scope file written at DEST's root, where `mfatrail import DEST` finds it.
 */
export function planScript(plan: Plan, dest: string): string {
	const root = dest.replace(/\/+$/, '') || '.';
	const lines = [
		'#!/bin/sh',
		`# mfatrail scope manifest: ${plan.objects.length} log objects and the digests that prove them (${plan.digests.length} digest folders).`,
		'# Then: mfatrail import DEST --db case.db && mfatrail verify --db case.db',
		'set -eu',
		`DEST=\${1:-${q(root)}}`,
		'mkdir -p "$DEST"',
		'',
		'# Log objects',
		...plan.objects.map(o => `aws s3 cp ${q(o.uri)} "$DEST"/${q(o.key)}`),
		'',
		'# Digest files of the same accounts, regions and hours (mfatrail verify checks the objects against them)',
		...plan.digests.map(d => `aws s3 cp ${q(d.uri)} "$DEST"/${q(d.local)} --recursive --exclude '*' ${d.patterns.map(p => `--include ${q(p)}`).join(' ')}`),
		'',
		'# The scope: which query chose these objects (recorded in the case file by mfatrail import)',
		`cat > "$DEST"/${scopeFileName} <<'MFATRAIL_SCOPE'`,
		scopeFileText(plan.scope).trimEnd(),
		'MFATRAIL_SCOPE',
		'',
	];
	return lines.join('\n');
}

/** The plan as a plain list: the objects' URIs, then the digests' URI patterns (`*` as in s5cmd). */
export function planList(plan: Plan): string {
	return [...plan.objects.map(o => o.uri), ...plan.scope.digests].join('\n') + '\n';
}
