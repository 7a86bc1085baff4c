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
