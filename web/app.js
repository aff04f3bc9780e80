// The workbench page: the controls, the worker's answers drawn as cards, tables
// and a chart, and the downloads. Every number it shows is formatted from exact
// integers (bigint) by the command line's own formatter; the work is in worker.js.
import { quotaDecimal } from '../dist/audit/index.js';
import { formatGrouped } from '../dist/files/decimal.js';

const $ = (id) => document.getElementById(id);
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });

/** The chosen files, the last result, and the column controls. */
const state = { accounts: null, pools: null, result: null, compared: null, busy: false, splitting: '' };
const COLUMN_CONTROLS = ['account-column', 'profit-column', 'pool-column', 'exempt-column', 'weight-column', 'cap-column', 'capacity-column', 'score-column', 'lot-column'];
/** The column each control defaults to when the file has it (case-insensitively), as the command line's defaults. */
const DEFAULTS = { 'account-column': 'account', 'profit-column': 'profit' };
const OPTIONAL = new Set(['pool-column', 'exempt-column', 'weight-column', 'cap-column', 'capacity-column', 'score-column', 'lot-column']);

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
  state.compared = null;
  $('compare-results').hidden = true;
  $('results').hidden = true;
  $('explanation').hidden = true;
  $('explanation').textContent = '';
}

// ---- files ----
async function chooseAccounts(file, again = false) {
  state.accounts = file;
  clearResults();
  $('accounts-info').textContent = `${file.name} · ${bytes(file.size)} · reading its columns…`;
  try {
    // What the header was split by: a change of either control reads it again.
    state.splitting = `${$('delimiter').value} ${$('decimal-comma').checked}`;
    const { columns, delimiter } = await ask({ type: 'columns', file, form: { delimiter: $('delimiter').value, decimalComma: $('decimal-comma').checked ? 'true' : '' } });
    fillColumns(columns, again);
    const separated = delimiter === null ? '' : ` (separated by ${delimiter === 'tab' ? 'tabs' : `"${delimiter}"`})`;
    $('accounts-info').textContent = `${file.name} · ${bytes(file.size)} · columns: ${columns.join(', ') || 'none'}${separated}`;
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
function fillColumns(columns, keep = false) {
  for (const id of COLUMN_CONTROLS) {
    const select = $(id);
    const previous = select.value;
    const options = [];
    const wanted = DEFAULTS[id];
    const match = wanted === undefined ? undefined : columns.find((c) => c.toLowerCase() === wanted);
    if (OPTIONAL.has(id)) options.push(new Option('— none —', ''));
    else if (match === undefined) options.push(new Option(`— the default: ${wanted} —`, ''));
    for (const name of columns) options.push(new Option(name, name === match ? '' : name));
    select.replaceChildren(...options);
    // The same file read again (another delimiter): a column still there stays chosen.
    select.value = keep && options.some((option) => option.value === previous) ? previous : '';
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
  const scored = $('score-column').value !== '';
  $('score-decimals').disabled = !scored;
  $('rank-by').disabled = scored;
}
for (const id of ['pool-column', 'weight-column', 'rounding', 'score-column']) $(id).addEventListener('change', syncControls);
// The header splits by the delimiter: a change reads the columns again.
for (const id of ['delimiter', 'decimal-comma']) {
  $(id).addEventListener('change', () => {
    const splitting = `${$('delimiter').value} ${$('decimal-comma').checked}`;
    if (state.accounts === null || state.busy || splitting === state.splitting) return;
    chooseAccounts(state.accounts, true);
  });
}
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
    if ((state.result === null && state.compared === null) || event.target.id === 'generate-accounts' || event.target.id === 'generate-seed' || event.target.id === 'scenario') return;
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
    delimiter: value('delimiter'), decimalComma: $('decimal-comma').checked ? 'true' : '', inputRounding: value('input-rounding'),
  };
}
/** The Compare mechanisms controls. */
function compareForm() {
  const value = (id) => ($(id).disabled ? '' : $(id).value);
  return {
    mechanisms: value('mechanisms'), capacityColumn: value('capacity-column'), scoreColumn: value('score-column'),
    scoreDecimals: value('score-decimals'), rankBy: value('rank-by'), lotColumn: value('lot-column'),
  };
}
/** Whether there is a book to run on; else says so and points at the file control. */
function haveBook() {
  if (state.accounts !== null) return true;
  fail('Choose an accounts file first (or generate a book).');
  $('accounts-file').focus();
  return false;
}
/**
 * Runs one job of the worker on the book and the controls on screen (`extra`: the
 * request's own fields): the form disabled meanwhile, the old results cleared, and
 * then `done(result, seconds)` draws the new ones.
 */
async function runOnBook(type, extra, done) {
  if (state.busy || !haveBook()) return;
  clearResults();
  busy(true);
  status('Starting…');
  const started = performance.now();
  try {
    const pooled = $('pool-column').value !== '';
    const { result } = await ask({ type, accounts: state.accounts, pools: pooled ? state.pools : null, form: form(), ...extra }, showProgress);
    $('bar').style.width = '100%';
    done(result, ((performance.now() - started) / 1000).toFixed(2));
  } catch (error) {
    fail(error.message);
  } finally {
    busy(false);
  }
}
$('compare-run').addEventListener('click', () => runOnBook('compare', { compare: compareForm() }, (result, seconds) => {
  state.compared = result;
  showCompare(result);
  $('compare-heading').focus();
  status(`Done: ${result.result.mechanisms.map((m) => m.mechanism).join(', ')} on ${count(result.accounts)} accounts in ${seconds} s.`);
}));
$('parameters').addEventListener('submit', (event) => {
  event.preventDefault();
  runOnBook('run', {}, (result, seconds) => {
    state.result = result;
    show(result);
    // The results' heading takes the focus (the button was disabled while running): the next Tab is in the results.
    $('results-heading').focus();
    status(`Done: ${count(result.accounts)} accounts in ${seconds} s. ${result.certified ? 'Every haircut checked by the auditor\'s arithmetic.' : 'The auditor\'s check FAILED: report this.'}`, !result.certified);
  });
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
$('download-compare').addEventListener('click', () => {
  const { out } = state.compared;
  download(new Blob(out.parts, { type: 'text/csv' }), out.name);
});
$('download-compare-report').addEventListener('click', () => {
  const { report } = state.compared;
  download(new Blob([report.text], { type: 'application/json' }), report.name);
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
    if (state.compared) showGroup(state.compared, compareGroups(state.compared)[Number($('compare-pool').value) || 0]);
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
  // Percent values by integer arithmetic (tenths of a percent).
  const tenths = (part, whole) => (whole === 0n ? 0 : Number((part * 1000n) / whole));
  const series = [deciles.map((d) => tenths(d.paid, paid)), deciles.map((d) => tenths(d.profit, held))];
  const title = (_, j) => `tenth ${j + 1}: ${count(deciles[j].accounts)} accounts, profit ${formatGrouped(deciles[j].low, pool.decimals)} to ${formatGrouped(deciles[j].high, pool.decimals)}; pays ${share(deciles[j].paid, paid)}, holds ${share(deciles[j].profit, held)}`;
  tenthsChart(box, caption.textContent, series, ['#1f6feb', '#a9b4bf'], title, () => 'tenths of the eligible accounts, by rising profit');
}

/**
 * Grouped bars over ten tenths, drawn at the box's own width in pixels (so that its text
 * stays legible from a phone to a wide screen): `series[s][j]` in tenths of a percent,
 * coloured `colors[s]`, on a 0–100 % axis grown to the largest bar; `title(s, j)` is each
 * bar's tooltip, `axis(width)` the axis's caption.
 */
function tenthsChart(box, label, series, colors, title, axis) {
  const width = Math.max(280, Math.round(box.clientWidth || 640)), height = 230, left = 44, bottom = 38, right = 8, topPad = 10;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label });
  const plotH = height - bottom - topPad, plotW = width - left - right;
  const max = Math.max(100, ...series.flat());
  const step = max <= 250 ? 50 : max <= 500 ? 100 : 200; // tenths of a percent: ticks at 5, 10 or 20 %
  const scaleTop = Math.ceil(max / step) * step;
  const y = (v) => topPad + plotH - (v / scaleTop) * plotH;
  for (let v = 0; v <= scaleTop; v += step) {
    chart.append(svg('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), stroke: '#e3e8ee' }));
    chart.append(svg('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, `${v / 10}%`));
  }
  const slot = plotW / 10;
  const w = Math.max(2, (slot - 8) / series.length - 1);
  for (let j = 0; j < 10; j++) {
    const x = left + j * slot + 4;
    series.forEach((values, s) => {
      const bar = svg('rect', { x: x + s * (w + 1), y: y(values[j]), width: w, height: Math.max(0, y(0) - y(values[j])), fill: colors[s] });
      bar.append(svg('title', {}, title(s, j)));
      chart.append(bar);
    });
    chart.append(svg('text', { x: left + j * slot + slot / 2, y: height - bottom + 14, 'text-anchor': 'middle' }, String(j + 1)));
  }
  chart.append(svg('text', { x: left + plotW / 2, y: height - 6, 'text-anchor': 'middle' }, axis(width)));
  box.replaceChildren(chart);
}

// ---- compare ----
const MECHANISM_COLORS = { 'pro-rata': '#1f6feb', weighted: '#8250df', queue: '#cf222e' };
/** A reduced fraction's value in tenths of a percent, by integer arithmetic. */
function permille(rate) {
  const [a, b] = rate.fraction.split('/').map(BigInt);
  return Number((a * 1000n) / b);
}
/** A rate as a percentage with two decimals, truncated (the command's table). */
function percentOf(rate) {
  const [a, b] = rate.fraction.split('/').map(BigInt);
  const v = (10_000n * a) / b;
  return `${v / 100n}.${String(v % 100n).padStart(2, '0')} %`;
}
/** The groups compared: one per pool, and overall when the pools share their decimals. */
function compareGroups(compared) {
  const { mechanisms } = compared.result;
  if (!('pools' in mechanisms[0])) return [{ name: 'all accounts', of: mechanisms }];
  const groups = mechanisms[0].pools.map((pool, k) => ({ name: `pool ${pool.pool}`, of: mechanisms.map((m) => m.pools[k]) }));
  if (typeof mechanisms[0].overall !== 'string') groups.push({ name: 'all pools', of: mechanisms.map((m) => m.overall) });
  return groups;
}
function showCompare(compared) {
  $('compare-results').hidden = false;
  const groups = compareGroups(compared);
  const choice = $('compare-pool');
  choice.replaceChildren(...groups.map((g, i) => new Option(g.name, String(i))));
  choice.value = String(groups.length - 1);
  $('compare-pool-choice').hidden = groups.length < 2;
  choice.onchange = () => showGroup(compared, groups[Number(choice.value)]);
  showGroup(compared, groups[groups.length - 1]);
}
const amountOf = (text, decimals) => formatGrouped(BigInt(text.replace('.', '')), decimals);
function showGroup(compared, group) {
  const names = compared.result.mechanisms.map((m) => m.mechanism);
  const g0 = group.of[0];
  $('compare-summary').textContent = `${group.name}: to cover ${amountOf(g0.toCover, g0.decimals)} (loss ${amountOf(g0.loss, g0.decimals)}, insurance fund ${amountOf(g0.insuranceFund, g0.decimals)}); `
    + `${count(g0.measuredAccounts)} of ${count(g0.accounts)} accounts can pay, capacity ${amountOf(g0.totalCapacity, g0.decimals)}.`;
  const table = $('measures-table');
  const head = document.createElement('tr');
  cell(head, 'Measure', true);
  for (const name of names) cell(head, name, true);
  table.tHead.replaceChildren(head);
  const rows = [
    ['Collected', (g) => amountOf(g.collected, g.decimals)], ['Uncovered', (g) => amountOf(g.uncovered, g.decimals)],
    ['Overshoot', (g) => amountOf(g.overshoot, g.decimals)], ['Accounts charged', (g) => count(g.accountsCharged)],
    ['Accounts taken whole', (g) => count(g.accountsTakenWhole)], ['Largest haircut', (g) => amountOf(g.largestHaircut, g.decimals)],
    ['Largest share of a capacity', (g) => percentOf(g.largestShareOfCapacity)], ['10 largest payers\' share', (g) => percentOf(g.top10Share)],
    ['Top 1 % by capacity\'s share', (g) => percentOf(g.top1PercentShare)], ['Gini coefficient', (g) => g.gini.decimal.slice(0, g.gini.decimal.indexOf('.') + 5)],
  ];
  table.tBodies[0].replaceChildren(...rows.map(([name, of]) => {
    const row = document.createElement('tr');
    cell(row, name, true);
    group.of.forEach((g, m) => {
      cell(row, of(g));
      row.lastChild.title = name === 'Gini coefficient' ? `exactly ${g.gini.fraction}` : '';
      row.lastChild.dataset.mechanism = names[m];
    });
    return row;
  }));
  drawTenths(names, group);
}
/** Each tenth's share of the capacity (grey) and of what each mechanism collected (one colour each). */
function drawTenths(names, group) {
  const box = $('compare-chart');
  const g0 = group.of[0];
  $('compare-caption').textContent = `The tenth of largest capacity holds ${percentOf(g0.tenths[9].capacity)} of the capacity; it pays `
    + names.map((name, m) => `${percentOf(group.of[m].tenths[9].collected)} under ${name}`).join(', ') + '.';
  const legend = $('compare-legend');
  const key = (color, text) => {
    const item = document.createElement('span');
    item.className = 'item';
    const swatch = document.createElement('span');
    swatch.className = 'key';
    swatch.style.background = color;
    item.append(swatch, ` ${text}`);
    return item;
  };
  legend.replaceChildren(key('#a9b4bf', 'share of the capacity'), ...names.map((name) => key(MECHANISM_COLORS[name], `${name}: share collected`)));
  const series = [g0.tenths.map((t) => permille(t.capacity)), ...group.of.map((g) => g.tenths.map((t) => permille(t.collected)))];
  const colors = ['#a9b4bf', ...names.map((name) => MECHANISM_COLORS[name])];
  const title = (s, j) => `tenth ${j + 1} (${count(g0.tenths[j].accounts)} accounts): ${(series[s][j] / 10).toFixed(1)} % ${s === 0 ? 'of the capacity' : `collected under ${names[s - 1]}`}`;
  tenthsChart(box, $('compare-caption').textContent, series, colors, title,
    (width) => (width < 480 ? 'tenths, by rising capacity' : 'tenths of the accounts that can pay, by rising capacity'));
}

syncControls();
fillColumns([]);
