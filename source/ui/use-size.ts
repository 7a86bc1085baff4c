import {useStdout} from 'ink';
import {useEffect, useState} from 'react';

export interface Size {
	columns: number;
	rows: number;
}

/** Ink hands over a plain writable; a terminal's has columns and rows. */
type Output = NodeJS.WritableStream & {columns?: number; rows?: number};

function read(stdout: Output): Size {
	return {columns: stdout.columns || 80, rows: stdout.rows || 24};
}

/**
 * The terminal size, live. Not Ink's useWindowSize: without a size on stdout it asks the process's
 * own terminal, where a fixed 80x24 keeps renders to a pipe (tests, captures) the same everywhere.
 */
export function useSize(): Size {
	const {stdout} = useStdout();
	const [size, setSize] = useState(() => read(stdout));
	useEffect(() => {
		const onResize = () => setSize(read(stdout));
		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout]);
	return size;
}
