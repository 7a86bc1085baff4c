import {parse} from 'csv-parse/sync';
import type {Collector} from './collector.js';

/**
 * CSV exports hold some fields of each record, flattened into columns: the console's Event history
 * download and Sentinel's AWSCloudTrail table. A row becomes a CloudTrail-shaped record rebuilt from
 * its columns (so the model reads it like any other) and is marked partial; the original text kept
 * for the row is a JSON object of its columns, in their order.
 */

type Json = Record<string, unknown>;

/** Header cell → lower-case letters and digits only ("TimeGenerated [UTC]" → "timegeneratedutc"). */
const key = (header: string) => header.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Column (normalised) → path in the rebuilt record. Covers both exports; unknown columns are ignored. */
const columns: Record<string, string> = {
	// Console Event history
	eventid: 'eventID',
	eventtime: 'eventTime',
	username: 'userIdentity.userName',
	eventname: 'eventName',
	awsaccesskey: 'userIdentity.accessKeyId',
	sourceipaddress: 'sourceIPAddress',
	awsregion: 'awsRegion',
	errorcode: 'errorCode',
	errormessage: 'errorMessage',
	readonly: 'readOnly',
	eventsource: 'eventSource',
	requestid: 'requestID',
	eventtype: 'eventType',
	useragent: 'userAgent',
	recipientaccountid: 'recipientAccountId',
	// Sentinel AWSCloudTrail
	timegeneratedutc: 'eventTime',
	timegenerated: 'eventTime',
	awseventid: 'eventID',
	eventversion: 'eventVersion',
	eventtypename: 'eventType',
	useridentitytype: 'userIdentity.type',
	useridentityprincipalid: 'userIdentity.principalId',
	useridentityarn: 'userIdentity.arn',
	useridentityaccountid: 'userIdentity.accountId',
	useridentityinvokedby: 'userIdentity.invokedBy',
	useridentityaccesskeyid: 'userIdentity.accessKeyId',
	useridentityusername: 'userIdentity.userName',
	useridentityuserid: 'userIdentity.userId',
	useridentitystorearn: 'userIdentity.identityStoreArn',
	sessionmfaauthenticated: 'userIdentity.sessionContext.attributes.mfaAuthenticated',
	sessioncreationdateutc: 'userIdentity.sessionContext.attributes.creationDate',
	sessionissuertype: 'userIdentity.sessionContext.sessionIssuer.type',
	sessionissuerprincipalid: 'userIdentity.sessionContext.sessionIssuer.principalId',
	sessionissuerarn: 'userIdentity.sessionContext.sessionIssuer.arn',
	sessionissueraccountid: 'userIdentity.sessionContext.sessionIssuer.accountId',
	sessionissuerusername: 'userIdentity.sessionContext.sessionIssuer.userName',
	requestparameters: 'requestParameters',
	responseelements: 'responseElements',
	additionaleventdata: 'additionalEventData',
	awsrequestid: 'requestID',
	resources: 'resources',
	apiversion: 'apiVersion',
	serviceeventdetails: 'serviceEventDetails',
	sharedeventid: 'sharedEventID',
	vpcendpointid: 'vpcEndpointId',
	managementevent: 'managementEvent',
	tlsversion: 'tlsDetails.tlsVersion',
	ciphersuite: 'tlsDetails.cipherSuite',
	clientprovidedhostheader: 'tlsDetails.clientProvidedHostHeader',
};

/** Columns whose cells hold JSON in the exports (nested structures serialised). */
const jsonColumns = new Set(['requestParameters', 'responseElements', 'additionalEventData', 'resources', 'serviceEventDetails']);

export type CsvResult = {kind: 'records'; format: string} | {kind: 'rejected'; position: string | null; reason: string};

/** Reads CloudTrail CSV exports into `out`; undefined when the text is not CSV with CloudTrail columns. */
export function parseCsv(text: string, out: Collector): CsvResult | undefined {
	const firstLine = text.slice(0, Math.min(text.length, 65_536)).split('\n', 1)[0];
	if (!firstLine.includes(',')) return undefined;
	const header = parseHeader(firstLine);
	const keys = header.map(key);
	const fullRecordAt = keys.findIndex(k => k === 'cloudtrailevent');
	const hasEventColumns = keys.includes('eventname') && keys.some(k => columns[k] === 'eventTime');
	if (!hasEventColumns && fullRecordAt < 0) return undefined;
	const format = keys.includes('awseventid') ? 'sentinel-csv' : 'event-history-csv';
	let rows: {record: string[]; info: {lines: number}}[];
	try {
		rows = parse(text, {relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true, bom: true}) as unknown as typeof rows;
	} catch (error) {
		return {kind: 'rejected', position: null, reason: `CSV that cannot be read: ${(error as Error).message}`};
	}
	for (let r = 1; r < rows.length; r++) {
		const {record: cells, info} = rows[r];
		const label = `line ${info.lines}`;
		const row: Record<string, string> = {};
		header.forEach((h, i) => (row[h] = cells[i] ?? ''));
		let record: Json;
		let partial = true;
		const full = fullRecordAt >= 0 ? cells[fullRecordAt] : '';
		try {
			if (full && full.trim().startsWith('{')) {
				record = JSON.parse(full) as Json;
				partial = false;
			} else record = rebuild(keys, cells);
		} catch (error) {
			out.reject(label, (error as Error).message);
			continue;
		}
		// The original kept for a partial row is a JSON object of its columns, in their order.
		out.record(record, Buffer.from(partial ? JSON.stringify(row) : full, 'utf8'), label, {partial, flags: [format]});
	}
	return {kind: 'records', format};
}

function parseHeader(line: string): string[] {
	try {
		const [header] = parse(line.replace(/\r$/, ''), {relax_quotes: true, bom: true}) as string[][];
		return header ?? [];
	} catch {
		return [];
	}
}

function rebuild(keys: string[], cells: string[]): Json {
	const record: Json = {};
	keys.forEach((k, i) => {
		const target = columns[k];
		let value: unknown = cells[i];
		if (!target || value === undefined || value === '') return;
		if (target === 'eventTime') value = csvTime(value as string);
		else if (jsonColumns.has(target)) value = jsonCell(value as string);
		else if (target === 'readOnly' || target === 'managementEvent') value = /^true$/i.test(value as string);
		set(record, target, value);
	});
	return record;
}

/** Sentinel writes "21/04/2025, 09:45:54.000" (day first, UTC); the console writes ISO. */
function csvTime(value: string): string {
	const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),?\s+(\d{1,2}):(\d{2}):(\d{2})/.exec(value.trim());
	if (!m) return value;
	const [, d, mo, y, h, mi, s] = m;
	return `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}T${h.padStart(2, '0')}:${mi}:${s}Z`;
}

function jsonCell(value: string): unknown {
	const t = value.trim();
	if (t.startsWith('{') || t.startsWith('[')) {
		try {
			return JSON.parse(t);
		} catch {
			return value;
		}
	}
	return value;
}

function set(record: Json, path: string, value: unknown): void {
	const parts = path.split('.');
	let at = record;
	for (const p of parts.slice(0, -1)) {
		if (typeof at[p] !== 'object' || at[p] === null) at[p] = {};
		at = at[p] as Json;
	}
	at[parts[parts.length - 1]] = value;
}
