// Bar charts on canvas, from the chart data the toxicity reports write (report.json): bars by
// category and series, grey bars for muted ones (a group whose test is not significant), a fixed
// value axis where the measure has one, and a dashed reference line (0.5 or 0: unbiased). The
// audits and the probe sweeps draw with it; hovering a bar shows its value.

import {fitText, format, sizeCanvas} from './draw.js';

export const SERIES_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd'];
const MUTED = '#bbbbbb';

/**
 * Draws chart = {title, valueAxis, bars: [{category, series, value, muted}], scale: {low, high} | null,
 * reference, referenceLabel, mutedMeaning} on canvas, width CSS pixels wide. Returns the bars as
 * drawn, each {x, y, w, h, bar}, for hovering; canvas.bars holds them too.
 */
export function drawBarChart(canvas, chart, width) {
  const categories = [...new Set(chart.bars.map(b => b.category))];
  const series = [...new Set(chart.bars.map(b => b.series))];
  const finite = chart.bars.map(b => b.value).filter(v => v !== null && Number.isFinite(v));
  let low = chart.scale ? chart.scale.low : Math.min(0, ...finite, chart.reference ?? 0);
  let high = chart.scale ? chart.scale.high : Math.max(0, ...finite, chart.reference ?? 0);
  if (!chart.scale) {
    const span = high > low ? high - low : 1;
    high += 0.08 * span;
    if (low < 0) low -= 0.08 * span;
  }
  const rotate = categories.length > 6;
  const left = 58;
  const top = series.length > 1 ? 46 : 30;
  const bottom = rotate ? 96 : 34;
  const height = 340;
  const plotWidth = Math.max(80, width - left - 16);
  const plotHeight = height - top - bottom;
  const context = sizeCanvas(canvas, width, height);
  context.fillStyle = '#fff';
  context.fillRect(0, 0, width, height);
  const y = value => top + plotHeight * (high - value) / (high - low);

  context.fillStyle = '#1d2330';
  context.font = 'bold 13px system-ui, sans-serif';
  context.fillText(fitText(context, chart.title, width - 20), 10, 18);
  context.font = '11px system-ui, sans-serif';
  context.strokeStyle = '#e5e7eb';
  context.fillStyle = '#6b7280';
  context.textAlign = 'right';
  for (let i = 0; i <= 4; i++) {
    const value = low + (high - low) * i / 4;
    context.beginPath();
    context.moveTo(left, y(value));
    context.lineTo(left + plotWidth, y(value));
    context.stroke();
    context.fillText(Number(value.toFixed(3)).toString(), left - 6, y(value) + 4);
  }
  context.save();
  context.translate(14, top + plotHeight / 2);
  context.rotate(-Math.PI / 2);
  context.textAlign = 'center';
  context.fillText(fitText(context, chart.valueAxis, plotHeight), 0, 0);
  context.restore();

  const slot = plotWidth / Math.max(1, categories.length);
  const barWidth = Math.max(2, slot * 0.8 / series.length);
  const zero = y(Math.max(low, Math.min(high, 0)));
  const drawn = [];
  chart.bars.forEach(bar => {
    if (bar.value === null || !Number.isFinite(bar.value)) return;
    const c = categories.indexOf(bar.category);
    const s = series.indexOf(bar.series);
    // Whole pixels keep bars crisp; a bar of almost nothing is still 2 pixels tall, so it shows.
    const x = Math.round(left + c * slot + slot * 0.1 + s * barWidth);
    const end = Math.round(y(Math.max(low, Math.min(high, bar.value))));
    const box = {x, y: Math.min(Math.round(zero), end), w: Math.max(1, Math.round(barWidth) - 1),
      h: Math.max(2, Math.abs(end - Math.round(zero))), bar};
    context.fillStyle = bar.muted ? MUTED : SERIES_COLOURS[s % SERIES_COLOURS.length];
    context.fillRect(box.x, box.y, box.w, box.h);
    if (barWidth >= 26) {
      context.fillStyle = '#1d2330';
      context.textAlign = 'center';
      context.fillText(Number(bar.value.toFixed(3)).toString(), x + barWidth / 2, bar.value >= 0 ? box.y - 3 : box.y + box.h + 11);
    }
    drawn.push(box);
  });

  context.fillStyle = '#374151';
  context.textAlign = rotate ? 'right' : 'center';
  categories.forEach((category, c) => {
    const x = left + c * slot + slot / 2;
    if (rotate) {
      context.save();
      context.translate(x + 4, top + plotHeight + 8);
      context.rotate(-Math.PI / 4);
      context.fillText(fitText(context, category, 120), 0, 0);
      context.restore();
    } else {
      context.fillText(fitText(context, category, slot - 2), x, top + plotHeight + 16);
    }
  });

  context.textAlign = 'left';
  if (chart.reference !== null && chart.reference !== undefined) {
    context.strokeStyle = '#374151';
    context.setLineDash([6, 4]);
    context.lineWidth = 1.5;
    context.beginPath();
    context.moveTo(left, y(chart.reference));
    context.lineTo(left + plotWidth, y(chart.reference));
    context.stroke();
    context.setLineDash([]);
    context.lineWidth = 1;
    context.fillStyle = '#374151';
    context.font = 'italic 11px system-ui, sans-serif';
    context.fillText(chart.referenceLabel || '', left + 4, y(chart.reference) - 4);
  }

  context.font = '11px system-ui, sans-serif';
  if (series.length > 1) {
    let x = left;
    series.forEach((name, s) => {
      context.fillStyle = SERIES_COLOURS[s % SERIES_COLOURS.length];
      context.fillRect(x, 30, 10, 10);
      context.fillStyle = '#374151';
      context.fillText(name, x + 14, 39);
      x += context.measureText(name).width + 32;
    });
  }
  if (chart.bars.some(b => b.muted) && chart.mutedMeaning) {
    context.fillStyle = '#6b7280';
    context.textAlign = 'right';
    context.fillText('grey: ' + chart.mutedMeaning, width - 10, 18);
  }
  canvas.bars = drawn;
  return drawn;
}

/** The drawn bar under a mouse event, or null. */
export function barAt(canvas, event) {
  const rect = canvas.getBoundingClientRect();
  const x = event.clientX - rect.left;
  const y = event.clientY - rect.top;
  return (canvas.bars || []).find(b => x >= b.x && x <= b.x + b.w + 1 && y >= b.y - 2 && y <= b.y + b.h + 2) || null;
}

/** What the readout says about a bar. */
export function describeBar(bar) {
  return `${bar.category} · ${bar.series}: ${format(bar.value)}${bar.muted ? ' (muted)' : ''}`;
}
