/**
 * The configuration schema of a flat-file layout: how a partner's CSV or fixed-width file maps, line by
 * line, to canonical records. Written under `flatFiles.layouts.<name>` in `crossdock.yaml` (the lead
 * plugs `FlatFileLayoutSchema` into the config schema) or built in (`builtin-layouts.ts`).
 *
 * A layout has one or more record definitions. A file with a single kind of line has one, without
 * `type`; a multi-record file (header/detail) says where the record type is (`recordType`: a CSV
 * column, or a fixed-width position) and gives one definition per type value. Each field reads one
 * value (a CSV column by number or header name, or fixed-width `start`/`length`, 1-based), converts
 * it (`type`) and writes it to `target`, a path in the canonical record (`shipmentId`,
 * `order.channelOrderId`, `lines[].sku`: `[]` appends one item per record, `[0]` a fixed item).
 *
 * Documents: a `header` record starts a new document and `detail` records add to it; with `groupBy`,
 * consecutive records with the same value of that field form one document instead. Without either,
 * each record is a document. The schema checks shapes; `compileLayout` (check-layout.ts) checks what
 * a schema cannot (overlaps, duplicates, references) and reports `CDK_FILE_LAYOUT_INVALID` located.
 */
import Type from "typebox";

const closed = { additionalProperties: false } as const;

/** Layout names, as keys of `flatFiles.layouts`. */
export const FLAT_FILE_LAYOUT_NAME_PATTERN = "^[a-z0-9][a-z0-9_-]{0,63}$";
/** A field name: letters, digits, `_` and `-`, starting with a letter. */
export const FIELD_NAME_PATTERN = "^[A-Za-z][A-Za-z0-9_-]{0,63}$";
/** A target path: dotted names, each optionally `[]` (new item per record) or `[n]` (fixed item). */
export const TARGET_PATTERN =
  "^[A-Za-z][A-Za-z0-9]{0,63}(\\[[0-9]{0,3}\\])?(\\.[A-Za-z][A-Za-z0-9]{0,63}(\\[[0-9]{0,3}\\])?){0,7}$";

/** The canonical entities a flat file may produce. */
export const FLAT_FILE_ENTITIES = [
  "shipment",
  "stock-level",
  "receipt",
  "order",
  "invoice",
  "product",
] as const;
export type FlatFileEntity = (typeof FLAT_FILE_ENTITIES)[number];

/** One field of a record: where its text is, how it converts, where it goes. */
export const LayoutFieldSchema = Type.Object(
  {
    name: Type.String({ pattern: FIELD_NAME_PATTERN, description: "unique within its record" }),
    target: Type.Optional(
      Type.String({ pattern: TARGET_PATTERN, description: "path in the canonical record" }),
    ),
    type: Type.Enum(["text", "integer", "decimal", "date", "constant"]),
    /** Default false: an empty value leaves the target unset. */
    required: Type.Optional(Type.Boolean()),
    /** CSV: 1-based column number. */
    column: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    /** CSV with `csv.header: true`: the column's name in the header row. */
    header: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    /** Fixed width: 1-based first character and width in characters. */
    start: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    length: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    /** Default `both` (spaces and tabs). */
    trim: Type.Optional(Type.Enum(["both", "left", "right", "none"])),
    /** Decimal: digits after an implied point when the text has none (`0001250` with 2 = `12.50`). */
    impliedDecimals: Type.Optional(Type.Integer({ minimum: 0, maximum: 12 })),
    /** Decimal: `,` is the decimal separator (`30,00`). */
    decimalComma: Type.Optional(Type.Boolean()),
    /** Date: tokens CCYY or YYYY, YY, MM, DD, HH, mm, ss; anything else is literal (`DD-MM-CCYY`). */
    format: Type.Optional(Type.String({ minLength: 2, maxLength: 32 })),
    /** Date: `timestamp` (default, RFC 3339 in `utcOffset`) or `date`; integer: `string` (default) or `number`. */
    as: Type.Optional(Type.Enum(["timestamp", "date", "string", "number"])),
    /** Date as timestamp: the offset the file's times are in. Default `Z`. */
    utcOffset: Type.Optional(Type.String({ pattern: "^(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$" })),
    /** Constant: the value written (no text is read). */
    value: Type.Optional(Type.Union([Type.String({ maxLength: 1_024 }), Type.Boolean(), Type.Number()])),
    /** Text: translates partner codes (`"S": "shipped"`); a value not listed is an error. */
    map: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 256 }))),
  },
  closed,
);
export type LayoutField = Type.Static<typeof LayoutFieldSchema>;

/** One kind of record (line) of the file. */
export const LayoutRecordSchema = Type.Object(
  {
    /** The record type value (`HEA`, `LIN`, `H`); absent in a single-record layout. */
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    /** `header` starts a document (default), `detail` adds to the current one, `ignore` is skipped. */
    role: Type.Optional(Type.Enum(["header", "detail", "ignore"])),
    fields: Type.Array(LayoutFieldSchema, { maxItems: 500 }),
  },
  closed,
);
export type LayoutRecord = Type.Static<typeof LayoutRecordSchema>;

/** A whole layout. */
export const FlatFileLayoutSchema = Type.Object(
  {
    format: Type.Enum(["csv", "fixed-width"]),
    /** The canonical entity each document becomes; absent: records are read and counted only. */
    entity: Type.Optional(Type.Enum(FLAT_FILE_ENTITIES)),
    description: Type.Optional(Type.String({ maxLength: 1_000 })),
    /** Default `utf8`. Bytes that are not valid UTF-8 are a located error, never replaced silently. */
    encoding: Type.Optional(Type.Enum(["utf8", "latin1"])),
    /** Lines skipped at the start (banners, before a CSV header row). Default 0. */
    skipLines: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000 })),
    /** Longest line (CSV: record) accepted, bytes. Default 65,536; a longer one is an error, skipped. */
    maxLineBytes: Type.Optional(Type.Integer({ minimum: 16, maximum: 16_777_216 })),
    csv: Type.Optional(
      Type.Object(
        {
          /** Default `,`. */
          delimiter: Type.Optional(Type.String({ minLength: 1, maxLength: 4 })),
          /** Default `"`; `""` reads quotes as data. */
          quote: Type.Optional(Type.String({ maxLength: 1 })),
          /** True: the first line (after `skipLines`) names the columns. Default false. */
          header: Type.Optional(Type.Boolean()),
        },
        closed,
      ),
    ),
    /** Where a multi-record file says which record a line is: a CSV column, or fixed `start`/`length`. */
    recordType: Type.Optional(
      Type.Object(
        {
          column: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
          header: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
          start: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
          length: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
        },
        closed,
      ),
    ),
    records: Type.Array(LayoutRecordSchema, { minItems: 1, maxItems: 64 }),
    /** A field name present in every non-ignored record: consecutive records sharing it are one document. */
    groupBy: Type.Optional(Type.String({ pattern: FIELD_NAME_PATTERN })),
    /** Fills what a flat file rarely carries: line totals (quantity x unitPrice), document totals. */
    derive: Type.Optional(
      Type.Object(
        {
          lineTotals: Type.Optional(Type.Boolean()),
          totals: Type.Optional(Type.Boolean()),
          /** Places line totals are rounded to (half-even). Default 2. */
          moneyPlaces: Type.Optional(Type.Integer({ minimum: 0, maximum: 6 })),
        },
        closed,
      ),
    ),
  },
  { ...closed, description: "a CSV or fixed-width file layout" },
);
export type FlatFileLayout = Type.Static<typeof FlatFileLayoutSchema>;

/** `flatFiles.layouts`: layouts by name. */
export const FlatFileLayoutsSchema = Type.Record(
  Type.String({ pattern: FLAT_FILE_LAYOUT_NAME_PATTERN }),
  FlatFileLayoutSchema,
);
