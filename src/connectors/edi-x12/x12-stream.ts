/**
 * The X12 reader for files of any size: bytes arrive in chunks (a file stream, an SFTP download) and
 * leave as envelope events, set by set, through an `X12EnvelopeHandler` (usually the set runner).
 * Memory is one chunk plus one partial segment, whatever the file's size; the mappers decide what
 * else they keep (the 846 mapper keeps one LIN loop).
 *
 * @example
 * const handler = createX12SetRunner(file, { connection: "acme-3pl" }, X12_MAPPERS, { record: save });
 * await streamX12(file, createReadStream(path), handler);
 */
import { sniffX12Bytes } from "./x12-charset.ts";
import { X12EnvelopeChecker, type X12EnvelopeHandler } from "./x12-envelope.ts";
import { problemAt } from "./x12-segment.ts";
import { type X12Limits, X12Tokenizer } from "./x12-tokenizer.ts";

export interface X12StreamOptions extends X12Limits {
  warning?(text: string): void;
}

/** Read state shared by the streaming and the whole-buffer entry points. */
class X12Pipeline {
  readonly #file: string;
  readonly #handler: X12EnvelopeHandler;
  readonly #options: X12StreamOptions;
  #checker: X12EnvelopeChecker;
  #tokenizer: X12Tokenizer;
  #decoder: InstanceType<typeof TextDecoder> | undefined;
  #refused = false;
  #replacementWarned = false;

  constructor(file: string, handler: X12EnvelopeHandler, options: X12StreamOptions) {
    this.#file = file;
    this.#handler = handler;
    this.#options = options;
    this.#checker = new X12EnvelopeChecker(file, handler);
    const checker = this.#checker;
    this.#tokenizer = new X12Tokenizer(
      file,
      {
        segment: (segment, delimiters) => checker.segment(segment, delimiters),
        problem: (problem) => checker.problem(problem),
        warning: (text) => options.warning?.(text),
      },
      options,
    );
  }

  get segmentCount(): number {
    return this.#tokenizer.segmentCount;
  }

  push(chunk: Uint8Array | string): void {
    if (this.#refused || this.#tokenizer.stopped) return;
    if (typeof chunk === "string") {
      this.#tokenizer.push(chunk);
      return;
    }
    if (this.#decoder === undefined) {
      const sniff = sniffX12Bytes(chunk.subarray(0, 64));
      if (sniff.kind === "ebcdic" || sniff.kind === "utf-16") {
        this.#refused = true;
        this.#handler.problem(
          problemAt(
            "CDK_EDI_UNSUPPORTED",
            this.#file,
            { segment: 1, line: 1, tag: "ISA" },
            `the file is encoded in ${sniff.kind === "ebcdic" ? "EBCDIC" : "UTF-16"}; expected ASCII or UTF-8 (convert it before sending)`,
          ),
        );
        return;
      }
      this.#decoder = new TextDecoder("utf-8");
    }
    this.#text(this.#decoder.decode(chunk, { stream: true }));
  }

  end(): void {
    if (!this.#refused && this.#decoder !== undefined) this.#text(this.#decoder.decode());
    if (this.#refused) return;
    this.#tokenizer.end();
    if (this.#tokenizer.segmentCount === 0 && !this.#tokenizer.stopped) {
      this.#handler.problem(
        problemAt(
          "CDK_EDI_SYNTAX",
          this.#file,
          { segment: 1, line: 1 },
          "the file is empty; expected an ISA",
        ),
      );
    }
    this.#checker.end();
  }

  #text(text: string): void {
    if (!this.#replacementWarned && text.includes("\uFFFD")) {
      this.#replacementWarned = true;
      this.#options.warning?.(`${this.#file}: the file has bytes that are not UTF-8; they read as U+FFFD`);
    }
    this.#tokenizer.push(text);
  }
}

/** Streams a file through the envelope checker to `handler`. Never throws for bad content. */
export async function streamX12(
  file: string,
  source: AsyncIterable<Uint8Array | string>,
  handler: X12EnvelopeHandler,
  options: X12StreamOptions = {},
): Promise<{ segmentCount: number }> {
  const pipeline = new X12Pipeline(file, handler, options);
  for await (const chunk of source) pipeline.push(chunk);
  pipeline.end();
  return { segmentCount: pipeline.segmentCount };
}

/** The same for a buffer already in memory, synchronously. */
export function runX12(
  file: string,
  bytes: Uint8Array | string,
  handler: X12EnvelopeHandler,
  options: X12StreamOptions = {},
): { segmentCount: number } {
  const pipeline = new X12Pipeline(file, handler, options);
  pipeline.push(bytes);
  pipeline.end();
  return { segmentCount: pipeline.segmentCount };
}
