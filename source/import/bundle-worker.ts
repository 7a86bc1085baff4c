/** What the portable bundle's one file (source/bundle.ts) is started with to run as the import's worker thread. */
export const bundleWorkerArgument = '--mfatrail-import-worker';
