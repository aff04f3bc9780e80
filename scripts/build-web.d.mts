/** Builds the workbench page (web/) into `outDir` (default build/web); resolves to it. */
export function buildWeb(outDir?: string): Promise<string>;
