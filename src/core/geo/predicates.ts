// Exact geometric predicates on plain coordinates, shared by the coverage test and the ring check.
// Shewchuk's adaptive orientation test (robust-predicates) decides every turn exactly.
import { orient2d } from 'robust-predicates';

/** Sign of the turn a → b → c: 1 left (counter-clockwise), -1 right, 0 in line. robust-predicates counts clockwise as positive. */
export function turn(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const o = orient2d(ax, ay, bx, by, cx, cy);
  return o < 0 ? 1 : o > 0 ? -1 : 0;
}

/** v between a and b, ends included (exact: only comparisons). */
export const between = (a: number, b: number, v: number): boolean => (a < b ? a <= v && v <= b : b <= v && v <= a);
