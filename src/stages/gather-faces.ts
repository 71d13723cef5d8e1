/**
 * Stage `gather-faces`: one identity's aligned faces (and their masks) from several
 * extractions, in one folder, so a model trains on every video of a person. Files are hard
 * links where the file system allows (no copies), named `<input>_<file>` so names never clash.
 * Its spec (version, params, inputs, outputs) is in registry.ts; this file loads when the stage runs.
 *
 *   - name: faces-alice
 *     kind: gather-faces
 *     inputs: { v1: "@extract-alice-01.faces", v2: "@extract-alice-02.faces" }   # any names
 *     outputs: { faces: identities/alice/faces, masks: identities/alice/masks }
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StageImplementation } from '../dag/stage-kind.ts';
import { linkOrCopy, withAtomicPath } from '../util/atomic-write.ts';
import type { NoParams } from './registry.ts';
import { faultPoint } from '../util/fault-point.ts';

export const gatherFacesStage: StageImplementation<NoParams> = {
  async run(ctx) {
    const names = Object.keys(ctx.inputs).sort();
    if (!names.length) throw new Error(`stage ${ctx.name}: expected at least one faces folder as input`);
    let count = 0;
    await withAtomicPath(ctx.outputs.faces!, async (facesTmp) => {
      await withAtomicPath(ctx.outputs.masks!, async (masksTmp) => {
        mkdirSync(facesTmp, { recursive: true });
        mkdirSync(masksTmp, { recursive: true });
        for (const name of names) {
          const dir = ctx.inputs[name]!;
          const masks = join(dirname(dir), 'masks');
          for (const f of readdirSync(dir).filter((x) => x.endsWith('.png')).sort()) {
            linkOrCopy(join(dir, f), join(facesTmp, `${name}_${f}`));
            if (existsSync(join(masks, f))) linkOrCopy(join(masks, f), join(masksTmp, `${name}_${f}`));
            count++;
            faultPoint('gather.faces');
          }
        }
      });
    });
    ctx.log(`${count} faces from ${names.length} extraction(s)`);
  },
};
