// Numbers in the German text of findings and of the report page. A German reader takes the point for
// the thousands separator ("40.607 m²" reads as forty thousand), so the decimal mark is a comma, and
// digits are grouped with a narrow no-break space (DIN 5008, unambiguous for any reader), from five
// digits on as the Duden has it. The JSON's machine fields (marker WKT, line) keep their own forms.

/** The narrow no-break space that groups the digits: a line never breaks inside a number. */
export const DIGIT_GROUP = '\u202F';

/** Between a number and its unit, a no-break space: "0,0045" and "m²" stay on one line (DIN 5008). */
export const UNIT_SPACE = '\u00A0';

const formats = new Map<number, Intl.NumberFormat>();

function formatOf(fractionDigits: number): Intl.NumberFormat {
  let f = formats.get(fractionDigits);
  if (!f) formats.set(fractionDigits, (f = new Intl.NumberFormat('de-DE', { maximumFractionDigits: fractionDigits, useGrouping: false })));
  return f;
}

/** Groups of three digits in the integer part of a German number, from five digits on ("12 345,6", "4900"). */
function grouped(text: string): string {
  return text.replace(/^(-?)(\d{5,})/, (_m, sign: string, digits: string) => sign + digits.replace(/\B(?=(\d{3})+$)/g, DIGIT_GROUP));
}

/** A number in German, with at most `fractionDigits` decimals (trailing zeros dropped): 0.002 → "0,002". */
export function germanNumber(n: number, fractionDigits = 3): string {
  const text = formatOf(fractionDigits).format(n);
  return grouped(text === '-0' ? '0' : text);
}

/** A count in German ("1234", "12 345"). */
export function germanCount(n: number): string {
  return germanNumber(n, 0);
}

/**
 * An area in m², as precise as it is worth reading: three significant digits, whole m² from 1000 m² on,
 * never finer than a mm² (a reportable sliver holds a disc of 1 mm radius): 40.607 → "40,6 m²",
 * 0.00512 → "0,00512 m²", 12345.6 → "12 346 m²", with a no-break space before the unit.
 */
export function germanArea(m2: number): string {
  const magnitude = m2 === 0 ? 0 : Math.floor(Math.log10(Math.abs(m2)));
  return `${germanNumber(m2, Math.min(6, Math.max(0, 2 - magnitude)))}${UNIT_SPACE}m²`;
}

/** Coordinates always with their three decimals, so that the numbers of a column line up. */
const COORDINATE = new Intl.NumberFormat('de-DE', { minimumFractionDigits: 3, maximumFractionDigits: 3, useGrouping: false });

/**
 * A point of the plan's CRS in German, to the millimetre: "(553012,878; 5934985,988)". The decimal
 * comma needs another separator between the two numbers: a semicolon, as German writes a point
 * (P(1,5; 2)). Not grouped, as a GIS or a surveyor shows a coordinate.
 */
export function germanPoint(x: number, y: number): string {
  return `(${COORDINATE.format(x)}; ${COORDINATE.format(y)})`;
}

/**
 * A decimal literal of a document or schema (an XSD bound such as "0.5") in German, digit for digit
 * (no rounding through a float); anything that is not a plain decimal is returned as it is.
 */
export function germanLiteral(literal: string): string {
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(literal);
  if (!m) return literal;
  return `${m[1] === '-' ? '-' : ''}${grouped(m[2]!)}${m[3] ? `,${m[3]}` : ''}`;
}
