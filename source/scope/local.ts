/**
 * The Athena statement run unchanged on DuckDB over a local tree. DuckDB gets the table as a view
 * with Athena's column names, a "$path" column and the projected partition columns (taken from
 * the S3 layout of each file's path), plus macros for the two functions the engines spell
 * differently. Nothing else is translated: a statement that runs here runs on Athena.
 */
import {CannotFinishError} from '../lib/errors.js';
import path from 'node:path';
import type {DuckDBConnection} from '@duckdb/node-api';
import {walkInputs} from '../import/walk.js';
import {defaultTable, ScopeError} from './sql.js';
import {scopeFileName} from './scope-file.js';

/**
 * The record as AWS's CloudTrail table declares it (Athena UG, CloudTrail table with partition
 * projection). Keys are spelled as in the JSON (DuckDB matches declared keys case-sensitively);
 * queries use Athena's lower-case names, which DuckDB resolves case-insensitively. The four JSON
 * columns are JSON text, as Athena's are strings.
 */
const recordType = `STRUCT(
  eventVersion VARCHAR,
  userIdentity STRUCT("type" VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, invokedBy VARCHAR,
    accessKeyId VARCHAR, userName VARCHAR, onBehalfOf STRUCT(userId VARCHAR, identityStoreArn VARCHAR),
    sessionContext STRUCT(attributes STRUCT(mfaAuthenticated VARCHAR, creationDate VARCHAR),
      sessionIssuer STRUCT("type" VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, userName VARCHAR),
      ec2RoleDelivery VARCHAR,
      webIdFederationData STRUCT(federatedProvider VARCHAR, attributes MAP(VARCHAR, VARCHAR)))),
  eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, awsRegion VARCHAR, sourceIPAddress VARCHAR,
  userAgent VARCHAR, errorCode VARCHAR, errorMessage VARCHAR,
  requestParameters JSON, responseElements JSON, additionalEventData JSON,
  requestID VARCHAR, eventID VARCHAR, readOnly VARCHAR,
  resources STRUCT(arn VARCHAR, accountId VARCHAR, "type" VARCHAR)[],
  eventType VARCHAR, apiVersion VARCHAR, recipientAccountId VARCHAR,
  serviceEventDetails JSON,
  sharedEventID VARCHAR, vpcEndpointId VARCHAR, vpcEndpointAccountId VARCHAR, eventCategory VARCHAR,
  addendum STRUCT(reason VARCHAR, updatedFields VARCHAR, originalRequestID VARCHAR, originalEventID VARCHAR),
  sessionCredentialFromConsole VARCHAR, edgeDeviceDetails JSON,
  tlsDetails STRUCT(tlsVersion VARCHAR, cipherSuite VARCHAR, clientProvidedHostHeader VARCHAR))`;

/** Athena's column names, in the DDL's order, with the JSON keys they read. */
const columns = [
	'eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent',
	'errorCode', 'errorMessage', 'requestParameters', 'responseElements', 'additionalEventData', 'requestID', 'eventID',
	'readOnly', 'resources', 'eventType', 'apiVersion', 'recipientAccountId', 'serviceEventDetails', 'sharedEventID',
	'vpcEndpointId', 'vpcEndpointAccountId', 'eventCategory', 'addendum', 'sessionCredentialFromConsole', 'edgeDeviceDetails',
	'tlsDetails',
];

/** …/AWSLogs/[o-ID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/…: the partitions the projection derives from the key. */
const layout = String.raw`/AWSLogs/(o-[a-z0-9]+/)?([0-9]{12})/CloudTrail/([a-z0-9-]+)/([0-9]{4}/[0-9]{2}/[0-9]{2})/`;

/** The compatibility layer: what Trino has built in and DuckDB spells otherwise. */
export const compatibilityMacros = [
	// Trino returns the scalar at a JSON path as varchar; DuckDB's json_extract_string does.
	'CREATE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)',
	// ISO-8601 text to a timestamp with time zone.
	'CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)',
];

function literal(text: string): string {
	return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The tree read once into a table of records (the statement scans the table several times, and
 * parsing thousands of small gzip files is what costs), then the view: one row per record,
 * Athena's columns, "$path", and account/region/timestamp from the path.
 */
export function tableView(table: string, files: string[]): string[] {
	const list = `[${files.map(literal).join(', ')}]`;
	const pick = (group: number) => `NULLIF(regexp_extract(filename, ${literal(layout)}, ${group}), '')`;
	return [
		`CREATE TEMP TABLE mfatrail_records AS
SELECT filename, unnest(Records) AS r
FROM read_json(${list}, filename = true, format = 'auto', maximum_object_size = 268435456,
  columns = {Records: '${recordType.replaceAll('\n', ' ')}[]'})`,
		`CREATE VIEW ${table} AS
SELECT ${columns.map(c => `r.${c} AS ${c.toLowerCase()}`).join(', ')},
  filename AS "$path", ${pick(2)} AS account, ${pick(3)} AS region, ${pick(4)} AS "timestamp"
FROM mfatrail_records`,
	];
}

/** The log files under the inputs that DuckDB can read: .json and .json.gz, digests and scope files left out. */
export function localLogFiles(inputs: string[]): {files: string[]; skipped: string[]} {
	const files: string[] = [];
	const skipped: string[] = [];
	walkInputs(
		inputs,
		entry => {
			const name = path.basename(entry.file);
			if (name === scopeFileName || entry.file.split(path.sep).includes('CloudTrail-Digest')) return;
			if (/\.json(\.gz)?$/i.test(name)) files.push(entry.file);
			else skipped.push(entry.file);
		},
		skip => skipped.push(skip.file),
	);
	return {files, skipped};
}

export interface LocalRun {
	/** "$path" of every selected file, as the statement orders them. */
	selected: string[];
	/** Log files the view read. */
	considered: number;
	/** Files under the inputs the view cannot read (archives, other formats). */
	skipped: string[];
	/**
	 * .json/.json.gz files DuckDB could not parse, with its reason. They are in `selected` too:
	 * a false positive costs a download, a false negative loses evidence (import says what is wrong).
	 */
	unreadable: {file: string; reason: string}[];
	seconds: number;
}

/** The table a statement reads: DuckDB's catalog error names it; say it in one line. */
function explain(error: Error, table: string): Error {
	const message = error.message.split('\n')[0];
	const missing = /Table with name ([^\s]+) does not exist/i.exec(message);
	if (missing) return new ScopeError(`unknown table name ${missing[1]}: scope local serves the tree as ${table} (pass --table ${missing[1]})`);
	return new ScopeError(`DuckDB: ${message}`);
}

/** Files set aside before the run is given up: a tree this broken is not worth guessing about. */
const maxUnreadable = 100;

/**
 * DuckDB (159 MB installed) is an optional dependency that only `scope local` uses: it is loaded
 * here, on first use, so every other command runs without it (the portable bundle leaves it out).
 */
async function duckdb(): Promise<typeof import('@duckdb/node-api')> {
	try {
		return await import('@duckdb/node-api');
	} catch (error) {
		// The package itself (ESM resolution) or its platform binding (required by it) is missing.
		const code = (error as NodeJS.ErrnoException).code;
		if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((error as Error).message).includes('@duckdb/')) {
			// Not the command line's fault: an optional part is missing (exit 5; the message says how to add it).
			throw new CannotFinishError("`scope local` needs DuckDB, an optional dependency that is not installed: add it with `npm install @duckdb/node-api` in mfatrail's folder");
		}
		throw error;
	}
}

/** Runs a statement that returns one column, path, over the log files under the inputs. */
export async function runLocal(statement: string, inputs: string[], table = defaultTable): Promise<LocalRun> {
	const started = process.hrtime.bigint();
	const {files, skipped} = localLogFiles(inputs);
	if (files.length === 0) throw new ScopeError(`no CloudTrail log files (.json, .json.gz) under ${inputs.join(', ')}`);
	const {DuckDBInstance} = await duckdb();
	const instance = await DuckDBInstance.create(':memory:');
	let connection: DuckDBConnection | undefined;
	try {
		connection = await instance.connect();
		for (const macro of compatibilityMacros) await connection.run(macro);
		const schema = table.includes('.') ? table.split('.')[0] : undefined;
		if (schema) await connection.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
		// Row order means nothing here (the statement orders its answer); keeping it made loading 5× slower.
		await connection.run('SET preserve_insertion_order = false');
		// DuckDB skips bad input only in JSON lines: a file it cannot parse is set aside and the load retried.
		const unreadable: LocalRun['unreadable'] = [];
		for (let readable = files; ; ) {
			try {
				for (const sql of tableView(table, readable)) await connection.run(sql);
				break;
			} catch (error) {
				const reason = (error as Error).message.split('\n')[0];
				const file = /in file "([^"]+)"/.exec(reason)?.[1];
				if (!file || !readable.includes(file) || unreadable.length >= maxUnreadable) throw new ScopeError(`DuckDB cannot read the tree: ${reason}`);
				unreadable.push({file, reason});
				readable = readable.filter(f => f !== file);
				await connection.run('DROP TABLE IF EXISTS mfatrail_records');
				if (readable.length === 0) throw new ScopeError(`DuckDB could not read any log file under ${inputs.join(', ')}: ${reason}`);
			}
		}
		let result;
		try {
			result = await connection.runAndReadAll(statement);
		} catch (error) {
			throw explain(error as Error, table);
		}
		const names = result.columnNames();
		if (!names.includes('path')) throw new ScopeError(`the statement must return a column named path (it returns ${names.join(', ')})`);
		const at = names.indexOf('path');
		const chosen = result.getRows().map(row => String(row[at]));
		const selected = unreadable.length === 0 ? chosen : [...chosen, ...unreadable.map(u => u.file)].sort();
		return {selected, considered: files.length, skipped, unreadable, seconds: Number(process.hrtime.bigint() - started) / 1e9};
	} finally {
		connection?.closeSync();
		instance.closeSync();
	}
}
