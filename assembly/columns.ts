// Reading the book: its record's columns, and an account's eligible amount.

import { BOOK_CANDIDATES, BOOK_CAPS, BOOK_COUNT, BOOK_EXEMPT, BOOK_HAIRCUTS, BOOK_MASK, BOOK_POOL, BOOK_PROFITS, BOOK_WEIGHTS } from './layout';

/** The book record's columns and count (see layout.ts). */
// @ts-ignore: decorator
@inline export function profitsOf(book: usize): usize { return <usize>load<u32>(book + BOOK_PROFITS); }
// @ts-ignore: decorator
@inline export function haircutsOf(book: usize): usize { return <usize>load<u32>(book + BOOK_HAIRCUTS); }
// @ts-ignore: decorator
@inline export function candidatesOf(book: usize): usize { return <usize>load<u32>(book + BOOK_CANDIDATES); }
// @ts-ignore: decorator
@inline export function exemptOf(book: usize): usize { return <usize>load<u32>(book + BOOK_EXEMPT); }
// @ts-ignore: decorator
@inline export function poolOf(book: usize): usize { return <usize>load<u32>(book + BOOK_POOL); }
// @ts-ignore: decorator
@inline export function weightsOf(book: usize): usize { return <usize>load<u32>(book + BOOK_WEIGHTS); }
// @ts-ignore: decorator
@inline export function maskOf(book: usize): usize { return <usize>load<u32>(book + BOOK_MASK); }
// @ts-ignore: decorator
@inline export function countOf(book: usize): u32 { return load<u32>(book + BOOK_COUNT); }

/** The amounts a split shares: the weights when it is by weight, else the profits. */
// @ts-ignore: decorator
@inline export function amountsOf(book: usize, weighted: bool): usize { return weighted ? weightsOf(book) : profitsOf(book); }
/** What makes an account ineligible for a split's shares: the mask when it is by weight (capped, out), else the exempt column. */
// @ts-ignore: decorator
@inline export function exemptionsOf(book: usize, weighted: bool): usize { return weighted ? maskOf(book) : exemptOf(book); }

/** The caps column: the book's, or its profits when it has none (a cap is then max(profit, 0)). */
// @ts-ignore: decorator
@inline export function capsOf(book: usize): usize {
  const caps = <usize>load<u32>(book + BOOK_CAPS);
  return caps != 0 ? caps : profitsOf(book);
}

/** Whether the book has a caps column of its own (its signs are then checked). */
// @ts-ignore: decorator
@inline export function capsGiven(book: usize): bool { return load<u32>(book + BOOK_CAPS) != 0; }

/**
 * Clears the book's exempt column address when no byte of it is set, so that every
 * later phase runs the loops without exemptions. Returns the column in use (or 0).
 */
export function settleExempt(book: usize): usize {
  const exempt = exemptOf(book);
  if (exempt != 0 && !anyNonZero(exempt, <usize>countOf(book))) store<u32>(book + BOOK_EXEMPT, 0);
  return exemptOf(book);
}

/** Whether any of `bytes` bytes at `ptr` is non-zero. */
export function anyNonZero(ptr: usize, bytes: usize): bool {
  let seen: u64 = 0;
  let at = ptr;
  const end = ptr + bytes;
  for (; at + 8 <= end; at += 8) seen |= load<u64>(at);
  for (; at < end; at++) seen |= <u64>load<u8>(at);
  return seen != 0;
}

/** max(p, 0) as unsigned, branch-free. */
// @ts-ignore: decorator
@inline export function positivePart(p: i64): u64 {
  return <u64>select<i64>(p, 0, p > 0);
}

/** Account i's profit if it is eligible (positive, not exempt), else 0. `exempt` 0: no exemptions. */
// @ts-ignore: decorator
@inline export function eligibleProfit(profits: usize, exempt: usize, i: u32): u64 {
  const m = positivePart(load<i64>(profits + (<usize>i << 3)));
  return exempt == 0 || load<u8>(exempt + <usize>i) == 0 ? m : 0;
}

/** All-ones lanes for accounts i and i + 1 when not exempt: their two exempt bytes, read as one u16 (SIMD builds). */
// @ts-ignore: decorator
@inline export function openLanes(exempt: usize, i: u32): v128 {
  const bytes = i64x2.splat(<u64>load<u16>(exempt + <usize>i));
  return i64x2.eq(v128.and(bytes, i64x2(0xFF, 0xFF00)), i64x2.splat(0));
}
