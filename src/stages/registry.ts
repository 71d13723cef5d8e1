/**
 * Every stage kind a pipeline file may name. `src/stages/` wires domain code into the DAG;
 * the DAG itself (`src/dag/`) knows none of them.
 *
 *   stageRegistry.names()   // ['composite', 'compress-ladder', 'extract', 'gather-faces', 'probe-video', 'sample-clip', 'swap', …]
 */
import { StageRegistry } from '../dag/stage-kind.ts';
import { compositeStage } from './composite.ts';
import { compressLadderStage } from './compress-ladder.ts';
import { extractStage } from './extract.ts';
import { gatherFacesStage } from './gather-faces.ts';
import { probeVideoStage } from './probe-video.ts';
import { sampleClipStage } from './sample-clip.ts';
import { swapMetricsStage } from './swap-metrics.ts';
import { swapReportStage } from './swap-report.ts';
import { swapStage } from './swap.ts';
import { trainStage } from './train.ts';

export const stageRegistry = new StageRegistry()
  .register(extractStage)
  .register(probeVideoStage)
  .register(sampleClipStage)
  .register(trainStage)
  .register(swapStage)
  .register(compositeStage)
  .register(swapMetricsStage)
  .register(swapReportStage)
  .register(gatherFacesStage)
  .register(compressLadderStage);
