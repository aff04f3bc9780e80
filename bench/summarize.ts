// Turns `npm run bench -- --json FILE` reports into the README's summary tables:
// one table per size, one row per profile, the engine against every contender.
//
//   node build/ts/bench/summarize.js report.json [more.json …] [--sizes 1e6,1e7]

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Report {
  rows: { accounts: number; profile: string; contender: string; medianMs: number }[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { sizes: { type: 'string' } } });
const rows = positionals.flatMap((file) => (JSON.parse(readFileSync(file, 'utf8')) as Report).rows);
const sizes = values.sizes ? values.sizes.split(',').map(Number) : [...new Set(rows.map((r) => r.accounts))];

const ms = (v: number | undefined): string => (v === undefined ? '—' : v < 1 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
const times = (v: number | undefined): string => (v === undefined ? '—' : v < 10 ? `${v.toFixed(1)}×` : `${v.toFixed(0)}×`);

for (const n of sizes) {
  const at = rows.filter((r) => r.accounts === n);
  const profiles = [...new Set(at.map((r) => r.profile))];
  console.log(`**${n.toLocaleString('en-US')} accounts** (ms; × = times the engine's book path)\n`);
  console.log('| profile | copy floor | engine (book) | book ÷ copy | engine.socialize() | fast JS | reference |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const profile of profiles) {
    const get = (contender: string) => at.find((r) => r.profile === profile && r.contender === contender)?.medianMs;
    const engine = get('engine (book)')!;
    const relative = (contender: string) => {
      const v = get(contender);
      return v === undefined ? '—' : `${ms(v)} (${times(v / engine)})`;
    };
    console.log(`| ${profile} | ${ms(get('copy floor'))} | ${ms(engine)} | ${times(engine / get('copy floor')!)} | ${ms(get('engine.socialize()'))} | ${relative('fast JS')} | ${relative('reference')} |`);
  }
  console.log('');
}
