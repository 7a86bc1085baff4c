import {useStdout} from 'ink';
import {useEffect, useState} from 'react';

export interface Size {
	columns: number;
	rows: number;
}

function read(stdout: NodeJS.WriteStream): Size {
	return {columns: stdout.columns || 80, rows: stdout.rows || 24};
}

/** The terminal size, live: Ink 6 has no useWindowSize, so listen to stdout 'resize' ourselves. */
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
