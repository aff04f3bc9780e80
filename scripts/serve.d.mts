import type { Server } from 'node:http';
/** The CSP the demo runs under. */
export const CSP: string;
/** Serves `root` (default: the package root) on `port` (0: any free port). */
export function serve(root?: string, port?: number): Promise<Server>;
