// The default code-list mappings shipped in src/core/codelists/*.json (list → code → value), e.g.
// XPlanung Rechtsstand → `kind/audience` of a phase. Tenants override single entries in the store.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type CodeTable = Record<string, Record<string, string>>;

const dir = join(dirname(fileURLToPath(import.meta.url)), 'codelists');
let defaults: CodeTable | undefined;

export function defaultCodeLists(): CodeTable {
  if (!defaults) {
    defaults = {};
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
      const data = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { lists: CodeTable };
      for (const [list, entries] of Object.entries(data.lists)) defaults[list] = { ...defaults[list], ...entries };
    }
  }
  return defaults;
}
