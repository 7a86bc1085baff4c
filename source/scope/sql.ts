/**
 * The selection statement: one Trino (Athena) SELECT over the standard CloudTrail table that
 * returns the S3 objects ("$path") holding MFA evidence and its context. The same text runs on
 * DuckDB over a local tree (local.ts supplies the table as a view and two macros), so what is
 * tested here is what Athena runs.
 *
 * The MFA-relevant events come from the one list (domain/mfa-events.ts); this module only decides
 * the context around them and the table's shape. Engines are indexes, never evidence: the
 * statement picks objects, and mfatrail imports and verifies the original objects.
 */
import {mfaEventPredicate, sqlInList, sqlString} from '../domain/mfa-events.js';
import {UsageError} from '../lib/errors.js';
import {formatUtc, parseEventTime} from '../lib/time.js';

/**
 * The table's shape, as AWS documents it:
 * - 'console': the table the CloudTrail console creates, no partitions;
 * - 'projection': the partition-projection table (one account and region, `timestamp` = yyyy/MM/dd);
 * - 'org': the organisation-trail variant that also projects `account` and `region`.
 */
export type TableForm = 'console' | 'projection' | 'org';
export const tableForms: TableForm[] = ['console', 'projection', 'org'];

export interface ScopeOptions {
	/** Table name, optionally database-qualified (default cloudtrail_logs). */
	table?: string;
	form?: TableForm;
	/** ISO-8601 UTC bounds of the MFA events sought (second precision, 'YYYY-MM-DDTHH:MM:SSZ'). */
	since?: string;
	until?: string;
	accounts?: string[];
	regions?: string[];
}

const hour = 3_600_000;
const day = 24 * hour;

/**
 * The context kept around each MFA event, and why:
 * - after: 36 h, the longest life of a key GetSessionToken mints (129,600 s), so every call made
 *   with a minted key is kept; it also covers the rules' 24 h follow-ups (first use of a new
 *   device, failed sign-ins after a removal, what followed an unprotected add);
 * - before: 24 h, the calls leading up to the event by the same key or principal;
 * - denied: 30 days back, the principal's failed calls only: the AWS-2023-001 rule shows calls
 *   denied before an unprotected add that succeed with MFA after it (findings/settings.ts, denied-lookback).
 */
export const contextWindow = {beforeHours: 24, afterHours: 36, deniedDays: 30};

export const defaultTable = 'cloudtrail_logs';

/** An Athena table name: unquoted identifiers, optionally database.table. */
const tableName = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

/** A scope statement that cannot be built from what was given: a usage error (exit 2). */
export class ScopeError extends UsageError {}

export function checkTableName(name: string): string {
	const lower = name.toLowerCase();
	if (!tableName.test(lower)) {
		throw new ScopeError(`unknown table name ${JSON.stringify(name)}: use the Athena table (letters, digits, _; optionally database.table), e.g. ${defaultTable}`);
	}
	return lower;
}

export function checkAccount(id: string): string {
	if (!/^\d{12}$/.test(id)) throw new ScopeError(`not an AWS account ID: ${JSON.stringify(id)} (12 digits)`);
	return id;
}

export function checkRegion(region: string): string {
	if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new ScopeError(`not an AWS region: ${JSON.stringify(region)} (e.g. us-east-1)`);
	return region;
}

function utc(time: string | undefined, name: string): string | undefined {
	if (time === undefined) return undefined;
	const parsed = parseEventTime(time);
	if (!parsed) throw new ScopeError(`--${name}: not a time: ${JSON.stringify(time)}`);
	return parsed.utc;
}

/** The partition value (yyyy/MM/dd) of a time, days added. */
function partitionDay(utc: string, addDays = 0): string {
	return formatUtc(Date.parse(utc) + addDays * day).slice(0, 10).replaceAll('-', '/');
}

/**
 * Filters of one scan: partition predicates (pruning objects, the only push-down Athena has on
 * gzip JSON) and the same bounds on columns every form has. An object dated D (its delivery day)
 * holds events up to a day earlier, so the partition range ends a day after the last event sought.
 */
function filters(options: ScopeOptions, form: TableForm, since: string | undefined, until: string | undefined, indent: string): string[] {
	const out: string[] = [];
	if (form !== 'console') {
		if (since) out.push(`"timestamp" >= ${sqlString(partitionDay(since))}`);
		if (until) out.push(`"timestamp" <= ${sqlString(partitionDay(until, 1))}`);
	}
	if (form === 'org') {
		if (options.accounts?.length) out.push(`account IN (${sqlInList(options.accounts)})`);
		if (options.regions?.length) out.push(`region IN (${sqlInList(options.regions)})`);
	}
	if (since) out.push(`eventtime >= ${sqlString(since)}`);
	if (until) out.push(`eventtime <= ${sqlString(until)}`);
	if (options.accounts?.length) out.push(`recipientaccountid IN (${sqlInList(options.accounts)})`);
	if (options.regions?.length) out.push(`awsregion IN (${sqlInList(options.regions)})`);
	return out.map((f, i) => `${indent}${i === 0 ? 'WHERE' : 'AND'} ${f}`);
}

/** The statement's options, as the generator writes them into its header (scopeSql). */
const optionsLine = /^-- mfatrail-scope (\{.*\})$/m;

function optionsComment(options: ScopeOptions): string {
	const {table, form, since, until, accounts, regions} = options;
	return `-- mfatrail-scope ${JSON.stringify({table, form, since: since ?? null, until: until ?? null, accounts: accounts ?? [], regions: regions ?? []})}`;
}

/** The options a generated statement was made with; undefined for a statement written by hand. */
export function statementOptions(statement: string): ScopeOptions | undefined {
	const m = optionsLine.exec(statement);
	if (!m) return undefined;
	try {
		const o = JSON.parse(m[1]) as {since?: string | null; until?: string | null; accounts?: string[]; regions?: string[]; table?: string; form?: ScopeOptions['form']};
		return {table: o.table, form: o.form, since: o.since ?? undefined, until: o.until ?? undefined, accounts: o.accounts ?? [], regions: o.regions ?? []};
	} catch {
		return undefined;
	}
}

/** The Athena statement. Deterministic: the same options give the same text. */
export function scopeSql(given: ScopeOptions = {}): string {
	const options = {...given, since: utc(given.since, 'since'), until: utc(given.until, 'until')};
	const table = checkTableName(options.table ?? defaultTable);
	const form = options.form ?? 'console';
	if (!tableForms.includes(form)) throw new ScopeError(`unknown table form ${JSON.stringify(form)}; use ${tableForms.join(', ')}`);
	for (const a of options.accounts ?? []) checkAccount(a);
	for (const r of options.regions ?? []) checkRegion(r);
	const {beforeHours, afterHours, deniedDays} = contextWindow;
	const widenedSince = options.since ? formatUtc(Date.parse(options.since) - Math.max(beforeHours * hour, deniedDays * day)) : undefined;
	const widenedUntil = options.until ? formatUtc(Date.parse(options.until) + afterHours * hour) : undefined;
	const seedFilters = filters(options, form, options.since, options.until, '  ');
	const contextFilters = filters(options, form, widenedSince, widenedUntil, '  ');
	const mfa = mfaEventPredicate({eventSource: 'eventsource', eventName: 'eventname', requestParameters: 'requestparameters'}).replaceAll('\n', '\n    ');
	const near = (kind: string, column: string) =>
		[
			`  SELECT a.path FROM activity a JOIN seed s ON s.kind = ${sqlString(kind)} AND a.${column} = s.handle`,
			`  WHERE a.event_at BETWEEN s.event_at - INTERVAL '${beforeHours}' HOUR AND s.event_at + INTERVAL '${afterHours}' HOUR`,
		].join('\n');
	const describe = [
		`table ${table} (${form} form)`,
		options.since || options.until ? `MFA events ${options.since ?? '…'} to ${options.until ?? '…'}` : 'all time',
		options.accounts?.length ? `accounts ${options.accounts.join(', ')}` : '',
		options.regions?.length ? `regions ${options.regions.join(', ')}` : '',
	].filter(Boolean);
	return `-- mfatrail scope: the S3 objects holding MFA evidence and its context (Athena / Trino SQL)
-- ${describe.join('; ')}
${optionsComment({...options, table, form})}
-- context: calls by the same access keys (minted ones too), principals and IAM users from
-- ${beforeHours} h before to ${afterHours} h after each MFA event; the principal's failed calls ${deniedDays} days before
WITH mfa AS (
  SELECT "$path" AS path, from_iso8601_timestamp(eventtime) AS event_at,
    useridentity.accesskeyid AS access_key, useridentity.arn AS arn,
    json_extract_scalar(responseelements, '$.credentials.accessKeyId') AS minted_key,
    recipientaccountid || ':' || json_extract_scalar(requestparameters, '$.userName') AS target_user
  FROM ${table}
${[...seedFilters, `  ${seedFilters.length > 0 ? 'AND' : 'WHERE'} ${mfa}`].join('\n')}
), seed AS (
  SELECT DISTINCT 'key' AS kind, access_key AS handle, event_at FROM mfa WHERE access_key <> ''
  UNION SELECT 'key', minted_key, event_at FROM mfa WHERE minted_key <> ''
  UNION SELECT 'arn', arn, event_at FROM mfa WHERE arn <> ''
  UNION SELECT 'user', target_user, event_at FROM mfa WHERE target_user <> ''
), activity AS (
  SELECT "$path" AS path, from_iso8601_timestamp(eventtime) AS event_at, errorcode AS error_code,
    useridentity.accesskeyid AS access_key, useridentity.arn AS arn,
    CASE WHEN useridentity.type = 'IAMUser' THEN useridentity.accountid || ':' || useridentity.username END AS iam_user
  FROM ${table}${contextFilters.map(f => `\n${f}`).join('')}
)
SELECT DISTINCT path FROM (
  SELECT path FROM mfa
  UNION ALL
${near('key', 'access_key')}
  UNION ALL
${near('arn', 'arn')}
  UNION ALL
${near('user', 'iam_user')}
  UNION ALL
  SELECT a.path FROM activity a JOIN seed s ON s.kind = 'arn' AND a.arn = s.handle
  WHERE a.error_code <> '' AND a.event_at BETWEEN s.event_at - INTERVAL '${deniedDays}' DAY AND s.event_at
) AS selected
ORDER BY path
`;
}
