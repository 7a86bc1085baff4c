/**
 * Joins across records that the one-pass derivation cannot make, because the record that explains
 * another may belong to a different principal, account or sign-in step, or come later:
 * - a member account's root session to the sts:AssumeRoot call that minted its key (another
 *   account's trail, another principal);
 * - an Identity Center user's readable name (additionalEventData.UserName, on some steps only) to
 *   its onBehalfOf.userId, through the sign-in flow (AuthWorkflowID) they share;
 * - the sign-in steps of a WorkSpaces flow, told by the LoginTo of the flow's UserAuthentication,
 *   and of a Transfer Family web app, told by the app's calls for the user that follow;
 * Run after every model refresh, full or incremental, over the whole (small) set of rows concerned,
 * so the result never depends on how the evidence was split into imports. Returns the principals
 * whose rows changed, for the findings refresh.
 */
import type {CaseFile} from '../db/open.js';
import {signInLoginTo} from '../db/facts-codec.js';
import {hiddenUserName} from './principals.js';
import {mfaUsedFor} from './sign-ins.js';
import type {SignInKind} from './types.js';

/** An AssumeRoot session lasts at most 900 s [C2]; a few seconds of clock skew are allowed before the call. */
export const assumeRootSessionMs = 900_000;
const skewMs = 5_000;

export function assumeRootNote(callerArn: string | null, taskPolicy: string | null): string {
	const task = taskPolicy ? taskPolicy.replace(/^arn:[^:]+:iam::aws:policy\/root-task\//, '') : 'not recorded';
	return `root session via AssumeRoot by ${callerArn ?? 'an unknown caller'} (task ${task})`;
}

export const unjoinedAssumeRootNote = 'AssumeRoot session, caller not in evidence';

interface Candidate {
	event: number;
	eventTime: string;
	accessKeyId: string;
	accountId: string | null;
	assumeRootEvent: number | null;
	actorNote: string | null;
	actorArn: string | null;
	ownerArn: string | null;
}

interface AssumeRootCall {
	event: number;
	eventTime: string;
	actorArn: string | null;
	targetAccount: string | null;
	taskPolicy: string | null;
}

function linkAssumeRoot(db: CaseFile, changed: Set<string>): void {
	const calls = db.prepare(`SELECT event, event_time AS eventTime, actor_arn AS actorArn, target_account AS targetAccount, task_policy AS taskPolicy
		FROM account_event WHERE role = 'assume-root' AND minted_key = ? AND error_code IS NULL ORDER BY event_time DESC`);
	const find = (c: Candidate): AssumeRootCall | undefined => {
		const t = Date.parse(c.eventTime);
		return (calls.all(c.accessKeyId) as AssumeRootCall[]).find(call => {
			const t0 = Date.parse(call.eventTime);
			const accountOk = !call.targetAccount || !c.accountId || call.targetAccount === c.accountId;
			return accountOk && t >= t0 - skewMs && t <= t0 + assumeRootSessionMs + skewMs;
		});
	};
	for (const table of ['lifecycle_event', 'account_event'] as const) {
		const owner = table === 'lifecycle_event' ? 'owner_arn' : 'target_arn';
		// lifecycle_event is a view (db/025_compact_model.sql): its rows are written in lifecycle_row.
		const stored = table === 'lifecycle_event' ? 'lifecycle_row' : table;
		const candidates = db
			.prepare(`SELECT event, event_time AS eventTime, access_key_id AS accessKeyId, assume_root_event AS assumeRootEvent,
					actor_note AS actorNote, actor_arn AS actorArn, ${owner} AS ownerArn,
					substr(actor_arn, instr(actor_arn, '::') + 2, 12) AS accountId
				FROM ${table} WHERE actor_arn LIKE 'arn:%:iam::%:root' AND access_key_id LIKE 'ASIA%'`)
			.all() as Candidate[];
		const update = db.prepare(`UPDATE ${stored} SET assume_root_event = ?, actor_note = ? WHERE event = ?`);
		for (const c of candidates) {
			const call = find(c);
			if (!call) continue;
			const note = assumeRootNote(call.actorArn, call.taskPolicy);
			if (c.assumeRootEvent === call.event && c.actorNote === note) continue;
			update.run(call.event, note, c.event);
			for (const arn of [c.actorArn, c.ownerArn, call.actorArn]) if (arn) changed.add(arn);
		}
	}
}

function linkIdentityCenterNames(db: CaseFile, changed: Set<string>): void {
	// A name joins the user id of its own step or of another step of the same flow; a principal
	// keyed by the name itself (old records without onBehalfOf) is not an id, and a hidden name is no name.
	db.exec('DELETE FROM identity_center_name');
	db.prepare(
		`INSERT INTO identity_center_name (principal_arn, user_name, first_seen, last_seen, sign_ins)
		 SELECT p.principal_arn, n.user_name, min(n.event_time), max(n.event_time), count(DISTINCT n.event)
		   FROM sign_in n JOIN sign_in p
		     ON p.event = n.event OR (n.auth_workflow_id IS NOT NULL AND p.auth_workflow_id = n.auth_workflow_id)
		  WHERE n.user_name IS NOT NULL AND n.user_name != ?
		    AND p.principal_arn LIKE 'arn:%:identitystore::%:user/%'
		    AND substr(p.principal_arn, instr(p.principal_arn, ':user/') + 6) != n.user_name
		  GROUP BY p.principal_arn, n.user_name`,
	).run(hiddenUserName);
	const before = new Map(
		(db.prepare(`SELECT arn, display_name AS name FROM principal WHERE display_name IS NOT NULL`).all() as {arn: string; name: string}[]).map(r => [r.arn, r.name]),
	);
	db.exec(`UPDATE principal SET display_name = (SELECT user_name FROM identity_center_name n WHERE n.principal_arn = principal.arn
			ORDER BY n.last_seen DESC, n.sign_ins DESC, n.user_name LIMIT 1)
		WHERE display_name IS NOT NULL OR arn IN (SELECT principal_arn FROM identity_center_name)`);
	const after = db.prepare(`SELECT arn, display_name AS name FROM principal WHERE display_name IS NOT NULL`).all() as {arn: string; name: string}[];
	for (const {arn, name} of after) if (before.get(arn) !== name) changed.add(arn);
	for (const arn of before.keys()) if (!after.some(a => a.arn === arn)) changed.add(arn);
}

function linkWorkspacesFlows(db: CaseFile, changed: Set<string>): void {
	// The WorkSpaces flows whose sign-in names a LoginTo (kept in the event's facts, decoded here).
	const flows = (db.prepare(`SELECT s.auth_workflow_id AS flow, (SELECT f.facts FROM event_row f WHERE f.id = s.event) AS facts FROM sign_in s WHERE s.kind = 'workspaces' AND s.auth_workflow_id IS NOT NULL`).all() as {flow: string; facts: string | null}[])
		.filter(f => signInLoginTo(f.facts) !== null)
		.map(f => f.flow);
	const rows = db
		.prepare(`SELECT event, principal_arn AS principalArn, event_name AS eventName, mfa_type AS mfaType, mfa_used AS mfaUsed FROM sign_in
			WHERE kind = 'identity-center' AND auth_workflow_id IN (SELECT value FROM json_each(?))`)
		.all(JSON.stringify([...new Set(flows)])) as {event: number; principalArn: string; eventName: string; mfaType: string | null; mfaUsed: string | null}[];
	const update = db.prepare(`UPDATE sign_in_row SET kind = ?, mfa_used = ? WHERE event = ?`);
	const kind: SignInKind = 'workspaces';
	for (const r of rows) {
		update.run(kind, mfaUsedFor(kind, r.eventName, r.mfaType) ?? null, r.event);
		changed.add(r.principalArn);
	}
}

/** How soon after its sign-in a Transfer Family web app acts for the user (inference: "within minutes"). */
export const transferFollowMs = 10 * 60_000;

/**
 * A Transfer Family web app signs its users in through Identity Center, and the record cannot be
 * told from a portal sign-in; what follows can: the app's S3 Access Grants calls for the same user
 * id within minutes (mfa-2024-2026.md §5). Its factors still count as Identity Center factors.
 */
function linkTransferFlows(db: CaseFile, changed: Set<string>): void {
	const userId = (column: string) => `substr(${column}, instr(${column}, ':user/') + 6)`;
	const rows = db
		.prepare(`SELECT event, principal_arn AS principalArn FROM sign_in WHERE kind = 'identity-center' AND auth_workflow_id IN (
			SELECT s.auth_workflow_id FROM sign_in s JOIN account_event a ON a.role = 'transfer-web-app'
				AND ${userId('a.actor_arn')} = ${userId('s.principal_arn')}
				AND a.event_time >= s.event_time AND a.event_time <= strftime('%Y-%m-%dT%H:%M:%SZ', s.event_time, '+${transferFollowMs / 1000} seconds')
			WHERE s.event_name = 'UserAuthentication' AND s.result = 'Success' AND s.auth_workflow_id IS NOT NULL)`)
		.all() as {event: number; principalArn: string}[];
	const update = db.prepare(`UPDATE sign_in_row SET kind = 'transfer-family' WHERE event = ?`);
	for (const r of rows) {
		update.run(r.event);
		changed.add(r.principalArn);
	}
}

export function linkModel(db: CaseFile): Set<string> {
	const changed = new Set<string>();
	linkAssumeRoot(db, changed);
	linkIdentityCenterNames(db, changed);
	linkWorkspacesFlows(db, changed);
	linkTransferFlows(db, changed);
	return changed;
}
