// @graphy/content.xml.scribe ships no types: a transform stream that takes RDFJS quads and emits RDF/XML text.
declare module '@graphy/content.xml.scribe' {
  import type { Duplex } from 'node:stream';
  const scribe: (options?: { prefixes?: Record<string, string> }) => Duplex;
  export default scribe;
}
