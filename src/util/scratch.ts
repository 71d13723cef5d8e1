/**
 * Typed arrays reused from one call of a synchronous hot loop to the next (compositing a face
 * on every frame allocated 3 MB of them: garbage collection and fresh pages' faults cost more
 * than the work). A scratch array is the caller's only until it returns: never keep one or hand
 * it to anything asynchronous, and return one only from a function that says so (its result
 * valid until its next call, as composite.ts's pixelsRead).
 *
 *   const seen = scratch('composite.seen', Uint8Array, size * size);        // zero-filled
 *   const sums = scratch('feather.sums', Float64Array, width, false);        // whatever the last call left
 */
type Typed = Uint8Array | Float32Array | Float64Array;
type Ctor<T extends Typed> = { new (length: number): T };

const arrays = new Map<string, Typed>();

export function scratch<T extends Typed>(key: string, type: Ctor<T>, length: number, zero = true): T {
  let a = arrays.get(key);
  if (!(a instanceof type) || a.length < length) {
    a = new type(length);
    arrays.set(key, a);
    return a as T; // fresh: already zero
  }
  const view = (a.length === length ? a : a.subarray(0, length)) as T;
  if (zero) view.fill(0);
  return view;
}
