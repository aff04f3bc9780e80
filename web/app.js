// The workbench page: the controls, the worker's answers drawn as cards, tables
// and a chart, and the downloads. Every number it shows is formatted from exact
// integers (bigint) by the command line's own formatter; the work is in worker.js.
import { quotaDecimal } from '../dist/audit/index.js';
import { formatGrouped } from '../dist/files/decimal.js';

const $ = (id) => document.getElementById(id);
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });

/** The chosen files, the last result, and the column controls. */
const state = { accounts: null, pools: null, result: null, busy: false };
const COLUMN_CONTROLS = ['account-column', 'profit-column', 'pool-column', 'exempt-column', 'weight-column', 'cap-column'];
/** The column each control defaults to when the file has it (case-insensitively), as the command line's defaults. */
const DEFAULTS = { 'account-column': 'account', 'profit-column': 'profit' };
const OPTIONAL = new Set(['pool-column', 'exempt-column', 'weight-column', 'cap-column']);

// ---- the worker, one request at a time ----
let nextId = 1;
const waiting = new Map();
worker.onmessage = ({ data }) => {
  const job = waiting.get(data.id);
  if (!job) return;
  if (data.type === 'progress') {
    job.progress?.(data);
    return;
  }
  waiting.delete(data.id);
  if (data.type === 'error') job.reject(new Error(data.message));
  else job.resolve(data);
};
worker.onerror = (event) => {
  for (const job of waiting.values()) job.reject(new Error(`the worker failed: ${event.message || 'unknown error'}`));
  waiting.clear();
};
function ask(request, progress) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject, progress });
    worker.postMessage({ id, ...request });
  });
}

// ---- status and progress ----
function status(text, bad = false) {
  $('status').textContent = text;
  $('status').className = bad ? 'fail' : '';
  $('status').setAttribute('role', bad ? 'alert' : 'status');
}
function showProgress({ phase, done, total }) {
  const share = total > 1 ? done / total : 0;
  $('bar').style.width = `${Math.round(100 * share)}%`;
  status(`${phase[0].toUpperCase()}${phase.slice(1)}${total > 1 ? ` · ${bytes(done)} of ${bytes(total)}` : ''}…`);
}
const count = (n) => n.toLocaleString('en-US');
function bytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = n / 1024, unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${value.toFixed(1)} ${units[unit]}`;
}
/** Errors replace results: nothing stale stays on screen next to a message. */
function fail(message) {
  clearResults();
  $('bar').style.width = '0';
  status(message, true);
  $('status').scrollIntoView({ block: 'nearest' });
}
function clearResults() {
  state.result = null;
  $('results').hidden = true;
  $('explanation').hidden = true;
  $('explanation').textContent = '';
}

// ---- files ----
async function chooseAccounts(file) {
  state.accounts = file;
  clearResults();
  $('accounts-info').textContent = `${file.name} · ${bytes(file.size)} · reading its columns…`;
  try {
    const { columns } = await ask({ type: 'columns', file });
    fillColumns(columns);
    $('accounts-info').textContent = `${file.name} · ${bytes(file.size)} · columns: ${columns.join(', ') || 'none'}`;
    status('Set the parameters, then Socialize.');
  } catch (error) {
    fillColumns([]);
    $('accounts-info').textContent = `${file.name} · ${bytes(file.size)}`;
    fail(error.message);
  }
}
/**
 * The column controls from a header. The account and profit controls start at the
 * command's defaults: the column named `account` (`profit`), matched
 * case-insensitively, stands for the default (value '', as when no option is
 * given, so the report is the command's without column options); a header
 * without one starts at "— the default: account —", which the run then
 * reports as missing, as the command does.
 */
function fillColumns(columns) {
  for (const id of COLUMN_CONTROLS) {
    const select = $(id);
    const options = [];
    const wanted = DEFAULTS[id];
    const match = wanted === undefined ? undefined : columns.find((c) => c.toLowerCase() === wanted);
    if (OPTIONAL.has(id)) options.push(new Option('— none —', ''));
    else if (match === undefined) options.push(new Option(`— the default: ${wanted} —`, ''));
    for (const name of columns) options.push(new Option(name, name === match ? '' : name));
    select.replaceChildren(...options);
    select.value = '';
  }
  syncControls();
}
/** Controls that only mean something with another one are enabled with it. */
function syncControls() {
  const pooled = $('pool-column').value !== '';
  $('pools-file').disabled = !pooled;
  $('loss').disabled = pooled;
  $('insurance-fund').disabled = pooled;
  const weighted = $('weight-column').value !== '';
  $('weight-decimals').disabled = !weighted;
  $('cap-column').disabled = !weighted;
  $('tie-seed').disabled = $('rounding').value !== 'largest-remainder';
}
for (const id of ['pool-column', 'weight-column', 'rounding']) $(id).addEventListener('change', syncControls);
$('accounts-file').addEventListener('change', () => {
  const file = $('accounts-file').files[0];
  if (file) chooseAccounts(file);
});
$('pools-file').addEventListener('change', () => {
  state.pools = $('pools-file').files[0] ?? null;
  $('pools-info').textContent = state.pools === null ? '' : `${state.pools.name} · ${bytes(state.pools.size)}`;
  clearResults();
});
const drop = $('drop');
for (const type of ['dragenter', 'dragover']) drop.addEventListener(type, (event) => { event.preventDefault(); drop.classList.add('over'); });
for (const type of ['dragleave', 'drop']) drop.addEventListener(type, () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  if (state.busy) {
    status('Wait for the current step to finish, then drop the file again.');
    return;
  }
  const file = event.dataTransfer?.files[0];
  if (file) chooseAccounts(file);
});
// A file dropped anywhere else must not navigate away from the page.
window.addEventListener('dragover', (event) => event.preventDefault());
window.addEventListener('drop', (event) => event.preventDefault());

$('generate-run').addEventListener('click', async () => {
  if (state.busy) return;
  busy(true);
  try {
    const { name, parts } = await ask({
      type: 'generate', profile: $('scenario').value, accounts: Number($('generate-accounts').value), seed: Number($('generate-seed').value),
    }, showProgress);
    const file = new File(parts, name, { type: 'text/csv' });
    $('accounts-file').value = '';
    $('decimals').value = '6';
    await chooseAccounts(file);
  } catch (error) {
    fail(error.message);
  } finally {
    busy(false);
  }
});

// ---- the run ----
/** While the worker works, the form is disabled: the answer always belongs to the file and parameters on screen. */
function busy(on) {
  state.busy = on;
  for (const fieldset of $('parameters').querySelectorAll('fieldset')) fieldset.disabled = on;
  $('run').disabled = on;
  $('drop').classList.toggle('busy', on);
}
// Results belong to the parameters they were computed with: any change clears them.
for (const type of ['input', 'change']) {
  $('parameters').addEventListener(type, (event) => {
    if (state.result === null || event.target.id === 'generate-accounts' || event.target.id === 'generate-seed' || event.target.id === 'scenario') return;
    clearResults();
    status('The parameters changed: Socialize again for their result.');
  });
}
function form() {
  const value = (id) => ($(id).disabled ? '' : $(id).value);
  return {
    decimals: value('decimals'), loss: value('loss'), insuranceFund: value('insurance-fund'),
    accountColumn: value('account-column'), profitColumn: value('profit-column'), poolColumn: value('pool-column'),
    exemptColumn: value('exempt-column'), weightColumn: value('weight-column'), weightDecimals: value('weight-decimals'),
    capColumn: value('cap-column'), rounding: value('rounding'), tieSeed: value('tie-seed'),
  };
}
$('parameters').addEventListener('submit', async (event) => {
  event.preventDefault();
  if (state.busy) return;
  if (state.accounts === null) {
    fail('Choose an accounts file first (or generate a book).');
    $('accounts-file').focus();
    return;
  }
  clearResults();
  busy(true);
  status('Starting…');
  const started = performance.now();
  try {
    const pooled = $('pool-column').value !== '';
    const { result } = await ask({ type: 'run', accounts: state.accounts, pools: pooled ? state.pools : null, form: form() }, showProgress);
    state.result = result;
    $('bar').style.width = '100%';
    show(result);
    // The results' heading takes the focus (the button was disabled while running): the next Tab is in the results.
    $('results-heading').focus();
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    status(`Done: ${count(result.accounts)} accounts in ${seconds} s. ${result.certified ? 'Every haircut checked by the auditor\'s arithmetic.' : 'The auditor\'s check FAILED: report this.'}`, !result.certified);
  } catch (error) {
    fail(error.message);
  } finally {
    busy(false);
  }
});

// ---- downloads ----
function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
$('download-haircuts').addEventListener('click', () => {
  const { haircuts } = state.result;
  download(new Blob(haircuts.parts, { type: 'text/csv' }), haircuts.name);
});
$('download-report').addEventListener('click', () => {
  const { report } = state.result;
  download(new Blob([report.text], { type: 'application/json' }), report.name);
});

// ---- explain ----
$('explain-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const out = $('explanation');
  try {
    const { text, json } = await ask({ type: 'explain', account: accountOf($('explain-account').value) });
    out.textContent = $('explain-json').checked ? JSON.stringify(json, null, 2) : text;
    out.classList.remove('fail');
  } catch (error) {
    out.textContent = error.message;
    out.classList.add('fail');
  }
  out.hidden = false;
});
/**
 * The identifier typed: as it is, or, written as a JSON string ("b\nline"), what it
 * spells (an identifier may hold a line break, which a text field cannot).
 */
function accountOf(typed) {
  if (typed.length >= 2 && typed.startsWith('"') && typed.endsWith('"')) {
    try {
      const value = JSON.parse(typed);
      if (typeof value === 'string') return value;
    } catch { /* not a JSON string: the text as typed */ }
  }
  return typed;
}
/** Explains `account` as if typed (from a row of the largest haircuts). */
function explainRow(account) {
  $('explain-account').value = /[\n\r"]/.test(account) ? JSON.stringify(account) : account;
  $('explain-form').requestSubmit();
  $('explain-account').scrollIntoView({ block: 'nearest' });
}
$('explain-json').addEventListener('change', () => {
  if (!$('explanation').hidden && $('explain-account').value !== '') $('explain-form').requestSubmit();
});

// ---- results ----
/** A pool's haircut rate (socialized ÷ total) as a percentage: exact, or truncated at 8 digits and marked …. */
function percent(summary) {
  return `${summary.totalProfit === 0n ? '0' : quotaDecimal(100n * summary.socialized, summary.totalProfit, 8)} %`;
}
/** part ÷ whole as a percentage, truncated to one decimal. */
function share(part, whole) {
  return `${whole === 0n ? '0' : quotaDecimal(100n * part, whole, 1, '')} %`;
}
/** `text` then the fraction `a/b`, which may break after its slash and nowhere inside a number. */
function noteWithFraction(text, fraction) {
  const note = document.createDocumentFragment();
  const [numerator, denominator] = fraction.split('/');
  const whole = (digits) => {
    const span = document.createElement('span');
    span.className = 'number';
    span.textContent = digits;
    return span;
  };
  note.append(text, whole(`${numerator}/`), document.createElement('wbr'), whole(denominator));
  return note;
}
function card(label, value, note = '', wide = false) {
  const div = document.createElement('div');
  div.className = wide ? 'card wide' : 'card';
  const span = document.createElement('span');
  span.textContent = label;
  const b = document.createElement(value instanceof Node ? 'div' : 'b');
  if (value instanceof Node) b.append(value);
  else {
    b.textContent = value;
    // Long amounts a size smaller, the longest (past 10^15) a whole row: a number stays on one line.
    if (value.length > 15) b.className = 'long';
    if (value.length > 19) div.classList.add('wide');
  }
  div.append(span, b);
  if (note) {
    const small = document.createElement('small');
    if (note instanceof Node) small.append(note);
    else small.textContent = note;
    div.append(small);
  }
  return div;
}
function show(result) {
  $('results').hidden = false;
  const pools = result.pools;
  const oneScale = pools.every((p) => p.decimals === pools[0].decimals);
  const sum = (pick) => pools.reduce((t, p) => t + pick(p), 0n);
  const amount = (units, decimals) => formatGrouped(units, decimals);
  const cards = [
    card('Accounts', count(result.accounts), `${result.format}${result.pooled ? `, ${pools.length} pools` : ''}`),
    card('Eligible', count(pools.reduce((n, p) => n + p.summary.profitableAccounts, 0))),
    card('Charged', count(pools.reduce((n, p) => n + p.charged, 0))),
  ];
  if (oneScale) {
    const d = pools[0].decimals;
    cards.push(
      card('Loss', amount(sum((p) => p.loss), d)),
      card('Insurance used', amount(sum((p) => p.summary.insuranceUsed), d)),
      card('Socialized', amount(sum((p) => p.summary.socialized), d)),
      card('Uncovered', amount(sum((p) => p.summary.uncovered), d)),
    );
    const dust = sum((p) => p.summary.roundingDust), surplus = sum((p) => p.summary.surplus);
    if (dust > 0n) cards.push(card('Rounding dust', amount(dust, d), 'not collected (rounding down)'));
    if (surplus > 0n) cards.push(card('Surplus', amount(surplus, d), 'over-collected (rounding up), back to the fund'));
    if (!result.pooled) cards.push(card('Haircut rate', percent(pools[0].summary), noteWithFraction(`socialized ÷ ${result.weighted ? 'total caps' : 'total profit'} = `, pools[0].rate.fraction)));
  }
  const t = result.timingsMs;
  cards.push(card('Time in the page', `${(t.total / 1000).toFixed(2)} s`, `read ${ms(t.read)}, compute ${ms(t.compute)}, write ${ms(t.write)}, audit ${ms(t.audit)} · ${result.core} core`));
  const sha = document.createElement('code');
  sha.textContent = result.haircuts.sha256;
  cards.push(card('Haircuts SHA-256', sha, `${bytes(result.haircuts.bytes)} · ${result.haircuts.name}`, true));
  $('cards').replaceChildren(...cards);

  poolsTable(result);
  const choice = $('pool-view');
  choice.replaceChildren(...pools.map((p, i) => new Option(p.name || 'all accounts', String(i))));
  $('pool-choice').hidden = pools.length < 2;
  choice.onchange = () => showPool(pools[Number(choice.value)], result);
  showPool(pools[0], result);
}
// The chart follows the page's width.
let resizing = 0;
window.addEventListener('resize', () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => {
    if (state.result) drawDeciles(state.result.pools[Number($('pool-view').value) || 0], state.result);
  }, 100);
});
const ms = (value) => (value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(2)} s`);
function cell(row, text, header = false, label = '') {
  const td = document.createElement(header ? 'th' : 'td');
  td.textContent = text;
  // Narrow screens show each row of the largest haircuts as a block, each value under its label.
  if (label) td.dataset.label = label;
  row.append(td);
}
/**
 * The per-pool table, one column per pool and one row per figure: as narrow as its pools
 * are few, so that every figure shows at once (a row per pool needed 12 columns).
 */
function poolsTable(result) {
  const table = $('pools-table');
  const head = document.createElement('tr');
  cell(head, 'Pool', true);
  for (const p of result.pools) cell(head, (p.name || 'all accounts') + (result.pooled && !p.listed ? ' (not in the pools file: loss 0)' : ''), true);
  table.tHead.replaceChildren(head);
  const figures = [
    ['Decimals', (p) => String(p.decimals)], ['Accounts', (p) => count(p.accounts)], ['Eligible', (p) => count(p.summary.profitableAccounts)],
    ['Charged', (p) => count(p.charged)], ['Loss', (p) => formatGrouped(p.loss, p.decimals)],
    ['Insurance used', (p) => formatGrouped(p.summary.insuranceUsed, p.decimals)], ['Socialized', (p) => formatGrouped(p.summary.socialized, p.decimals)],
    ['Uncovered', (p) => formatGrouped(p.summary.uncovered, p.decimals)], ['Dust', (p) => formatGrouped(p.summary.roundingDust, p.decimals)],
    ['Surplus', (p) => formatGrouped(p.summary.surplus, p.decimals)], ['Haircut rate', (p) => percent(p.summary)],
  ];
  table.tBodies[0].replaceChildren(...figures.map(([name, of]) => {
    const row = document.createElement('tr');
    cell(row, name, true);
    for (const p of result.pools) cell(row, of(p));
    return row;
  }));
}
function showPool(pool, result) {
  drawDeciles(pool, result);
  $('largest').tBodies[0].replaceChildren(...pool.largest.map((l) => {
    const row = document.createElement('tr');
    const a = (units) => formatGrouped(units, pool.decimals);
    const account = document.createElement('td');
    const link = document.createElement('button');
    link.type = 'button';
    link.className = 'link';
    link.textContent = l.account;
    link.title = `Explain ${l.account}`;
    link.addEventListener('click', () => explainRow(l.account));
    account.append(link);
    account.dataset.label = 'Account';
    row.append(account);
    const labels = ['Profit', 'Haircut', 'Exact quota', 'Profit after'];
    [a(l.profit), a(l.haircut), l.quota, a(l.profit - l.haircut)].forEach((text, k) => cell(row, text, false, labels[k]));
    row.title = `exact quota ${l.fraction} units`;
    return row;
  }));
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(name, attributes, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}
/** Share of the loss paid and of the profit held by each tenth of the eligible accounts, by rising profit. */
function drawDeciles(pool, result) {
  const box = $('deciles');
  const deciles = pool.deciles;
  const paid = pool.summary.socialized;
  const held = deciles.reduce((t, d) => t + d.profit, 0n);
  const caption = $('who-caption');
  if (deciles.length === 0 || paid === 0n) {
    caption.textContent = paid === 0n ? 'Nothing was socialized: no account pays.' : 'No eligible account.';
    box.replaceChildren();
    return;
  }
  const top = deciles[9];
  const last = deciles.slice(5).reduce((t, d) => t + d.paid, 0n);
  caption.textContent = `The top tenth of eligible accounts by profit pays ${share(top.paid, paid)} of the socialized loss (and holds ${share(top.profit, held)} of the profit); `
    + `the lower half pays ${share(paid - last, paid)}.${result.weighted ? ' The split is by weight, with caps.' : ''}`;
  // Drawn at the box's own width in pixels, so that its text stays legible from a phone to a wide screen.
  const width = Math.max(280, Math.round(box.clientWidth || 640)), height = 220, left = 44, bottom = 38, right = 8, topPad = 10;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': caption.textContent });
  const plotH = height - bottom - topPad, plotW = width - left - right;
  // Percent values by integer arithmetic (tenths of a percent), drawn on a 0–100 % axis scaled to the largest bar.
  const tenths = (part, whole) => (whole === 0n ? 0 : Number((part * 1000n) / whole));
  const bars = deciles.map((d) => [tenths(d.paid, paid), tenths(d.profit, held)]);
  const max = Math.max(100, ...bars.flat());
  const step = max <= 250 ? 50 : max <= 500 ? 100 : 200; // tenths of a percent: ticks at 5, 10 or 20 %
  const scaleTop = Math.ceil(max / step) * step;
  const y = (v) => topPad + plotH - (v / scaleTop) * plotH;
  for (let v = 0; v <= scaleTop; v += step) {
    chart.append(svg('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), stroke: '#e3e8ee' }));
    chart.append(svg('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, `${v / 10}%`));
  }
  const slot = plotW / 10;
  bars.forEach(([p, h], j) => {
    const x = left + j * slot;
    const w = Math.max(2, (slot - 10) / 2);
    chart.append(svg('rect', { x: x + 4, y: y(p), width: w, height: Math.max(0, y(0) - y(p)), fill: '#1f6feb' }));
    chart.append(svg('rect', { x: x + 4 + w + 2, y: y(h), width: w, height: Math.max(0, y(0) - y(h)), fill: '#a9b4bf' }));
    chart.append(svg('text', { x: x + slot / 2, y: height - bottom + 14, 'text-anchor': 'middle' }, String(j + 1)));
    const tip = svg('title', {}, `tenth ${j + 1}: ${count(deciles[j].accounts)} accounts, profit ${formatGrouped(deciles[j].low, pool.decimals)} to ${formatGrouped(deciles[j].high, pool.decimals)}; pays ${share(deciles[j].paid, paid)}, holds ${share(deciles[j].profit, held)}`);
    chart.lastChild.append(tip);
  });
  chart.append(svg('text', { x: left + plotW / 2, y: height - 6, 'text-anchor': 'middle' }, 'tenths of the eligible accounts, by rising profit'));
  box.replaceChildren(chart);
}

syncControls();
fillColumns([]);
