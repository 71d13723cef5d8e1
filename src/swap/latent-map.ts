/**
 * A 2-D map of the encoder's latent space (the dimensionality-reduction view the autoencoder
 * lecture ends on): PCA of the latent vectors of A's faces, B's faces and A's swapped faces,
 * projected on the first two principal components of all of them, drawn as an SVG scatter.
 *
 *   const map = pca2([{ label: 'A', vectors: za }, { label: 'B', vectors: zb }, { label: 'A→B', vectors: zs }]);
 *   map.explained          // share of the variance the two components hold
 *   latentMapSvg(map)      // '<svg …>'
 */

export interface LatentGroup {
  label: string;
  vectors: Float32Array[];
}

export interface LatentMap {
  groups: Array<{ label: string; points: Array<[number, number]> }>;
  /** Share of the total variance along each of the two components. */
  explained: [number, number];
}

/** Top principal component of centred rows (power iteration), orthogonal to `not` when given. */
function component(rows: Float64Array[], dims: number, not: Float64Array | null): { v: Float64Array; variance: number } {
  let v = new Float64Array(dims).map((_, i) => 1 / Math.sqrt(dims) + (i % 7) * 1e-3);
  let variance = 0;
  for (let it = 0; it < 200; it++) {
    const next = new Float64Array(dims);
    for (const r of rows) {
      let dot = 0;
      for (let i = 0; i < dims; i++) dot += r[i]! * v[i]!;
      for (let i = 0; i < dims; i++) next[i]! += dot * r[i]!;
    }
    if (not) {
      let d = 0;
      for (let i = 0; i < dims; i++) d += next[i]! * not[i]!;
      for (let i = 0; i < dims; i++) next[i]! -= d * not[i]!;
    }
    const norm = Math.hypot(...next);
    if (norm === 0) break;
    variance = norm / rows.length;
    const prev = v;
    v = next.map((x) => x / norm);
    let change = 0;
    for (let i = 0; i < dims; i++) change += Math.abs(v[i]! - prev[i]!);
    if (change < 1e-9) break;
  }
  return { v, variance };
}

export function pca2(groups: readonly LatentGroup[]): LatentMap {
  const all = groups.flatMap((g) => g.vectors);
  if (all.length < 3) throw new Error(`a latent map needs at least 3 vectors, got ${all.length}`);
  const dims = all[0]!.length;
  const mean = new Float64Array(dims);
  for (const v of all) for (let i = 0; i < dims; i++) mean[i]! += v[i]! / all.length;
  const rows = all.map((v) => Float64Array.from(v, (x, i) => x - mean[i]!));
  const total = rows.reduce((s, r) => s + r.reduce((t, x) => t + x * x, 0), 0) / rows.length;
  const c1 = component(rows, dims, null);
  const c2 = component(rows, dims, c1.v);
  const project = (v: Float32Array): [number, number] => {
    let a = 0;
    let b = 0;
    for (let i = 0; i < dims; i++) {
      const x = v[i]! - mean[i]!;
      a += x * c1.v[i]!;
      b += x * c2.v[i]!;
    }
    return [a, b];
  };
  return { groups: groups.map((g) => ({ label: g.label, points: g.vectors.map(project) })), explained: [total ? c1.variance / total : 0, total ? c2.variance / total : 0] };
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

export function latentMapSvg(map: LatentMap, width = 480, height = 360): string {
  const pts = map.groups.flatMap((g) => g.points);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const pad = 30;
  const sx = (x: number) => pad + ((x - x0) / (x1 - x0 || 1)) * (width - 2 * pad);
  const sy = (y: number) => height - pad - ((y - y0) / (y1 - y0 || 1)) * (height - 2 * pad);
  const dots = map.groups
    .map((g, i) => g.points.map(([x, y]) => `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3.5" fill="${COLOURS[i % COLOURS.length]}" fill-opacity="0.75"/>`).join(''))
    .join('');
  const legend = map.groups.map((g, i) => `<text x="${pad + i * 110}" y="16" font-size="13" fill="${COLOURS[i % COLOURS.length]}">● ${g.label.replace(/[<&>]/g, '')} (${g.points.length})</text>`).join('');
  const axes = `<text x="${width / 2}" y="${height - 6}" font-size="11" text-anchor="middle">PC1 (${(map.explained[0] * 100).toFixed(0)}% of the variance)</text><text x="10" y="${height / 2}" font-size="11" transform="rotate(-90 10 ${height / 2})" text-anchor="middle">PC2 (${(map.explained[1] * 100).toFixed(0)}%)</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="100%" height="100%" fill="#fff" stroke="#ccc"/>${legend}${dots}${axes}</svg>`;
}
