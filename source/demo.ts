/**
 * `npm start`: the explorer on the bundled samples. The samples are imported once into a case
 * file in the temporary directory named by a hash of their content and of the build that imports
 * them (dist/ and the schema in db/), so a later start reuses it, and a change to samples/ or an
 * upgrade of mfatrail (a new schema version, a changed rule) builds a fresh one. The case file is
 * built under a temporary name and renamed when complete, so an interrupted first start is never
 * mistaken for a finished import.
 */
import './terminal-env.js';
import {toolVersion, unsupportedNode} from './package-root.js';

// As cli.tsx: an older Node is told so before SQLite's addon is loaded (it may crash there).
const unsupported = unsupportedNode();
if (unsupported) {
	process.stderr.write(`${unsupported}\n`);
	process.exit(5);
}

const {default: crypto} = await import('node:crypto');
const {default: fs} = await import('node:fs');
const {default: os} = await import('node:os');
const {default: path} = await import('node:path');
const {fileURLToPath} = await import('node:url');
const {openCaseFile} = await import('./db/open.js');
const {importEvidence} = await import('./pipeline.js');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const samplesDir = path.join(root, 'samples');

function filesUnder(dir: string): string[] {
	return fs
		.readdirSync(dir, {withFileTypes: true})
		.flatMap(e => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : []))
		.sort();
}

/** The samples and the build that imports them (dist/, db/), hashed by path and content. */
function samplesHash(files: string[]): string {
	const hash = crypto.createHash('sha256');
	for (const file of [...files, ...filesUnder(path.join(root, 'dist')), ...filesUnder(path.join(root, 'db'))]) {
		hash.update(path.relative(root, file));
		hash.update('\0');
		hash.update(fs.readFileSync(file));
		hash.update('\0');
	}
	return hash.digest('hex').slice(0, 16);
}

async function demo(): Promise<number> {
	if (!fs.existsSync(samplesDir)) {
		process.stderr.write(`mfatrail: no samples folder at ${samplesDir}\n`);
		return 1;
	}
	const files = filesUnder(samplesDir);
	const caseFile = path.join(os.tmpdir(), `mfatrail-samples-${samplesHash(files)}.db`);
	if (!fs.existsSync(caseFile)) {
		const building = `${caseFile}.${process.pid}.tmp`;
		const db = openCaseFile(building);
		try {
			const summary = await importEvidence(db, [samplesDir], {argv: ['import', samplesDir], toolVersion: toolVersion()});
			const {files: f, records: r} = summary;
			process.stderr.write(`imported samples: ${f.imported} files, ${r.inserted} records (${r.rejected} rejected)\n`);
			db.pragma('wal_checkpoint(TRUNCATE)');
		} finally {
			db.close();
		}
		fs.renameSync(building, caseFile);
		for (const suffix of ['-wal', '-shm']) fs.rmSync(`${building}${suffix}`, {force: true});
	}
	const {interactive, runExplorer} = await import('./ui/run.js');
	if (!interactive()) {
		process.stdout.write(
			`The samples are in the case file ${caseFile}.\n` +
				`The explorer needs a terminal; from one, run:  node dist/cli.js --db ${caseFile}\n` +
				`In scripts use the --json commands, e.g.:  node dist/cli.js --help\n`,
		);
		return 0;
	}
	const db = openCaseFile(caseFile, {readonly: true});
	try {
		return await runExplorer(db);
	} finally {
		db.close();
	}
}

process.exitCode = await demo();
