/**
 * The one place that runs an import end to end: the evidence into the case file (import/), then
 * the MFA model (model/), then the findings (findings/). The CLI, the demo and the tests all come
 * through here; import/ itself never calls the layers above it.
 */
import type {CaseFile} from './db/open.js';
import {refreshPivotValues} from './db/pivot-values.js';
import {markLastRunInterrupted} from './db/store.js';
import {ModelRowsCollector} from './findings/load.js';
import {refreshFindings} from './findings/refresh.js';
import {refreshSigma} from './findings/sigma.js';
import type {Thresholds} from './findings/types.js';
import {importPaths, type ImportOptions, type ImportSummary} from './import/index.js';
import {Phases} from './lib/phases.js';
import {refreshModel} from './model/refresh.js';

export type {ImportOptions, ImportProgress, ImportSummary} from './import/index.js';

/** What an import did, and the Sigma rules saved with the case run again over it (mfatrail sigma --save). */
export type PipelineSummary = ImportSummary & {sigma?: {loaded: number; unsupported: {path: string; reason: string}[]; findings: number}};

export async function importEvidence(db: CaseFile, inputs: string[], options: ImportOptions & {thresholds?: Thresholds} = {}): Promise<PipelineSummary> {
	const phases = options.phases ?? new Phases();
	const summary = await importPaths(db, inputs, {...options, phases});
	// Search's distinct keys, IPs and user agents, over what was committed (even when interrupted).
	refreshPivotValues(db);
	phases.mark('pivot values');
	// An interrupted import keeps what it committed; the model, findings and Sigma catch up on the
	// next run. A stop asked for after the evidence was loaded is honoured between these phases too
	// (the exit status says the import was stopped, as it does during the load).
	const stopped = () => {
		if (!options.signal?.aborted) return false;
		if (!summary.interrupted) {
			summary.interrupted = true;
			markLastRunInterrupted(db);
		}
		return true;
	};
	if (summary.interrupted || stopped()) return summary;
	// A full rebuild hands the rows it derived to the findings, which then need not read them back.
	let collector: ModelRowsCollector | undefined = new ModelRowsCollector(db);
	const model = refreshModel(db, {onRecords: collector.add});
	phases.mark('model');
	if (stopped()) return summary;
	const rows = model?.mode === 'full' ? collector : undefined;
	collector = undefined;
	refreshFindings(db, options.thresholds, {rows: rows && (() => rows.rows(db))});
	phases.mark('findings');
	if (stopped()) return summary;
	const sigma = refreshSigma(db);
	if (sigma) phases.mark('sigma');
	phases.report(summary.records.seen);
	return sigma ? Object.assign(summary, {sigma: {loaded: sigma.loaded.length, unsupported: sigma.unsupported, findings: sigma.findings.length}}) : summary;
}
