// Every view of the workbench, by area. A view module's default export is
//   {id, title, group, wide?, mount(body, ctx, setSubtitle) -> {update(state, changed), snapshot(), data()}}
// where update() is told which selection keys changed ('run' when a prompt's run arrives),
// snapshot() returns a canvas for the PNG export and data() what the JSON export saves.
// A new view is one module listed here (and its URL state keys in state.js); the shell needs no other change.

import activations from './activations.js';
import attribution from './attribution.js';
import auditCompare from './audit-compare.js';
import auditResults from './audit-results.js';
import auditRuns from './audit-runs.js';
import generation from './generation.js';
import lens from './lens.js';
import overview from './overview.js';
import pattern from './pattern.js';
import predictions from './predictions.js';
import probeScore from './probe-score.js';
import query from './query.js';
import saeAttribution from './sae-attribution.js';
import saeDashboard from './sae-dashboard.js';
import saeFeatures from './sae-features.js';
import saeSteer from './sae-steer.js';
import steering from './steering.js';
import sweeps from './sweeps.js';
import tokens from './tokens.js';

// prompt: whether the area reads the prompt box.
export const groups = [
  {id: 'explore', title: 'Explore a prompt', prompt: true},
  {id: 'sae', title: 'SAE features', prompt: true},
  {id: 'audits', title: 'Audits'},
  {id: 'probes', title: 'Probe sweeps'},
];

export const views = [tokens, overview, pattern, query, predictions, attribution, lens, activations, probeScore, generation,
  steering, saeFeatures, saeDashboard, saeAttribution, saeSteer, auditRuns, auditResults, auditCompare, sweeps];
