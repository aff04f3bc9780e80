import type { Server } from 'node:http';
/** The CSP the page runs under. */
export const CSP: string;
/** Serves `root` (default: build/web, the built page) on `port` (0: any free port). */
export function serve(root?: string, port?: number): Promise<Server>;
