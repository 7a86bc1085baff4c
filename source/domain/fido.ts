/**
 * Passkey or security key? Both use the u2f serial form (mfa-2024-2026.md §1) and no record says
 * which; the only hint is the name the user chose. So: "FIDO (passkey or security key)", and a
 * name-based label is called a guess. Imports nothing from the project.
 */
export function fidoLabel(serialOrName: string): string {
	const name = serialOrName.split('/').pop() ?? serialOrName;
	if (/passkey/i.test(name)) return 'FIDO passkey (guessed from its name)';
	if (/yubi|security.?key|fido.?key|titan|feitian|solokey|nitrokey/i.test(name)) return 'FIDO security key (guessed from its name)';
	return 'FIDO (passkey or security key)';
}

/** IAM user 'u2f/user/NAME/…' or root 'u2f/root/…'. */
export function fidoOwnerForm(serial: string): 'user' | 'root' | undefined {
	const m = /:u2f\/(user|root)\//.exec(serial);
	return m ? (m[1] as 'user' | 'root') : undefined;
}
