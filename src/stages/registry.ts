/**
 * Every stage kind a pipeline file may name. `src/stages/` wires domain code into the DAG;
 * the DAG itself (`src/dag/`) knows none of them.
 *
 *   stageRegistry.names()   // ['extract', 'probe-video', 'sample-clip', 'train']
 */
import { StageRegistry } from '../dag/stage-kind.ts';
import { extractStage } from './extract.ts';
import { probeVideoStage } from './probe-video.ts';
import { sampleClipStage } from './sample-clip.ts';
import { trainStage } from './train.ts';

export const stageRegistry = new StageRegistry().register(extractStage).register(probeVideoStage).register(sampleClipStage).register(trainStage);
