/**
 * Pipeline files: validation errors name the file, the stage and the key; --set overrides;
 * template fan-out over a list, a param and a CSV manifest; cycles and bad references.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { interpolate } from '../../src/dag/interpolate.ts';
import { loadPipeline } from '../../src/dag/load-pipeline.ts';
import { StageRegistry } from '../../src/dag/stage-kind.ts';
import { UserError } from '../../src/util/errors.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { registerToyKinds } from './toy-kinds.ts';

const test = suite('dag/load-pipeline');
const tmp = tempDir('pipeline');
const registry = registerToyKinds(new StageRegistry());
test.after(() => tmp.cleanup());

let n = 0;
function file(yaml: string): string {
  const f = join(tmp.dir, `p${n++}.yaml`);
  writeFileSync(f, yaml);
  return f;
}

async function fails(yaml: string | string, pattern: RegExp, sets?: string[]): Promise<void> {
  const f = yaml.endsWith('.yaml') ? yaml : file(yaml);
  try {
    await loadPipeline(f, registry, { sets, cwd: tmp.dir });
  } catch (err) {
    assert.instance(err, UserError, (err as Error).stack);
    assert.match((err as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected an error matching ${pattern}`);
}

const BASE = `
name: toy
params: { count: 3, tag: x }
stages:
  - name: gen
    kind: toy-items
    params: { count: "\${params.count}", tag: "\${params.tag}" }
    outputs: { dir: items, index: index.txt }
  - name: join
    kind: toy-join
    inputs: { dir: "@gen.dir" }
    outputs: { out: joined.txt }
`;

test('a valid pipeline loads in dependency order with typed params', async () => {
  const p = await loadPipeline(file(BASE), registry, { cwd: tmp.dir });
  assert.equal(p.stages.map((s) => s.name), ['gen', 'join']);
  assert.equal(p.stages[0]!.params, { count: 3, tag: 'x', delayMs: 0 });
  assert.equal(p.stages[1]!.inputs.dir, { stage: 'gen', output: 'dir' });
  assert.equal(p.stages[1]!.upstream, ['gen']);
});

test('--set overrides pipeline params and stage params, parsed as YAML scalars', async () => {
  const p = await loadPipeline(file(BASE), registry, { sets: ['count=7', 'join.delayMs=5'], cwd: tmp.dir });
  assert.is(p.stages[0]!.params.count, 7);
  assert.is(p.stages[1]!.params.delayMs, 5);
  await fails(BASE, /--set cuont: .* has no param "cuont"/, ['cuont=3']);
  // names that reach an object's prototype: refused, never written (__proto__ was accepted silently)
  await fails(BASE, /--set __proto__: "__proto__" is not a param or stage name/, ['__proto__=1']);
  await fails(BASE, /--set gen\.constructor: "constructor" is not a param or stage name/, ['gen.constructor=1']);
  await fails(BASE, /--set __proto__\.x: "__proto__" is not a param or stage name/, ['__proto__.x=1']);
  await fails(BASE, /--set toString: .* has no param "toString"/, ['toString=1']);
  await fails(BASE, /has no stage "jion"/, ['jion.delayMs=3']);
  await fails(BASE, /expected key=value/, ['count']);
});

test('unknown keys name the file, the stage and the key', async () => {
  await fails(BASE.replace('inputs: { dir:', 'inptus: { dir:'), /p\d+\.yaml.*stage "join" \(stages\[1\]\).*unknown key "inptus"/);
  await fails(`nme: x\n${BASE}`, /p\d+\.yaml.*unknown key "nme"/);
});

test('a stage kind that does not exist lists the valid ones', async () => {
  await fails(BASE.replace('kind: toy-join', 'kind: toy-jion'), /stage "join": expected kind to be one of toy-copy\|toy-fail\|toy-items\|toy-join, got "toy-jion"/);
});

test('bad params of a kind name the stage and the key', async () => {
  await fails(BASE.replace('params: { count: "${params.count}", tag: "${params.tag}" }', 'params: { count: -1 }'), /stage "gen": params\.count: /);
  await fails(BASE.replace('params: { count: "${params.count}", tag: "${params.tag}" }', 'params: { count: 1, colour: red }'), /stage "gen": params.*colour/);
});

test('references to missing stages or outputs, and unknown variables, are named', async () => {
  await fails(BASE.replace('@gen.dir', '@gne.dir'), /stage "join": inputs\.dir: no stage "gne" \(stages: gen, join\)/);
  await fails(BASE.replace('@gen.dir', '@gen.folder'), /stage "join": inputs\.dir: stage "gen" has no output "folder" \(its outputs: dir, index\)/);
  await fails(BASE.replace('${params.tag}', '${params.tga}'), /unknown variable \$\{params\.tga\}/);
});

test('a cycle is an error that shows it', async () => {
  await fails(
    `
name: loop
stages:
  - { name: a, kind: toy-copy, inputs: { src: "@c.dst" }, outputs: { dst: a.txt } }
  - { name: b, kind: toy-copy, inputs: { src: "@a.dst" }, outputs: { dst: b.txt } }
  - { name: c, kind: toy-copy, inputs: { src: "@b.dst" }, outputs: { dst: c.txt } }
`,
    /the stages form a cycle: (a -> b -> c -> a|b -> c -> a -> b|c -> a -> b -> c)/,
  );
});

test('two stages writing one path, persist of a non-output, outputs outside the run folder', async () => {
  await fails(BASE.replace('out: joined.txt', 'out: index.txt'), /"index\.txt" is also an output of stage "gen"/);
  await fails(BASE.replace('outputs: { out: joined.txt }', 'outputs: { out: joined.txt }\n    persist: [ckpt]'), /persist names "ckpt"/);
  await fails(BASE.replace('out: joined.txt', 'out: ../escape.txt'), /expected a path inside the run folder/);
});

test('output paths after interpolation: not empty, the run folder, .janus/, absolute, .., nor nested in or holding another output', async () => {
  const out = (path: string) => BASE.replace('out: joined.txt', `out: "${path}"`);
  await fails(out(''), /outputs\.out: expected a path inside the run folder, got "" \(empty\)/);
  await fails(out('.'), /got "\." \(the run folder itself\)/);
  await fails(out('./'), /got "\.\/" \(the run folder itself\)/);
  await fails(out('.janus/state.db'), /got "\.janus\/state\.db" \(Janus's state folder\)/);
  await fails(out('/etc/passwd'), /got "\/etc\/passwd" \(absolute\)/);
  await fails(out('a/../../x'), /\(it climbs out with \.\.\)/);
  await fails(out('items/joined.txt'), /"items\/joined\.txt" lies inside the output "items" of stage "gen"/);
  await fails(BASE.replace('outputs: { dir: items, index: index.txt }', 'outputs: { dir: items, index: items/index.txt }'), /"items\/index\.txt" lies inside the output "items" of stage "gen"/);
  await fails(out('${params.tag}/..'), /climbs out/); // after interpolation
  // a param that interpolates to an empty path
  await fails(BASE.replace('out: joined.txt', 'out: "${params.empty}"').replace('params: { count: 3, tag: x }', 'params: { count: 3, tag: x, empty: "" }'), /got "" \(empty\)/);
});

test('stage and pipeline names: letters, digits, _ . - only, not . or ..; a foreach row that makes a bad name is named', async () => {
  await fails(BASE.replace('name: join', 'name: "a/b"'), /the stage name "a\/b" may hold only letters, digits, _ \. -/);
  await fails(BASE.replace('name: join', 'name: ".."'), /the stage name "\.\." cannot be \. or \.\./);
  await fails(BASE.replace('name: toy', 'name: ".."'), /name.*not \. or \.\./);
  writeFileSync(join(tmp.dir, 'rows.csv'), 'who\nalice\n../etc\n');
  await fails(
    `
name: rows
stages:
  - name: clip-\${item.who}
    foreach: { file: rows.csv }
    kind: toy-copy
    inputs: { src: rows.csv }
    outputs: { dst: "\${item.who}.txt" }
`,
    /\[item 1 \(row 3 of the foreach file\)\]: the item makes the stage name "clip-\.\.\/etc", which may hold only letters, digits/,
  );
});

test('template fan-out: over a list, over a param, over a CSV manifest', async () => {
  writeFileSync(join(tmp.dir, 'pairs.csv'), 'source,target\nalice,bob\ncarol,dave\nerin,frank\n');
  const p = await loadPipeline(
    file(`
name: fan
params: { names: [x, y] }
stages:
  - name: seed-\${item}
    foreach: \${params.names}
    kind: toy-items
    params: { count: 2, tag: "\${item}" }
    outputs: { dir: "seed/\${item}", index: "seed/\${item}.txt" }
  - name: pair-\${item.source}-\${item.target}
    foreach: { file: pairs.csv }
    kind: toy-copy
    params: { suffix: "\${item.target}" }
    inputs: { src: "@seed-x.index" }
    outputs: { dst: "pairs/\${item.source}-\${item.target}.txt" }
  - name: plain
    foreach: [1, 2]
    kind: toy-copy
    inputs: { src: "@seed-y.index" }
    outputs: { dst: "plain/\${item}.txt" }
`),
    registry,
    { cwd: tmp.dir },
  );
  assert.equal(p.stages.map((s) => s.name).sort(), ['pair-alice-bob', 'pair-carol-dave', 'pair-erin-frank', 'plain-0', 'plain-1', 'seed-x', 'seed-y']);
  const pair = p.stages.find((s) => s.name === 'pair-carol-dave')!;
  assert.is(pair.params.suffix, 'dave');
  assert.is(pair.outputs.dst, 'pairs/carol-dave.txt');
  assert.equal(pair.upstream, ['seed-x']);
});

test('nested references resolve innermost first: ${params.${item}}, ${params.map.${params.key}}', async () => {
  const f = file(`
name: nested
params:
  a: 2
  b: 5
  pick: b
  other: { a: b, b: a }
stages:
  - name: gen-\${item}
    foreach: [a, b]
    kind: toy-items
    params: { count: "\${params.\${item}}", tag: "t-\${params.other.\${item}}" }
    outputs: { dir: "\${item}/items", index: "\${item}/index.txt" }
  - name: join
    kind: toy-join
    inputs: { dir: "@gen-\${params.other.\${params.pick}}.dir" }
    outputs: { out: joined.txt }
`);
  const p = await loadPipeline(f, registry, { cwd: tmp.dir });
  const gen = Object.fromEntries(p.stages.filter((s) => s.kind === 'toy-items').map((s) => [s.name, s.params]));
  assert.is(gen['gen-a']!.count, 2, 'a whole ${…} keeps the number type');
  assert.is(gen['gen-b']!.count, 5);
  assert.is(gen['gen-a']!.tag, 't-b');
  assert.equal(p.stages.find((s) => s.name === 'join')!.inputs.dir, { stage: 'gen-a', output: 'dir' });
  const q = await loadPipeline(f, registry, { cwd: tmp.dir, sets: ['pick=a'] });
  assert.equal(q.stages.find((s) => s.name === 'join')!.inputs.dir, { stage: 'gen-b', output: 'dir' });
  await fails(f, /unknown variable \$\{params\.other\.c\} \(known names in params\.other: a, b\)/, ['pick=c']);
  // a substituted value is text: a "${" inside it is not a reference (no loops, no false errors)
  const vars = { params: { a: 'x${params.a}', dir: '/data/${odd}' } };
  assert.is(interpolate('p-${params.a}', vars, 'w'), 'p-x${params.a}');
  assert.is(interpolate('${params.dir}/v.mp4', vars, 'w'), '/data/${odd}/v.mp4');
});

test('a missing pipeline file and bad YAML are clear errors', async () => {
  await fails(join(tmp.dir, 'nope.yaml'), /pipeline file not found: .*nope\.yaml/);
  await fails('name: [unclosed\n', /not valid YAML/);
});

test.run();
