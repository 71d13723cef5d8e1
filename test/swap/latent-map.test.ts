/**
 * The latent map: PCA finds the directions the vectors spread along, groups that differ land
 * apart on the first component, and the SVG has a dot per vector.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { latentMapSvg, pca2 } from '../../src/swap/latent-map.ts';
import { rng } from '../helpers/numbers.ts';

const test = suite('swap/latent-map');

test('two clouds apart along one axis separate on PC1; the variance shares add up; one dot per vector', () => {
  const r = rng(4);
  const cloud = (centre: number, n: number) => Array.from({ length: n }, () => Float32Array.from({ length: 16 }, (_, i) => (i === 3 ? centre : 0) + (r() - 0.5) * 0.2));
  const map = pca2([{ label: 'A', vectors: cloud(-2, 20) }, { label: 'B', vectors: cloud(2, 15) }, { label: 'A→B', vectors: cloud(1.5, 5) }]);
  const pc1 = (g: number) => map.groups[g]!.points.map((p) => p[0]);
  const [a, b] = [pc1(0), pc1(1)];
  const apart = Math.max(...a) < Math.min(...b) || Math.max(...b) < Math.min(...a);
  assert.ok(apart, 'A and B on either side along PC1');
  assert.ok(map.explained[0] > 0.8 && map.explained[0] + map.explained[1] <= 1 + 1e-9, `explained ${map.explained}`);
  const svg = latentMapSvg(map);
  assert.is((svg.match(/<circle /g) ?? []).length, 40);
  assert.match(svg, /PC1 \(\d+% of the variance\)/);
  assert.throws(() => pca2([{ label: 'x', vectors: cloud(0, 2) }]), /at least 3 vectors/);
});

test.run();
