import type {CaseFile} from '../source/db/open.js';

/**
 * The "identifiers are never shown cut" check, shared by the explorer walk (test/ui) and the CLI
 * walk: every ARN, serial, device name, account ID, access key ID, source IP and eventID of a case
 * file, and a detector for the ones a screen shows cut ('mfa/root-accou…', '52.245.203.2…') while
 * its whole value is nowhere on that screen.
 */

/** Every identifier the case file holds (test-side SQL: the helper must not trust the code it checks). */
export function caseIdentifiers(db: CaseFile): string[] {
	const values = new Set<string>();
	const add = (sql: string) => {
		for (const row of db.prepare(sql).raw().all() as unknown[][]) for (const v of row) if (typeof v === 'string' && v) values.add(v);
	};
	add(`SELECT DISTINCT identity_arn, access_key_id, source_ip, recipient_account_id, identity_account_id FROM event`);
	add(`SELECT event_id FROM event`);
	add(`SELECT arn, account_id FROM principal`);
	add(`SELECT serial_number, name, owner_arn, account_id FROM device`);
	add(`SELECT principal_arn, serial_number FROM finding`);
	return [...values];
}

/** The forms an identifier is shown in: whole, its ARN resource ('user/alice'), a device's name. */
function forms(identifier: string): string[] {
	const out = [identifier];
	const arn = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:(.+)$/.exec(identifier);
	if (arn) {
		out.push(arn[1]);
		const slash = arn[1].lastIndexOf('/');
		if (slash >= 0) out.push(arn[1].slice(slash + 1));
	}
	return out;
}

/** Characters that end a fragment on its left: what stands before an identifier in running text. */
const leftStops = /[\s@=,;"'`(<[{|]/;

/**
 * Fragments of the screen text cut with '…' that start an identifier (or one of its shown forms)
 * whose whole value is not on the screen. Fragments under four characters are ignored: 'Ma…' of a
 * user agent or '10…' of 'Mac OS X 10.15' says nothing about any identifier.
 */
export function cutIdentifiers(screen: string, known: readonly string[]): string[] {
	const joined = screen.split('\n').map(l => l.trimEnd());
	const whole = `${joined.join('\n')}\n${joined.join('')}`;
	const cut: string[] = [];
	const shown = known.map(k => ({k, forms: forms(k)}));
	for (const match of screen.matchAll(/(\S+)…/g)) {
		const token = match[1];
		const candidates = new Set<string>();
		for (let i = 0; i < token.length; i++) if (i === 0 || leftStops.test(token[i - 1])) candidates.add(token.slice(i));
		for (const fragment of candidates) {
			if (fragment.length < 4) continue;
			const starts = (f: string) => f !== fragment && f.startsWith(fragment);
			const matching = shown.filter(({forms: fs}) => fs.some(starts));
			if (matching.length === 0) continue;
			// Which one was cut cannot be told, so each one it may be must show whole somewhere on the screen.
			if (!matching.every(({forms: fs}) => fs.filter(starts).some(f => whole.includes(f)))) cut.push(`${fragment}…`);
			break;
		}
	}
	return [...new Set(cut)];
}
