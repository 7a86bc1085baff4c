import type Database from 'better-sqlite3';

/** A source whose import was interrupted between two of its parts (status 'importing'). */
export interface StoredResume {
	sourceId: number;
	path: string;
	member: string | null;
	/** Content offset of the next record. */
	byteOffset: number;
	/** Record index of the next record. */
	position: number;
	/** The reader's own state (JSON), written with the last committed part. */
	state: string;
}

/** Every interrupted streamed source of the case file, to continue where its last part ended. */
export function resumePoints(db: Database.Database): StoredResume[] {
	return db
		.prepare(
			`SELECT id AS sourceId, path, member, resume_offset AS byteOffset, resume_position AS position, resume_state AS state
			FROM source WHERE status = 'importing' AND resume_state IS NOT NULL ORDER BY id`,
		)
		.all() as StoredResume[];
}
