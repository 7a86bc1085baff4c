import {caseFilePath, openCaseFile} from '../db/open.js';
import {dbFlag, helpText, type Command} from './command.js';

const help = `
	Usage
	  $ mfatrail explore [--db FILE] [--query TEXT]
	  $ mfatrail [--db FILE]            (the same, on a terminal)

	Opens the interactive explorer over the case file: search principals, devices and serials,
	walk from a person to their devices, sign-ins, timeline, findings and the original records.
	Press ? inside for the keys. Needs a terminal: in scripts and pipes use the --json commands.

	Options
	  --db FILE      case file (default ./mfatrail.db, or $MFATRAIL_DB)
	  --query TEXT   start with this search (user:, device:, serial: narrow the kind)

	Examples
	  $ mfatrail explore --db case.db --query serial:GAHT
`;

export const exploreCommand: Command = {
	name: 'explore',
	summary: 'open the interactive explorer (needs a terminal)',
	help,
	flags: {...dbFlag, query: {type: 'string', shortFlag: 'q', default: ''}},
	async run(_input, flags) {
		// Raw-mode input needs a terminal on both ends; without one print how to get answers instead.
		const {interactive, leaveAlternateScreen, showSplash} = await import('../ui/splash.js');
		if (!interactive()) {
			process.stderr.write(`mfatrail explore needs a terminal (stdin and stdout). In scripts use the --json commands (mfatrail --help lists them).\n\n${helpText(help)}\n`);
			return 2;
		}
		const file = caseFilePath(flags.db as string);
		const db = openCaseFile(file, {readonly: true});
		try {
			// A first frame before Ink and React load (they take several times Node's own start-up).
			showSplash(db, file);
			let runExplorer;
			try {
				({runExplorer} = await import('../ui/run.js'));
			} catch (error) {
				process.stdout.write(leaveAlternateScreen);
				throw error;
			}
			return await runExplorer(db, {query: (flags.query as string) || '', openWritable: () => openCaseFile(file), splash: true});
		} finally {
			db.close();
		}
	},
};
