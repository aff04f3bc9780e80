// The demo page: reads the scenario, hands it to the worker, draws the result.
import { formatGrouped, parseUnits } from '../dist/cli/decimal.js';

const DECIMALS = 6;
const $ = (id) => document.getElementById(id);
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const usdt = (units) => formatGrouped(units, DECIMALS);
let scenario = null;

$('scenario').addEventListener('submit', (event) => {
  event.preventDefault();
  let loss, insuranceFund;
  try {
    loss = parseUnits($('loss').value.trim(), DECIMALS);
    insuranceFund = parseUnits($('fund').value.trim(), DECIMALS);
    if (loss < 0n || insuranceFund < 0n) throw new Error('amounts must not be negative');
  } catch (error) {
    status(`Check the amounts: ${error.message}`, true);
    return;
  }
  const accounts = Math.min(10_000_000, Math.max(1, Math.floor(Number($('accounts').value))));
  scenario = { accounts, profile: $('profile').value, seed: Number($('seed').value) >>> 0, loss, insuranceFund, withReference: $('reference').checked };
  $('run').disabled = true;
  status('Starting…');
  worker.postMessage(scenario);
});

worker.onmessage = ({ data }) => {
  if (data.type === 'progress') {
    $('bar').style.width = `${Math.round((100 * data.done) / data.total)}%`;
    status(`${data.phase}${data.total > 1 ? ` · ${data.done.toLocaleString('en-US')} of ${data.total.toLocaleString('en-US')}` : ''}…`);
    return;
  }
  $('run').disabled = false;
  $('bar').style.width = '100%';
  if (data.type === 'error') {
    status(`Failed: ${data.message}`, true);
    return;
  }
  show(data);
  status(data.agrees === false ? 'Done, but the engine and the reference disagree.' : 'Done.', data.agrees === false);
};

function status(text, bad = false) {
  $('status').textContent = text;
  $('status').className = bad ? 'fail' : '';
}

function show({ summary, engineMs, referenceMs, agrees, variant, checksum, points, histogram, largest }) {
  $('results').hidden = false;
  $('insuranceUsed').textContent = usdt(summary.insuranceUsed);
  $('socialized').textContent = usdt(summary.socialized);
  $('uncovered').textContent = usdt(summary.uncovered);
  $('rate').textContent = `${(summary.haircutRate * 100).toFixed(4)} %`;
  $('profitable').textContent = summary.profitableAccounts.toLocaleString('en-US');
  $('variant').textContent = variant;
  $('engineTime').textContent = `${engineMs.toFixed(1)} ms`;
  $('referenceTime').innerHTML = referenceMs === null ? '—'
    : `${referenceMs.toFixed(0)} ms · ${(referenceMs / engineMs).toFixed(0)}× · <span class="${agrees ? 'ok' : 'fail'}">${agrees ? 'identical' : 'DIFFERENT'}</span>`;
  $('checksum').textContent = checksum;
  drawScatter($('scatter'), points);
  drawHistogram($('histogram'), histogram);
  $('largest').replaceChildren(...largest.map(({ index, profit, haircut }) => {
    const row = document.createElement('tr');
    const exact = exactQuota(summary.socialized, profit, summary.totalProfit);
    for (const text of [`#${index}`, usdt(profit), usdt(haircut), exact, usdt(profit - haircut)]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    return row;
  }));
}

/** socialized × profit ÷ total in USDT, to 10 decimals past the unit (truncated, marked with …). */
function exactQuota(socialized, profit, total) {
  const scaled = (socialized * profit * 10n ** 4n) / total; // units × 10^4
  const text = formatGrouped(scaled, DECIMALS + 4);
  return (socialized * profit * 10n ** 4n) % total === 0n ? text : `${text}…`;
}

function canvasContext(canvas) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = canvas.clientWidth * ratio;
  canvas.height = canvas.clientHeight * ratio;
  const g = canvas.getContext('2d');
  g.scale(ratio, ratio);
  g.font = '11px system-ui, sans-serif';
  return { g, width: canvas.clientWidth, height: canvas.clientHeight };
}

/** log10 of a positive bigint amount in USDT (display only). */
const log10Usdt = (units) => Math.log10(Number(units)) - DECIMALS;

function axes(g, width, height, pad, xLabel, yLabel) {
  g.strokeStyle = '#d9e0e7';
  g.fillStyle = '#5d6b79';
  g.beginPath();
  g.moveTo(pad, 8);
  g.lineTo(pad, height - pad);
  g.lineTo(width - 8, height - pad);
  g.stroke();
  g.fillText(xLabel, width - 8 - g.measureText(xLabel).width, height - 6);
  g.save();
  g.translate(12, 10 + g.measureText(yLabel).width);
  g.rotate(-Math.PI / 2);
  g.fillText(yLabel, 0, 0);
  g.restore();
}

function drawScatter(canvas, points) {
  const { g, width, height } = canvasContext(canvas);
  const pad = 50;
  const xs = points.map(([p]) => log10Usdt(p));
  const ys = points.map(([, h]) => (h > 0n ? log10Usdt(h) : null));
  const xMin = Math.floor(Math.min(...xs)), xMax = Math.ceil(Math.max(...xs));
  const real = ys.filter((y) => y !== null);
  const yMin = real.length ? Math.floor(Math.min(...real)) : -6, yMax = real.length ? Math.ceil(Math.max(...real)) : 0;
  const X = (x) => pad + ((x - xMin) / Math.max(1, xMax - xMin)) * (width - pad - 12);
  const Y = (y) => height - pad - ((y - yMin) / Math.max(1, yMax - yMin)) * (height - pad - 14);
  axes(g, width, height, pad, 'profit (USDT)', 'haircut (USDT)');
  g.fillStyle = '#5d6b79';
  for (let x = xMin; x <= xMax; x++) g.fillText(`1e${x}`, X(x) - 10, height - pad + 14);
  for (let y = yMin; y <= yMax; y++) g.fillText(`1e${y}`, 20, Y(y) + 4);
  g.fillStyle = 'rgba(31, 111, 235, 0.45)';
  points.forEach((_, i) => {
    if (ys[i] === null) return;
    g.fillRect(X(xs[i]) - 1.5, Y(ys[i]) - 1.5, 3, 3);
  });
  const zero = ys.filter((y) => y === null).length;
  if (zero) {
    g.fillStyle = '#5d6b79';
    g.fillText(`${zero} sampled accounts pay 0 (too small a quota)`, pad + 8, 16);
  }
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

function drawHistogram(canvas, bins) {
  const { g, width, height } = canvasContext(canvas);
  const pad = 38;
  const last = Math.max(1, bins.findLastIndex((c) => c > 0));
  const shown = bins.slice(0, last + 1);
  const top = Math.max(...shown, 1);
  axes(g, width, height, pad, 'haircut (USDT)', 'accounts');
  const w = (width - pad - 16) / shown.length;
  shown.forEach((count, k) => {
    const h = (count / top) * (height - pad - 20);
    g.fillStyle = k === 0 ? '#8c959f' : '#1f6feb';
    g.fillRect(pad + 4 + k * w, height - pad - h, Math.max(1, w - 4), h);
    g.fillStyle = '#5d6b79';
    const label = k === 0 ? '0' : `<1e${k - DECIMALS}`;
    g.fillText(label, pad + 4 + k * w, height - pad + 14);
    if (count) g.fillText(compact.format(count), pad + 4 + k * w, height - pad - h - 4);
  });
}
