// Drawing and export helpers shared by the views: elements, colour scales, crisp canvases,
// visible whitespace in token labels, tokens laid out on a canvas, and downloads of PNG and JSON.

/** A DOM element with properties and children. */
export function element(tag, properties = {}, ...children) {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
}

/** A token's text with its whitespace made visible: · for a space, ↵ for a newline, → for a tab. */
export function visible(text) {
  return text.replace(/ /g, '·').replace(/\n/g, '↵').replace(/\t/g, '→').replace(/\r/g, '␍');
}

/** A token chip: the text with whitespace marks greyed, so the token's real characters stand out. */
export function tokenChip(token, extraClass = '') {
  const chip = document.createElement('span');
  chip.className = 'tok ' + extraClass;
  chip.dataset.index = token.index;
  for (const ch of token.text) {
    const shown = visible(ch);
    if (shown !== ch) {
      const mark = document.createElement('span');
      mark.className = 'ws';
      mark.textContent = shown;
      chip.append(mark);
    } else {
      chip.append(ch);
    }
  }
  if (token.text.length === 0) chip.append('∅');
  chip.title = `#${token.index} · id ${token.id} · ${JSON.stringify(token.token)}`;
  return chip;
}

const SEQUENTIAL = [[255, 255, 255], [198, 219, 239], [107, 174, 214], [33, 113, 181], [8, 48, 107]];

/** Attention weights and other [0, 1] values: white to deep blue. */
export function sequential(value) {
  const v = Math.min(1, Math.max(0, value)) * (SEQUENTIAL.length - 1);
  const i = Math.min(SEQUENTIAL.length - 2, Math.floor(v));
  const t = v - i;
  return SEQUENTIAL[i].map((c, k) => Math.round(c + (SEQUENTIAL[i + 1][k] - c) * t));
}

/**
 * Attention weights on a square-root scale: a head that spreads its attention over hundreds of
 * tokens (weights near 0.005) stays visible next to one that puts 0.9 on a single token.
 */
export const attentionColour = weight => sequential(Math.sqrt(Math.max(0, weight)));

/** Signed activations: blue below zero, white at zero, red above, saturating at ±scale. */
export function diverging(value, scale) {
  const v = scale > 0 ? Math.max(-1, Math.min(1, value / scale)) : 0;
  return v >= 0
    ? [255, Math.round(255 - 175 * v), Math.round(255 - 190 * v)]
    : [Math.round(255 + 190 * v), Math.round(255 + 120 * v), 255];
}

export const css = rgb => `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;

/** Readable text on a background colour. */
export const inkOn = rgb => (rgb[0] * 0.299 + rgb[1] * 0.587 + rgb[2] * 0.114) > 150 ? '#1d2330' : '#fff';

/** Sizes a canvas to width x height CSS pixels at the screen's pixel ratio; returns its 2D context. */
export function sizeCanvas(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = width + 'px';
  canvas.style.height = height + 'px';
  const context = canvas.getContext('2d');
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return context;
}

/** A legend strip for a colour scale from lo to hi. */
export function legend(label, colour, lo, hi) {
  const box = document.createElement('div');
  box.className = 'legend';
  const strip = document.createElement('canvas');
  const context = sizeCanvas(strip, 120, 10);
  for (let x = 0; x < 120; x++) {
    context.fillStyle = css(colour(lo + (hi - lo) * x / 119));
    context.fillRect(x, 0, 1, 10);
  }
  box.append(label + ' ' + format(lo), strip, format(hi));
  return box;
}

/**
 * Hover and click on the cells of a canvas: cellAt(event) finds the cell under the pointer (or
 * null), show(cell) tells the view which one is hovered (null: none) so it writes its readout,
 * select(cell) answers a click. The canvas is redrawn after every move, to outline the hovered
 * cell, and when the window resizes.
 */
export function trackCells(canvas, {cellAt, show, select, redraw}) {
  canvas.addEventListener('mousemove', event => { show(cellAt(event)); redraw(); });
  canvas.addEventListener('mouseleave', () => { show(null); redraw(); });
  canvas.addEventListener('click', event => {
    const cell = cellAt(event);
    if (cell) select(cell);
  });
  window.addEventListener('resize', () => redraw());
}

/** Fits text into width pixels on a canvas context, cutting it with … when it does not. */
export function fitText(context, text, width) {
  if (context.measureText(text).width <= width) return text;
  let cut = text;
  while (cut.length > 1 && context.measureText(cut + '…').width > width) cut = cut.slice(0, -1);
  return cut + '…';
}

export function format(value) {
  if (value === null || value === undefined) return '–';
  const magnitude = Math.abs(value);
  return magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e4) ? value.toExponential(3) : value.toFixed(4);
}

/**
 * Tokens drawn as wrapped text on a canvas, each on its own background colour: the PNG form of
 * the views that colour text (activations, generation).
 */
export function tokensCanvas(title, tokens, background) {
  const width = 900;
  const canvas = document.createElement('canvas');
  const measure = canvas.getContext('2d');
  const font = '13px ui-monospace, Menlo, Consolas, monospace';
  measure.font = font;
  const lineHeight = 22;
  const boxes = [];
  let x = 10;
  let y = 34;
  for (const token of tokens) {
    const label = visible(token.text) || '∅';
    const w = measure.measureText(label).width + 4;
    if (x + w > width - 10) {
      x = 10;
      y += lineHeight;
    }
    boxes.push({x, y, w, label, rgb: background(token)});
    x += w + 2;
    if (token.text.includes('\n')) {
      x = 10;
      y += lineHeight;
    }
  }
  const context = sizeCanvas(canvas, width, y + lineHeight + 6);
  context.fillStyle = '#fff';
  context.fillRect(0, 0, width, y + lineHeight + 6);
  context.fillStyle = '#1d2330';
  context.font = 'bold 13px system-ui, sans-serif';
  context.fillText(title, 10, 18);
  context.font = font;
  for (const box of boxes) {
    context.fillStyle = css(box.rgb);
    context.fillRect(box.x, box.y, box.w, lineHeight - 4);
    context.fillStyle = inkOn(box.rgb);
    context.fillText(box.label, box.x + 2, box.y + 13);
  }
  return canvas;
}

export function download(filename, blob) {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

export function downloadCanvas(filename, canvas) {
  canvas.toBlob(blob => download(filename, blob), 'image/png');
}

export function downloadJson(filename, data) {
  download(filename, new Blob([JSON.stringify(data, null, 2)], {type: 'application/json'}));
}
