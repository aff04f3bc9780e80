// `socialized-loss index-delta`: a per-unit index delta over a units column
// (lazy socialization, as Drift and Mango apply it), with each account's charge.

import { isSocializedLossError } from '../errors.js';
import type { IndexRounding } from '../types.js';
import { formatGrouped, wordsValue, writeUnits } from '../files/decimal.js';
import { InputError, UsageError } from '../files/errors.js';
import { InputSource } from './input.js';
import { nodePlatform } from '../host/node.js';
import { commitAll, openOutputs, outputSink } from './output.js';
import { readAmountOption, readChoice, readDecimals, readReading } from '../run/parameters.js';
import { readFormat, readInto } from '../files/read.js';
import { indexDeltaReport } from '../run/report.js';
import { AccountRows } from '../files/rows.js';
import { coreInfo } from '../run/run.js';
import { runInfoOf, type RunContext } from './socialize.js';
import { AMOUNT_BYTES, END_OF_ROW, SEPARATOR, writeTable } from '../files/write.js';

const INDEX_ROUNDINGS: readonly IndexRounding[] = ['up', 'down'];

/** Runs index-delta with its options (by name without `--`). */
export async function indexDelta(accounts: string, values: ReadonlyMap<string, string>, context: RunContext): Promise<void> {
  const started = performance.now();
  const decimals = readDecimals(values.get('decimals'), '--decimals');
  const loss = readAmountOption(values.get('loss'), '--loss', decimals);
  const scaleText = values.get('scale');
  if (scaleText === undefined) throw new UsageError('--scale is required: the index\'s fixed-point scale, e.g. 1000000000');
  if (!/^\d{1,19}$/.test(scaleText) || BigInt(scaleText) < 1n || BigInt(scaleText) >= 2n ** 63n) {
    throw new UsageError(`--scale must be a whole number from 1 to 2^63 − 1, got ${JSON.stringify(scaleText)}`);
  }
  const scale = BigInt(scaleText);
  const unitsDecimals = readDecimals(values.get('units-decimals'), '--units-decimals', 0);
  const rounding = readChoice(values.get('rounding'), '--rounding', INDEX_ROUNDINGS, 'up');
  const chargeRounding = readChoice(values.get('charge-rounding'), '--charge-rounding', INDEX_ROUNDINGS, 'up');
  const columns = { account: values.get('account-column') ?? 'account', profit: values.get('units-column') ?? 'units' };
  if (columns.account === '' || columns.profit === '') throw new UsageError(`${columns.account === '' ? '--account-column' : '--units-column'} is empty; expected a column name`);
  const format = readFormat(values.get('format'));
  const out = values.get('out'), report = values.get('report');

  const source = await InputSource.open(accounts);
  const [outFile, reportFile] = await openOutputs([['--out', out], ['--report', report]], [source]);
  const reading = readReading(values);
  const rows = new AccountRows(source.name, columns, unitsDecimals, null, 0, true, 0, reading);
  const platform = nodePlatform(context.quiet);
  const input = await readInto(source, format, rows, platform, (n) => rows.table.expect(n));
  const table = rows.table;
  table.sealed();
  const read = performance.now();

  const engine = table.engine();
  let result;
  try {
    result = engine.indexDelta({ loss, units: table.column('profits'), scale, rounding, chargeRounding });
  } catch (error) {
    if (isSocializedLossError(error) && error.code === 'ERR_ZERO_UNITS') {
      const rounded = reading.inputRounding === 'exact' ? '' : ` at --units-decimals ${unitsDecimals} after --input-rounding ${reading.inputRounding}`;
      throw new InputError(input.file, 2, 1, `every ${columns.profit} is zero${rounded} (${table.rows.toLocaleString('en-US')} row${table.rows === 1 ? '' : 's'}): there is no position to charge the loss to`);
    }
    if (isSocializedLossError(error) && error.code === 'ERR_CHARGE_OVERFLOW') {
      const row = Number(/charges\[(\d+)\]/.exec(error.message)?.[1] ?? 0);
      throw new InputError(input.file, table.lineOf(row), 1, `${columns.profit}: ${error.message.replace(/^.*?: /, '')}; use a smaller --scale or check the units`);
    }
    throw error;
  }
  const computed = performance.now();

  const sink = outputSink(outFile ?? null, platform, input.bytes);
  const charges = new Int32Array(result.charges.buffer, result.charges.byteOffset, 2 * table.rows);
  let charged = 0;
  await sink.text('account,units,charge\n');
  await writeTable(sink, table.rows, (row) => 2 * table.idLength(row) + 2 + 2 * AMOUNT_BYTES + 4, (bytes, at, row) => {
    at = table.writeId(bytes, at, row);
    const { words, offset } = table.profitWords(row);
    bytes[at++] = SEPARATOR;
    at = writeUnits(bytes, at, wordsValue(words[offset]!, words[offset + 1]!), unitsDecimals);
    const charge = wordsValue(charges[2 * row]!, charges[2 * row + 1]!);
    if (charge !== 0) charged++;
    bytes[at++] = SEPARATOR;
    at = writeUnits(bytes, at, charge, decimals);
    bytes[at++] = END_OF_ROW;
    return at;
  });
  const sha256 = await sink.close();
  const written = performance.now();
  if (reportFile) {
    await reportFile.write(new TextEncoder().encode(indexDeltaReport({
      version: context.version, core: await coreInfo(engine, platform), accounts: input,
      parameters: { columns: { account: columns.account, units: columns.profit }, decimals, unitsDecimals, loss, scale, rounding, chargeRounding },
      reading: { ...reading, delimiter: rows.delimiter ?? reading.delimiter }, rounded: reading.inputRounding === 'exact' ? undefined : { units: rows.tallies.get('units')! },
      result: { delta: result.delta, totalUnits: result.totalUnits, collected: result.collected, drift: result.drift, accountsCharged: charged },
      output: { file: out ?? '<stdout>', sha256, bytes: sink.bytes, rows: table.rows },
      run: runInfoOf(context, started, read, computed - read, written),
    })));
  }
  await commitAll([outFile ?? null, reportFile ?? null]);
  if (!context.quiet) {
    const tally = rows.tallies.get('units')!;
    if (reading.inputRounding !== 'exact') process.stderr.write(`input rounding ${reading.inputRounding}: ${tally.rounded.toLocaleString('en-US')} ${columns.profit} values rounded, Σ |adjustment| ${tally.text(unitsDecimals)}\n`);
    const amount = (units: bigint) => formatGrouped(units, decimals);
    process.stderr.write(`index delta over ${table.rows.toLocaleString('en-US')} accounts from ${input.file}: delta ${result.delta} / ${scale} per unit, ` +
      `collected ${amount(result.collected)} of ${amount(loss)} (drift ${amount(result.drift)}), ${charged.toLocaleString('en-US')} accounts charged\n`);
  }
}
