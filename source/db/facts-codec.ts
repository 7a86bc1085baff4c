/**
 * How event_row.facts (the MFA-relevant fields of a record, source/model/facts.ts) is written: JSON
 * with short keys, since the long names were half of its bytes (182 bytes a row over 68k rows of an
 * MFA-heavy case), `true` written 1, and the console's own sign-in URL prefix left out of loginTo.
 * decodeFacts gives back the object encodeFacts was given. A key this table does not name is kept
 * as it is, so rows written before (long keys) and facts added later read the same way.
 */

/** Long name → short key. Short keys are one or two letters: never a long name. */
const shortKeys: Record<string, string> = {
	serialNumber: 's', userName: 'u', deviceName: 'n', devicePath: 'p', deviceId: 'd', targetUserId: 'tu',
	result: 'r', mfaUsed: 'm', mfaIdentifier: 'i', loginTo: 'l', mfaType: 't', credentialType: 'ct',
	authWorkflowId: 'aw', samlProviderArn: 'sp', onBehalfOfUserId: 'ob', identityStoreArn: 'is', credentialId: 'ci',
	sessionIssuerArn: 'ia', sessionIssuerType: 'it', fromConsole: 'fc', hasSessionContext: 'h', cliCommand: 'c',
	requestParametersNull: 'rn', assumedRoot: 'ar', sessionCreated: 'sc', targetPrincipal: 'tp', taskPolicyArn: 'ta',
	mintedAccessKeyId: 'mk', expiration: 'ex', expiresAt: 'ea', fidoSerial: 'fs', idcUserName: 'iu',
};
const longKeys = new Map(Object.entries(shortKeys).map(([long, short]) => [short, long]));
/** Facts that are only ever true (present) or absent: stored as 1. */
const flags = new Set(['requestParametersNull', 'hasSessionContext', 'fromConsole', 'assumedRoot']);

/**
 * ConsoleLogin's LoginTo is the console URL plus a per-sign-in state, ~110 bytes of which ~95 are
 * the same on every row: a value starting with one of these is stored without it, under its own key.
 */
const loginPrefixes: [key: string, prefix: string][] = [
	['l1', 'https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_'],
	['l2', 'https://console.aws.amazon.com/console/home?'],
];
const prefixOf = new Map(loginPrefixes);

/** The facts of a record as stored (null: the record has none). */
export function encodeFacts(facts: object | undefined | null): string | null {
	if (!facts) return null;
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(facts)) {
		if (value === undefined) continue;
		if (key === 'loginTo' && typeof value === 'string') {
			const hit = loginPrefixes.find(([, prefix]) => value.startsWith(prefix));
			if (hit) {
				out[hit[0]] = value.slice(hit[1].length);
				continue;
			}
		}
		out[shortKeys[key] ?? key] = value === true && flags.has(key) ? 1 : value;
	}
	return JSON.stringify(out);
}

/** The facts object from its stored text; throws when the text is not JSON (a damaged row). */
export function decodeFacts(stored: string): Record<string, unknown> {
	const parsed = JSON.parse(stored) as Record<string, unknown>;
	const facts: Record<string, unknown> = {};
	for (const key in parsed) {
		const value = parsed[key];
		const prefix = prefixOf.get(key);
		if (prefix !== undefined) {
			facts.loginTo = prefix + (value as string);
			continue;
		}
		const long = longKeys.get(key) ?? key;
		facts[long] = value === 1 && flags.has(long) ? true : value;
	}
	return facts;
}

/** A sign-in's LoginTo, from its event's stored facts (event_row.facts): not stored twice. */
export function signInLoginTo(stored: unknown): string | null {
	if (typeof stored !== 'string') return null;
	const loginTo = decodeFacts(stored).loginTo;
	return typeof loginTo === 'string' ? loginTo : null;
}
