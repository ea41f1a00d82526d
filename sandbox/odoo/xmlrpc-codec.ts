/** Minimal XML-RPC codec: the value types Odoo's clients send (no dates/base64 decoding beyond strings). */

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function xmlUnescape(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (all, code: string) => {
    if (code[0] === "#")
      return String.fromCodePoint(
        code[1] === "x" || code[1] === "X" ? parseInt(code.slice(2), 16) : Number(code.slice(1)),
      );
    return ENTITIES[code] ?? all;
  });
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

type Token = { tag: string; close: boolean; selfClose: boolean } | { text: string };

function tokenize(xml: string): Token[] {
  const tokens: Token[] = [];
  const re = /<(\/?)([A-Za-z0-9_.:-]+)[^>]*?(\/?)>|<\?[^>]*\?>|<!--[\s\S]*?-->|([^<]+)/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    if (m[4] !== undefined) tokens.push({ text: m[4] });
    else if (m[2]) tokens.push({ tag: m[2], close: m[1] === "/", selfClose: m[3] === "/" });
  }
  return tokens;
}

/** A methodCall that is not well-formed for this codec. */
export class XmlRpcParseError extends Error {}

/** Python's marshaller refusing an int beyond 32 bits. */
export class OverflowError extends Error {}

class Parser {
  private pos = 0;
  private readonly tokens: Token[];
  constructor(tokens: Token[]) {
    this.tokens = tokens.filter((t) => !("text" in t) || t.text.trim() !== "" || true);
  }

  private skipSpace(): void {
    for (;;) {
      const t = this.tokens[this.pos];
      if (t && "text" in t && !t.text.trim()) this.pos++;
      else return;
    }
  }

  open(tag: string): boolean {
    this.skipSpace();
    const t = this.tokens[this.pos];
    if (t && "tag" in t && t.tag === tag && !t.close) {
      this.pos++;
      return !t.selfClose;
    }
    throw new XmlRpcParseError(`expected <${tag}>`);
  }

  tryOpen(tag: string): boolean | undefined {
    this.skipSpace();
    const t = this.tokens[this.pos];
    if (t && "tag" in t && t.tag === tag && !t.close) {
      this.pos++;
      return !t.selfClose;
    }
    return undefined;
  }

  close(tag: string): void {
    this.skipSpace();
    const t = this.tokens[this.pos];
    if (t && "tag" in t && t.tag === tag && t.close) {
      this.pos++;
      return;
    }
    throw new XmlRpcParseError(`expected </${tag}>`);
  }

  text(): string {
    const t = this.tokens[this.pos];
    if (t && "text" in t) {
      this.pos++;
      return xmlUnescape(t.text);
    }
    return "";
  }

  value(depth: number): unknown {
    if (depth > 64) throw new XmlRpcParseError("nesting too deep");
    if (!this.open("value")) return "";
    const raw = this.tokens[this.pos];
    if (raw && "text" in raw && this.tokens[this.pos + 1] && "tag" in (this.tokens[this.pos + 1] as Token)) {
      const next = this.tokens[this.pos + 1] as { tag: string; close: boolean };
      if (next.tag === "value" && next.close) {
        this.pos++;
        this.close("value");
        return xmlUnescape(raw.text);
      }
    }
    this.skipSpace();
    const t = this.tokens[this.pos];
    if (t && "tag" in t && t.tag === "value" && t.close) {
      this.pos++;
      return "";
    }
    if (!t || !("tag" in t)) throw new XmlRpcParseError("bad value");
    const type = t.tag;
    let out: unknown;
    if (type === "array") {
      this.open("array");
      const items: unknown[] = [];
      if (this.open("data")) {
        for (;;) {
          this.skipSpace();
          const n = this.tokens[this.pos];
          if (n && "tag" in n && n.tag === "value" && !n.close) items.push(this.value(depth + 1));
          else break;
        }
        this.close("data");
      }
      this.close("array");
      out = items;
    } else if (type === "struct") {
      this.open("struct");
      const obj: Record<string, unknown> = {};
      while (this.tryOpen("member")) {
        this.open("name");
        const name = this.text();
        this.close("name");
        obj[name] = this.value(depth + 1);
        this.close("member");
      }
      this.close("struct");
      out = obj;
    } else if (type === "nil") {
      if (this.open("nil")) this.close("nil");
      out = null;
    } else {
      const hasBody = this.open(type);
      const text = hasBody ? this.text() : "";
      if (hasBody) this.close(type);
      if (type === "int" || type === "i4" || type === "i8") out = parseInt(text, 10);
      else if (type === "double") out = Number(text);
      else if (type === "boolean") out = text.trim() === "1";
      else out = text;
    }
    this.close("value");
    return out;
  }
}

/** `methodCall` -> method name and params. */
export function parseMethodCall(xml: string): { method: string; params: unknown[] } {
  const p = new Parser(tokenize(xml));
  p.open("methodCall");
  p.open("methodName");
  const method = p.text().trim();
  p.close("methodName");
  const params: unknown[] = [];
  if (p.tryOpen("params")) {
    while (p.tryOpen("param")) {
      params.push(p.value(0));
      p.close("param");
    }
    p.close("params");
  }
  return { method, params };
}

/** Encodes a value; throws TypeError on None like Python's marshaller without allow_none. */
export function encodeValue(value: unknown): string {
  if (value === undefined || value === null)
    throw new TypeError("cannot marshal None unless allow_none is enabled");
  if (typeof value === "boolean") return `<value><boolean>${value ? 1 : 0}</boolean></value>`;
  if (typeof value === "number") {
    if (Number.isInteger(value) && (value > 2147483647 || value < -2147483648)) {
      throw new OverflowError("int exceeds XML-RPC limits");
    }
    return Number.isInteger(value)
      ? `<value><int>${value}</int></value>`
      : `<value><double>${value}</double></value>`;
  }
  if (typeof value === "string") return `<value><string>${xmlEscape(value)}</string></value>`;
  if (Array.isArray(value))
    return `<value><array><data>\n${value.map(encodeValue).join("\n")}\n</data></array></value>`;
  const members = Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `<member>\n<name>${xmlEscape(k)}</name>\n${encodeValue(v)}\n</member>`)
    .join("\n");
  return `<value><struct>\n${members}\n</struct></value>`;
}

/** A successful methodResponse. */
export function methodResponse(value: unknown): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n${encodeValue(value)}\n</param>\n</params>\n</methodResponse>\n`;
}

/** A fault methodResponse (faultCode, faultString). */
export function faultResponse(code: number, message: string): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<fault>\n${encodeValue({ faultCode: code, faultString: message })}\n</fault>\n</methodResponse>\n`;
}

/** `methodResponse` -> `{ value }` or `{ fault: { faultCode, faultString } }` (for clients and tests). */
export function parseMethodResponse(xml: string): {
  value?: unknown;
  fault?: { faultCode: number; faultString: string };
} {
  const p = new Parser(tokenize(xml));
  p.open("methodResponse");
  if (p.tryOpen("fault")) {
    return { fault: p.value(0) as { faultCode: number; faultString: string } };
  }
  p.open("params");
  p.open("param");
  return { value: p.value(0) };
}
