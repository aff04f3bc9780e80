// Loading the core: its builds, their embedded bytes, SIMD detection, compiling and
// instantiating. The one module that imports @assemblyscript/loader (scripts/vendor-loader.mjs
// points dist/core/load.js at the vendored copy) and the one that compiles modules.
// Invariant: each build is compiled at most once per process and every instance of it
// shares that module (a failed compile is forgotten, so that a later call tries again);
// no exported declaration names a lib type a consumer's lib may lack.

import { instantiate, instantiateSync } from '@assemblyscript/loader';
import { rangeError, stateError } from '../errors.js';
import type { CoreExports } from '../wasm/exports.js';
import { wasmBase64 as scalarBase64 } from '../wasm/scalar.js';
import { wasmBase64 as simdBase64 } from '../wasm/simd.js';

/** A build of the core: a variant, or `shared` (the SIMD build over an imported shared memory, for a sharded book's shards). */
export type Build = Variant | 'shared';

/**
 * Which build of the core to run. `simd`: optimized, 128-bit SIMD in the hot
 * passes (the default wherever WebAssembly SIMD runs). `scalar`: optimized,
 * no SIMD. `debug-simd` / `debug-scalar`: the same kernels with their
 * invariants checked at run time (a violation throws); slower.
 */
export type Variant = 'simd' | 'scalar' | 'debug-simd' | 'debug-scalar';

/** Every variant, in the order tests run them. */
export const VARIANTS: readonly Variant[] = ['simd', 'scalar', 'debug-simd', 'debug-scalar'];

const modules = new Map<Build, Promise<WebAssembly.Module>>();
/** The builds compiled so far, for instantiating with no wait (`instantiateCoreSync`). */
const compiled = new Map<Build, WebAssembly.Module>();

/** Decodes base64 without Node's Buffer, so the same code runs in browsers. */
function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The embedded bytes of a build; the debug and shared builds load only when asked for. */
function bytesOf(variant: Build): Promise<string> {
  switch (variant) {
    case 'shared': return import('../wasm/shared.js').then((m) => m.wasmBase64);
    case 'simd': return Promise.resolve(simdBase64);
    case 'scalar': return Promise.resolve(scalarBase64);
    case 'debug-simd': return import('../wasm/debug-simd.js').then((m) => m.wasmBase64);
    case 'debug-scalar': return import('../wasm/debug-scalar.js').then((m) => m.wasmBase64);
  }
}

/** The WebAssembly bytes of a variant, as embedded (what the report hashes). */
export async function coreBytes(variant: Build): Promise<Uint8Array<ArrayBuffer>> {
  return decodeBase64(await bytesOf(variant));
}

/** Whether the SIMD build validates here: decided once per process (`simdSupported`). */
let simd: boolean | undefined;

/**
 * Whether this runtime runs WebAssembly SIMD: validates the SIMD build itself, once
 * per process (validating retains native memory, and the answer cannot change).
 */
export function simdSupported(): boolean {
  simd ??= WebAssembly.validate(decodeBase64(simdBase64));
  return simd;
}

/** Compiles a build once per process; every engine instantiates the same module. */
function compile(variant: Build): Promise<WebAssembly.Module> {
  let module = modules.get(variant);
  if (module === undefined) {
    module = bytesOf(variant).then((text) => WebAssembly.compile(decodeBase64(text))).then((done) => {
      compiled.set(variant, done);
      return done;
    });
    modules.set(variant, module);
    module.catch(() => modules.delete(variant));
  }
  return module;
}

/**
 * Instantiates a fresh instance of the given build and returns its exports (`shared`:
 * over a new shared memory of up to `maximumPages` of 64 KiB). ERR_UNSUPPORTED when this
 * runtime cannot compile or instantiate it, ERR_MEMORY when it cannot give it its memory.
 */
export async function instantiateCore(variant: Build, maximumPages: number): Promise<CoreExports> {
  try {
    // `maximumPages` (of 64 KiB) bounds the shared memory: 4 GiB, the most a 32-bit core can address, unless told less.
    const imports = variant === 'shared'
      ? { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: maximumPages, shared: true }) } }
      : {};
    return (await instantiate<CoreExports>(await compile(variant), imports)).exports;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw error instanceof RangeError
      ? rangeError('ERR_MEMORY', `cannot give the '${variant}' core its memory: ${reason}`, { cause: error })
      : stateError('ERR_UNSUPPORTED', `this runtime cannot run the '${variant}' core: ${reason}`, { cause: error });
  }
}

/**
 * Instantiates the SIMD or scalar build at once, with no wait (an account file's table is
 * made by a synchronous constructor): compiled now unless an engine compiled it already
 * (a Web Worker and Node may compile a module of any size synchronously). ERR_UNSUPPORTED
 * when this runtime cannot.
 */
export function instantiateCoreSync(variant: Variant): CoreExports {
  try {
    let module = compiled.get(variant);
    if (module === undefined) {
      if (variant !== 'simd' && variant !== 'scalar') throw new Error(`the '${variant}' build loads only asynchronously`);
      module = new WebAssembly.Module(decodeBase64(variant === 'simd' ? simdBase64 : scalarBase64));
      compiled.set(variant, module);
      if (!modules.has(variant)) modules.set(variant, Promise.resolve(module));
    }
    return instantiateSync<CoreExports>(module, {}).exports;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw stateError('ERR_UNSUPPORTED', `this runtime cannot run the '${variant}' core: ${reason}`, { cause: error });
  }
}
