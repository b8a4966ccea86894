// proc-title-template validation, as Redis does it: the template is expanded with an empty
// title and must parse ({name} variables from a fixed list, "{{" for a brace) and expand to
// something other than blanks.

/** Variables and whether they expand to text when validating (the title itself is empty). */
const VARIABLES: Record<string, boolean> = {
  title: false,
  'listen-addr': true,
  'server-mode': false,
  'config-file': true,
  port: true,
  'tls-port': true,
  unixsocket: false,
};

export function validProcTitleTemplate(template: string): boolean {
  let out = '';
  let p = 0;
  while (p < template.length) {
    const open = template.indexOf('{', p);
    if (open < 0) {
      out += template.slice(p);
      break;
    }
    out += template.slice(p, open);
    const sv = open + 1;
    if (sv >= template.length) return false;
    if (template[sv] === '{') {
      out += '{';
      p = sv + 1;
      continue;
    }
    const close = template.indexOf('}', sv);
    if (close < 0) return false;
    const expands = VARIABLES[template.slice(sv, close)];
    if (expands === undefined) return false;
    if (expands) out += 'x';
    p = close + 1;
  }
  return out.replace(/^ +| +$/g, '') !== '';
}
