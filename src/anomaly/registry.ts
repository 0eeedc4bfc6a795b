// Detector kinds by name. Adding a detector = one file + one line here (+ its tests and docs).
import { validationError } from '../errors.js';
import type { Detector, DetectorKind, DetectorState } from './detector.js';
import { records, type RecordsOptions } from './records.js';
import { zscore, type ZscoreOptions } from './zscore.js';

/** Every detector kind; the type lists each kind's options so a missing entry fails tsc. */
export const detectors: { records: DetectorKind<RecordsOptions>; zscore: DetectorKind<ZscoreOptions> } = {
  records,
  zscore,
};

export type DetectorName = keyof typeof detectors;

/** The detector production uses unless a series asks for another (best NAB score at the lowest cost). */
export const DEFAULT_DETECTOR: DetectorName = 'records';

export const detectorNames = (): DetectorName[] => Object.keys(detectors) as DetectorName[];

export const isDetectorName = (name: string): name is DetectorName => Object.hasOwn(detectors, name);

/** Creates a detector by name; options are validated by the kind (unknown keys rejected, field named). */
export function createDetector(name: string, options?: Record<string, number>): Detector {
  if (!isDetectorName(name)) throw validationError('detector', `unknown detector '${name}' (have ${detectorNames().join(', ')})`);
  // Each kind validates its own option names at run time (resolveOptions), so a loose record is safe here.
  const kind: { create(options?: Record<string, number>): Detector } = detectors[name];
  return kind.create(options);
}

/** Rebuilds a detector from its snapshot (the kind is read from the state). */
export function restoreDetector(state: DetectorState): Detector {
  if (!isDetectorName(state.kind)) throw validationError('state.kind', `unknown detector '${state.kind}'`);
  return detectors[state.kind].restore(state);
}
