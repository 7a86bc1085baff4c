/**
 * The one place that runs an import end to end: the evidence into the case file (import/), then
 * the MFA model (model/), then the findings (findings/). The CLI, the demo and the tests all come
 * through here; import/ itself never calls the layers above it.
 */
import type {CaseFile} from './db/open.js';
import {refreshPivotValues} from './db/pivot-values.js';
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
	// An interrupted import keeps what it committed; the model catches up on the next run.
	if (summary.interrupted) return summary;
	refreshModel(db);
	phases.mark('model');
	refreshFindings(db, options.thresholds);
	phases.mark('findings');
	const sigma = refreshSigma(db);
	if (sigma) phases.mark('sigma');
	phases.report(summary.records.seen);
	return sigma ? Object.assign(summary, {sigma: {loaded: sigma.loaded.length, unsupported: sigma.unsupported, findings: sigma.findings.length}}) : summary;
}
