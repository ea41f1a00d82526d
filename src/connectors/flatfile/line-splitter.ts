/**
 * Splits a byte stream into physical lines (`\n` or `\r\n`) with a hard cap on a line's length, so a
 * hostile file (one 2 GB line, a binary blob without newlines) costs at most `maxLineBytes` of memory.
 * An over-long line is dropped and reported (`tooLong`), and the next line is read normally.
 *
 * Two outputs: `lines` mode pushes `{ line, bytes }` objects (the fixed-width decoder); `bytes` mode
 * passes the bytes through unchanged except that an over-long line becomes an empty line, which keeps
 * the line numbers csv-parse counts aligned with the file's (csv-parse's own `max_record_size` stops
 * reading the rest of the file after the first over-long record, which loses good records).
 */
import { Transform, type TransformCallback } from "node:stream";

/** One physical line (1-based number) without its terminator, or the report of an over-long one. */
export type SplitLine =
  | { readonly line: number; readonly bytes: Buffer }
  | { readonly line: number; readonly tooLong: number };

export interface LineSplitterOptions {
  readonly maxLineBytes: number;
  readonly mode: "lines" | "bytes";
  /** Called for each over-long line (both modes). */
  readonly onTooLong?: (line: number, bytes: number) => void;
}

export class LineSplitter extends Transform {
  readonly #max: number;
  readonly #mode: "lines" | "bytes";
  readonly #onTooLong: ((line: number, bytes: number) => void) | undefined;
  #parts: Buffer[] = [];
  #size = 0;
  #skipping = false;
  #line = 1;

  constructor(options: LineSplitterOptions) {
    super({ readableObjectMode: options.mode === "lines" });
    this.#max = options.maxLineBytes;
    this.#mode = options.mode;
    this.#onTooLong = options.onTooLong;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let from = 0;
    while (from < chunk.length) {
      const newline = chunk.indexOf(10, from);
      const end = newline < 0 ? chunk.length : newline;
      this.#take(chunk.subarray(from, end));
      if (newline < 0) break;
      this.#endLine(true);
      from = newline + 1;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.#size > 0 || this.#skipping) this.#endLine(false);
    done();
  }

  #take(part: Buffer): void {
    if (part.length === 0) return;
    this.#size += part.length;
    if (this.#skipping) return;
    if (this.#size > this.#max) {
      this.#skipping = true;
      this.#parts = [];
      return;
    }
    this.#parts.push(Buffer.from(part)); // a copy: the chunk may be reused by the source
  }

  #endLine(terminated: boolean): void {
    const line = this.#line++;
    if (this.#skipping) {
      this.#onTooLong?.(line, this.#size);
      if (this.#mode === "lines") this.push({ line, tooLong: this.#size } satisfies SplitLine);
      else if (terminated) this.push(Buffer.from("\n"));
    } else {
      let bytes = this.#parts.length === 1 ? (this.#parts[0] as Buffer) : Buffer.concat(this.#parts);
      if (this.#mode === "bytes") this.push(terminated ? Buffer.concat([bytes, Buffer.from("\n")]) : bytes);
      else {
        if (bytes.length > 0 && bytes[bytes.length - 1] === 13) bytes = bytes.subarray(0, bytes.length - 1);
        this.push({ line, bytes } satisfies SplitLine);
      }
    }
    this.#parts = [];
    this.#size = 0;
    this.#skipping = false;
  }
}
