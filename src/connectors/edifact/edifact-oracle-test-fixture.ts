/**
 * The `edifact` npm package (a devDependency) as an independent oracle for tests: its streaming
 * `Parser` without definitions gives the raw segments; its `Reader` also checks every element against
 * its UN/EDIFACT element and segment definitions (formats and lengths). Test-only: excluded from the
 * build by its `-test-fixture` name.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export interface OracleSegment {
  readonly name: string;
  readonly elements: string[][];
}

interface OracleParser {
  encoding(level: string): void;
  onopensegment: (name: string) => void;
  onelement: () => void;
  oncomponent: (value: string) => void;
  onclosesegment: () => void;
  write(text: string): void;
  end(): void;
}

/** The segments as the `edifact` package's Parser reads them (any character set, no definitions). */
export function oracleSegments(text: string): OracleSegment[] {
  const Parser = require("edifact/parser.js") as new () => OracleParser;
  const parser = new Parser();
  parser.encoding("UNOY");
  const result: OracleSegment[] = [];
  let elements: string[][] = [];
  let components: string[] = [];
  parser.onopensegment = (name) => {
    elements = [];
    result.push({ name, elements });
  };
  parser.onelement = () => {
    components = [];
    elements.push(components);
  };
  parser.oncomponent = (value) => components.push(value);
  parser.onclosesegment = () => {};
  parser.write(text);
  parser.end();
  return result;
}

/** The `edifact` package's validating Reader; throws what it refuses (a too-long or ill-typed element). */
export function oracleValidated(text: string): OracleSegment[] {
  const Reader = require("edifact/reader.js") as new (
    config: object,
  ) => { parse(text: string): OracleSegment[] };
  return new Reader({ autoDetectEncoding: true }).parse(text);
}
