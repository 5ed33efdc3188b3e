/** The parts of the WebAssembly global the merge kernels use (engine/ sees Node's types, not the DOM's). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmGlobal {
  value: unknown;
}

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

export const WASM_PAGE_BYTES = 65536;

/**
 * Instantiates one of the generated modules (`<name>Wasm.ts`, its bytes as base64), compiled once per
 * thread: a new instance, with its own memory, per call. Undefined where the runtime cannot compile it
 * (no WebAssembly, or no SIMD), so the caller runs its JavaScript path instead.
 */
export function wasmInstance<Exports>(base64: string): Exports | undefined {
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined) return undefined;
  let module = compiled.get(base64);
  if (module === undefined) {
    try {
      module = new api.Module(Buffer.from(base64, "base64"));
    } catch {
      module = null;
    }
    compiled.set(base64, module);
  }
  return module === null ? undefined : (new api.Instance(module).exports as Exports);
}

const compiled = new Map<string, object | null>();
