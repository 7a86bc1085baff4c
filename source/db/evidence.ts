/** The evidence rows behind findings, as a report lists them (one query, no raw record parsing). */
import type {CaseFile} from './open.js';

export interface EvidenceRow {
	eventId: string;
	/** False when the eventID is not in this case file (then the other fields are null). */
	present: boolean;
	eventTime: string | null;
	eventName: string | null;
	actor: string | null;
	sourceIp: string | null;
	/** Sign-ins: Success / Failure (at the MFA step when known); other calls: the error code, else Success. */
	result: string | null;
}

/**
 * One row per eventID, in the order given. An eventID held in several versions (a conflict) shows
 * its first stored version; a sign-in's result comes from the model, any other call's from its
 * error code.
 */
export function evidenceRows(db: CaseFile, eventIds: string[]): EvidenceRow[] {
	const get = db.prepare(
		`SELECT e.event_time AS eventTime, e.event_name AS eventName, coalesce(e.identity_arn, e.identity_user_name, e.identity_principal_id) AS actor,
		        e.source_ip AS sourceIp,
		        CASE WHEN s.result = 'Failure' AND s.failed_at_mfa = 1 THEN 'Failure at MFA'
		             WHEN s.result IS NOT NULL THEN s.result
		             WHEN e.error_code IS NOT NULL THEN e.error_code
		             ELSE 'Success' END AS result
		 FROM event e LEFT JOIN sign_in s ON s.event = e.id
		 WHERE e.event_id = ? ORDER BY e.id LIMIT 1`,
	);
	return eventIds.map(eventId => {
		const row = get.get(eventId) as Omit<EvidenceRow, 'eventId' | 'present'> | undefined;
		return row ? {eventId, present: true, ...row} : {eventId, present: false, eventTime: null, eventName: null, actor: null, sourceIp: null, result: null};
	});
}
