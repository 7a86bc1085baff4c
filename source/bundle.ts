/**
 * Entry of the portable bundle (scripts/pack.mjs): one file is both the CLI and the import's
 * worker thread (source/import/pool.ts starts this same file as the worker, with the argument
 * below), so nothing else has to sit beside it. Told by an argument rather than by
 * worker_threads' isMainThread: loading worker_threads (and Node's streams with it) is time
 * every `--version` would pay.
 */
import {bundleWorkerArgument} from './import/bundle-worker.js';

if (process.argv[2] === bundleWorkerArgument) await import('./import/worker.js');
else await import('./cli.js');
