import type {AnyFlags} from 'meow';

/** One `mfatrail <name>` command: its help, its flags, and what it does. Returns the exit status. */
export interface Command {
	name: string;
	/** One line for the command list. */
	summary: string;
	/** Usage and examples shown by `mfatrail <name> --help`. */
	help: string;
	flags: AnyFlags;
	run(input: string[], flags: Record<string, unknown>): Promise<number> | number;
}

/** Flags every command takes. */
export const dbFlag = {
	db: {type: 'string', shortFlag: 'd', default: ''},
} as const;

export const jsonFlag = {
	json: {type: 'boolean', default: false},
} as const;

/**
 * A help text as meow prints it (`mfatrail <name> --help`): the source indentation (tabs) taken
 * off and every line indented by two spaces, for help printed without meow.
 */
export function helpText(text: string): string {
	const lines = text.replace(/^\n+|\s+$/g, '').split('\n');
	const indents = lines.filter(l => l.trim() !== '').map(l => /^[\t ]*/.exec(l)![0].length);
	const common = Math.min(...indents);
	return lines.map(l => (l.trim() === '' ? '' : `  ${l.slice(common).replace(/^\t+/, t => '  '.repeat(t.length))}`)).join('\n');
}
