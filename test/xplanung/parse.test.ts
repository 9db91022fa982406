// treeOf reads libxml2's tree through libxml2-wasm's internal struct accessors (for speed). Here the
// result is compared, node by node, with a walk through the library's public classes on every real
// plan, so that a libxml2-wasm release changing those internals fails this test.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { XmlCData, XmlDocument, XmlElement, XmlText } from 'libxml2-wasm';
import { DOCUMENT_OPTIONS, lineOf, orderedChildren, treeOf } from '../../src/xplanung/parse.ts';
import type { XmlNode, XmlValue } from '../../src/xplanung/parse.ts';
import { readXPlanArchive } from '../../src/xplanung/validate/archive.ts';
import { describeShared } from '../helpers/shared.ts';
import { REAL_DIR, real } from '../helpers/xplanung.ts';

/** The plain-object shape of parse.ts, built through the public API only; lines and order kept beside it. */
function publicTree(doc: XmlDocument): { node: XmlValue; lines: number[]; ids: Map<string, number> } {
  // lines of the elements that become objects (not text-only leaves), in document order
  const lines: number[] = [];
  const ids = new Map<string, number>();
  const convert = (el: XmlElement): XmlValue => {
    const node: XmlNode = {};
    const at = lines.push(el.line) - 1;
    let attributes = false;
    for (const a of el.attrs) {
      node[`@${a.name}`] = a.value;
      if (a.name === 'id' && a.value) ids.set(a.value, (ids.get(a.value) ?? 0) + 1);
      attributes = true;
    }
    let content = '';
    let elements = false;
    for (let c = el.firstChild; c; c = c.next) {
      if (c instanceof XmlElement) {
        const value = convert(c);
        const before = node[c.name];
        if (before === undefined) node[c.name] = value;
        else if (Array.isArray(before)) before.push(value);
        else node[c.name] = [before, value];
        elements = true;
      } else if (c instanceof XmlText || c instanceof XmlCData) content += c.content;
    }
    const trimmed = content.trim();
    if (!attributes && !elements) {
      lines[at] = -1;
      return trimmed;
    }
    if (trimmed) node['#text'] = trimmed;
    return node;
  };
  const node = convert(doc.root);
  return { node, lines: lines.filter((l) => l !== -1), ids };
}

/** Lines of every element node of a parse.ts tree, in document order (element-only leaves are strings and carry none). */
function linesInOrder(node: XmlNode, out: number[] = []): number[] {
  out.push(lineOf(node) ?? 0);
  for (const c of orderedChildren(node)) linesInOrder(c.node, out);
  return out;
}

describeShared('xplanung/parse: treeOf', () => {
  const files = readdirSync(REAL_DIR).filter((f) => /\.(gml|zip)$/.test(f));

  it('reads every real plan exactly as a walk through the public libxml2-wasm classes does', async function () {
    this.timeout(60_000);
    assert.ok(files.length >= 15, `expected the real plans in ${REAL_DIR}`);
    let compared = 0;
    for (const f of files) {
      let xml = real(f);
      if (f.endsWith('.zip')) {
        const a = await readXPlanArchive(xml);
        if (!a.ok) continue;
        xml = a.content.gml;
      }
      const doc = XmlDocument.fromBuffer(xml, { url: 'document.gml', option: DOCUMENT_OPTIONS });
      try {
        const ours = treeOf(doc);
        const reference = publicTree(doc);
        assert.equal(ours.name, doc.root.name);
        assert.deepEqual(JSON.parse(JSON.stringify(ours.node)), JSON.parse(JSON.stringify(reference.node)), f);
        // element nodes (not text-only leaves) carry their line and their place in document order
        const ourLines = linesInOrder(ours.node);
        assert.ok(ourLines.length > 10, f);
        assert.deepEqual(ourLines, reference.lines, f);
        // every gml:id with how often it occurs (the semantic stage's uniqueness and xlink rules)
        assert.ok(ours.ids.size > 0, f);
        assert.deepEqual([...ours.ids].sort(), [...reference.ids].sort(), f);
        compared++;
      } finally {
        doc.dispose();
      }
    }
    assert.ok(compared >= 15, `compared ${compared} plans`);
  });
});
