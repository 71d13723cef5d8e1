/**
 * The seeded random generator (xoshiro128**, 32-bit) and the one seeded shuffle. Its whole
 * state is four numbers, so a checkpoint can store it and a resumed run draws exactly the
 * batches and augmentations an uninterrupted one would; benchmark splits and pairs shuffle
 * with it.
 *
 *   const r = Rng.fromSeed(42);
 *   r.next();          // [0, 1)
 *   r.normal();        // N(0, 1)
 *   r.shuffle(['a', 'b', 'c'])   // Fisher-Yates, in place: the same order for the same seed
 *   const saved = r.state();  Rng.fromState(saved)   // continues the same stream
 */
export class Rng {
  private constructor(private s: Uint32Array) {}

  static fromSeed(seed: number): Rng {
    // splitmix32 to spread the seed over the state
    let x = seed >>> 0;
    const s = new Uint32Array(4);
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if (s.every((v) => v === 0)) s[0] = 1;
    return new Rng(s);
  }

  static fromState(state: readonly number[]): Rng {
    if (state.length !== 4) throw new Error(`expected 4 numbers of RNG state, got ${state.length}`);
    return new Rng(Uint32Array.from(state));
  }

  state(): number[] {
    return Array.from(this.s);
  }

  /** A uniform 32-bit integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Shuffle `items` in place (Fisher-Yates, from the last item down) and return it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
