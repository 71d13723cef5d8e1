/**
 * The canonical mean face that alignment maps every face onto: 68 landmark points (face-api's
 * iBUG-68 order: jaw 0-16, brows 17-26, nose 27-35, eyes 36-47, mouth 48-67) in face units:
 * the template is 1 wide (jaw to jaw) and centred on its bounding box, y pointing down.
 *
 *   TEMPLATE_68[30]        // the nose tip
 *   ALIGN_POINTS           // 17..47: brows, nose, eyes: what alignment fits (jaw and mouth move with pose and speech)
 *
 * Derived, not hand-made: the generalised-Procrustes mean of the 22 faces that SsdMobilenetv1 and
 * the 68-point net find in face-api's six demo photos (see `meanShape` in umeyama.ts; a test
 * recomputes it and checks these numbers).
 */
import type { Point } from '../util/geometry.ts';

export const TEMPLATE_68: readonly Point[] = Object.freeze([
  [-0.5, -0.271], [-0.485, -0.1394], [-0.4545, -0.0146], [-0.4178, 0.0903],
  [-0.3669, 0.2078], [-0.2953, 0.2985], [-0.2207, 0.3665], [-0.1275, 0.4406],
  [0.017, 0.4764], [0.1578, 0.4273], [0.2552, 0.3498], [0.3342, 0.2792],
  [0.4022, 0.1741], [0.453, 0.0553], [0.476, -0.0588], [0.5, -0.1798],
  [0.4979, -0.3121], [-0.4292, -0.3966], [-0.3749, -0.445], [-0.3079, -0.4536],
  [-0.2401, -0.4431], [-0.1763, -0.4191], [0.0734, -0.4323], [0.1354, -0.4576],
  [0.2133, -0.4764], [0.2962, -0.4698], [0.3616, -0.4268], [-0.0466, -0.2609],
  [-0.0462, -0.1628], [-0.0497, -0.0751], [-0.0541, 0.0064], [-0.1113, 0.0439],
  [-0.0791, 0.062], [-0.035, 0.0725], [0.014, 0.0564], [0.0532, 0.045],
  [-0.3287, -0.2855], [-0.29, -0.3031], [-0.225, -0.3046], [-0.1647, -0.2738],
  [-0.2136, -0.2498], [-0.2827, -0.2542], [0.095, -0.2803], [0.1524, -0.319],
  [0.2186, -0.3203], [0.267, -0.2995], [0.2192, -0.2649], [0.1515, -0.2666],
  [-0.1875, 0.1866], [-0.1356, 0.1679], [-0.0675, 0.1529], [-0.0271, 0.1575],
  [0.0123, 0.1464], [0.1021, 0.1668], [0.178, 0.1822], [0.1048, 0.2491],
  [0.0431, 0.2886], [-0.021, 0.3014], [-0.0731, 0.2947], [-0.1333, 0.2633],
  [-0.1778, 0.1915], [-0.0773, 0.1898], [-0.022, 0.1924], [0.034, 0.1893],
  [0.1592, 0.1832], [0.0352, 0.2276], [-0.0213, 0.238], [-0.0723, 0.2326],
] as Point[]);

/**
 * Indices alignment fits: brows, nose and eyes. The jaw moves with head pose and the mouth with
 * speech and expression; fitting them would make the crop wobble as the person talks.
 */
export const ALIGN_POINTS: readonly number[] = Object.freeze(Array.from({ length: 31 }, (_, i) => i + 17));

