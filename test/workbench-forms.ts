// The workbench's controls as a test sets them, and the command line they
// stand for: shared by the Node suite (workbench.test.ts) and the browser's.
import type { WorkbenchForm } from '../src/workbench/jobs.js';

/** The form with every control empty but the ones given. */
export function form(values: Partial<WorkbenchForm>): WorkbenchForm {
  return {
    decimals: '', loss: '', insuranceFund: '', accountColumn: '', profitColumn: '', poolColumn: '', exemptColumn: '', weightColumn: '',
    weightDecimals: '', capColumn: '', rounding: '', tieSeed: '', delimiter: '', decimalComma: '', inputRounding: '', ...values,
  };
}

/** The options of the command line the form stands for. */
export function optionsOf(f: WorkbenchForm, pools: string | null): string[] {
  const args: string[] = [];
  const add = (flag: string, value: string) => {
    if (value !== '') args.push(flag, value);
  };
  add('--decimals', f.decimals);
  add('--account-column', f.accountColumn);
  add('--profit-column', f.profitColumn);
  add('--pool-column', f.poolColumn);
  if (f.poolColumn !== '' && pools !== null) args.push('--pools', pools);
  if (f.poolColumn === '') {
    add('--loss', f.loss);
    add('--insurance-fund', f.insuranceFund);
  }
  add('--exempt-column', f.exemptColumn);
  add('--weight-column', f.weightColumn);
  add('--weight-decimals', f.weightDecimals);
  add('--cap-column', f.capColumn);
  add('--rounding', f.rounding);
  add('--tie-seed', f.tieSeed);
  add('--delimiter', f.delimiter);
  if (f.decimalComma === 'true') args.push('--decimal-comma');
  add('--input-rounding', f.inputRounding);
  return args;
}

/** A command line's report as the page writes it: without what only a command run knows. */
export function withoutRun(text: string): string {
  const { node: _n, commandLine: _c, writtenAt: _w, timingsMs: _t, maxResidentBytes: _m, ...rest } = JSON.parse(text) as Record<string, unknown>;
  return JSON.stringify(rest, null, 2) + '\n';
}

/** Each form field's control on the page, by its visible label, and whether it is a select. */
export const CONTROLS: Record<keyof WorkbenchForm, { label: string; select: boolean }> = {
  decimals: { label: 'Decimals', select: false },
  loss: { label: 'Loss', select: false },
  insuranceFund: { label: 'Insurance fund', select: false },
  accountColumn: { label: 'Account column', select: true },
  profitColumn: { label: 'Profit column', select: true },
  poolColumn: { label: 'Pool column', select: true },
  exemptColumn: { label: 'Exempt column', select: true },
  weightColumn: { label: 'Weight column', select: true },
  weightDecimals: { label: 'Weight decimals', select: false },
  capColumn: { label: 'Cap column', select: true },
  rounding: { label: 'Rounding', select: true },
  tieSeed: { label: 'Tie seed', select: false },
  delimiter: { label: 'Delimiter', select: true },
  decimalComma: { label: 'Decimal comma', select: false },
  inputRounding: { label: 'Input rounding', select: true },
};
