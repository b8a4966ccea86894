// Number formatting that matches the C printf formats Redis uses in replies.

function stripZeros(s: string): string {
  if (s.indexOf('.') < 0) return s;
  s = s.replace(/0+$/, '');
  return s.endsWith('.') ? s.slice(0, -1) : s;
}

/** printf("%.17g") — how Redis prints doubles in replies (ZSCORE, GEODIST, ...). */
export function fmtG17(d: number): string {
  return fmtG(d, 17);
}

/** printf("%.<prec>g") for a finite or infinite double, with Redis's inf/-inf/nan spelling. */
export function fmtG(d: number, prec: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const exp = Number(d.toExponential(prec - 1).split('e')[1]);
  if (exp < -4 || exp >= prec) {
    const [m, e] = d.toExponential(prec - 1).split('e') as [string, string];
    const en = Number(e);
    const ae = Math.abs(en);
    return stripZeros(m) + 'e' + (en < 0 ? '-' : '+') + (ae < 10 ? '0' + ae : String(ae));
  }
  return stripZeros(d.toFixed(Math.max(0, prec - 1 - exp)));
}
