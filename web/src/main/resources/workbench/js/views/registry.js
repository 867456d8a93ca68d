// Every view of the workbench, by area. A view module's default export is
//   {id, title, group, wide?, mount(body, ctx, setSubtitle) -> {update(state, changed), snapshot(), data()}}
// where update() is told which selection keys changed ('run' when a prompt's run arrives),
// snapshot() returns a canvas for the PNG export and data() what the JSON export saves.
// The probe and audit areas add their groups and views here; the shell needs no other change.

import activations from './activations.js';
import generation from './generation.js';
import overview from './overview.js';
import pattern from './pattern.js';
import predictions from './predictions.js';
import query from './query.js';
import tokens from './tokens.js';

export const groups = [
  {id: 'explore', title: 'Explore a prompt'},
];

export const views = [tokens, overview, pattern, query, predictions, activations, generation];
