/**
 * 846 (inventory inquiry/advice, a 3PL's or supplier's stock report) to canonical `stock-level` records,
 * streamed: each LIN loop is emitted when the next LIN (or CTT/SE) arrives, so a 100,000-SKU report
 * holds one item at a time.
 *
 * - `asOf` is BIA04 (date) + BIA05 (time) in the partner's offset; `source` is the connection name.
 * - The warehouse is the N1*WH (or SF) id, else the partner's configured `warehouse`.
 * - Per LIN: the SKU from LIN02/03.. pairs by qualifier preference; QTY01 `17` on hand, `33` available
 *   for sale, `63` on order (incoming); QTY02 quantity; QTY03 unit (else `EA`). With only one of on
 *   hand / available, the other equals it; `reserved` is on hand minus available (never negative).
 * - SDQ (destination quantities: SDQ03/04, 05/06, ... location and quantity pairs) gives one stock level
 *   per location of the item, with the location as warehouse.
 */
import { compareDecimals, subtractDecimals } from "../../core/model/decimal.ts";
import {
  DEFAULT_SKU_QUALIFIERS,
  pickSku,
  type X12MapperFactory,
  type X12SetContext,
  type X12SetMapper,
} from "./x12-mapping.ts";
import { emitChecked, X12Origins } from "./x12-record-check.ts";
import { el, elementProblem, problemAt, type X12Problem, type X12Segment } from "./x12-segment.ts";
import { uomFromX12, x12Decimal, x12Timestamp } from "./x12-values.ts";

const CODE = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$/;

interface Item {
  readonly lin: X12Segment;
  readonly sku: string;
  onHand?: string;
  available?: string;
  incoming?: string;
  uom?: string;
  qty?: X12Segment;
  readonly sdq: X12Segment[];
}

class StockMapper implements X12SetMapper {
  readonly #context: X12SetContext;
  #asOf: string | undefined;
  #warehouse: string | undefined;
  #item: Item | undefined;
  #items = 0;

  constructor(context: X12SetContext) {
    this.#context = context;
    this.#warehouse = context.options.warehouse;
  }

  segment(seg: X12Segment): X12Problem | undefined {
    const file = this.#context.file;
    switch (seg.tag) {
      case "BIA": {
        this.#asOf = x12Timestamp(el(seg, 4), el(seg, 5), this.#context.options.timeZoneOffset ?? "Z");
        if (this.#asOf === undefined)
          return elementProblem(
            "CDK_EDI_CONTENT",
            file,
            seg,
            4,
            `BIA04 (report date) is "${el(seg, 4)}"; expected a date CCYYMMDD`,
          );
        return undefined;
      }
      case "N1":
        if ((el(seg, 1) === "WH" || el(seg, 1) === "SF") && CODE.test(el(seg, 4).trim()))
          this.#warehouse = el(seg, 4).trim();
        return undefined;
      case "LIN": {
        const problem = this.#flush();
        if (problem !== undefined) return problem;
        const sku = pickSku(seg, 2, 31, this.#context.options.skuQualifiers ?? DEFAULT_SKU_QUALIFIERS);
        if (sku === undefined)
          return elementProblem(
            "CDK_EDI_CONTENT",
            file,
            seg,
            3,
            "no product id in LIN02..LIN31; expected a qualifier (VP, UP, ...) and an id",
          );
        this.#item = { lin: seg, sku: sku.sku, sdq: [] };
        return undefined;
      }
      case "QTY":
        return this.#qty(seg);
      case "SDQ":
        this.#item?.sdq.push(seg);
        return undefined;
      case "CTT":
        return this.#flush();
      default:
        return undefined;
    }
  }

  end(): X12Problem | undefined {
    const problem = this.#flush();
    if (problem !== undefined) return problem;
    if (this.#items === 0) {
      const st = this.#context.st;
      return problemAt(
        "CDK_EDI_CONTENT",
        this.#context.file,
        { segment: st.index, line: st.line, tag: "ST" },
        "the 846 has no LIN item; expected at least one",
      );
    }
    return undefined;
  }

  #qty(seg: X12Segment): X12Problem | undefined {
    const item = this.#item;
    if (item === undefined) return undefined;
    const quantity = x12Decimal(el(seg, 2));
    if (quantity === undefined)
      return elementProblem(
        "CDK_EDI_CONTENT",
        this.#context.file,
        seg,
        2,
        `QTY02 (quantity) is "${el(seg, 2)}"; expected a number`,
      );
    const unit = el(seg, 3).split(this.#context.delimiters.component ?? "\u0000")[0] ?? "";
    const qualifier = el(seg, 1).trim();
    if (qualifier === "17") item.onHand = quantity;
    else if (qualifier === "33") item.available = quantity;
    else if (qualifier === "63") item.incoming = quantity;
    else return undefined;
    item.uom ??= uomFromX12(unit);
    item.qty ??= seg;
    return undefined;
  }

  #flush(): X12Problem | undefined {
    const item = this.#item;
    if (item === undefined) return undefined;
    this.#item = undefined;
    this.#items++;
    const file = this.#context.file;
    if (this.#asOf === undefined) {
      const st = this.#context.st;
      return problemAt(
        "CDK_EDI_CONTENT",
        file,
        { segment: st.index, line: st.line, tag: "BIA" },
        "no BIA with the report date before the first LIN; expected BIA04",
      );
    }
    if (this.#warehouse === undefined) {
      return elementProblem(
        "CDK_EDI_CONTENT",
        file,
        item.lin,
        1,
        "no N1*WH warehouse in the 846 and none configured for the partner; expected one",
      );
    }
    if (item.sdq.length > 0) {
      for (const sdq of item.sdq) {
        for (let i = 3; i < 22; i += 2) {
          const location = el(sdq, i).trim();
          if (location === "") continue;
          const quantity = x12Decimal(el(sdq, i + 1));
          if (quantity === undefined)
            return elementProblem(
              "CDK_EDI_CONTENT",
              file,
              sdq,
              i + 1,
              `SDQ quantity is "${el(sdq, i + 1)}"; expected a number`,
            );
          const problem = this.#emit(item, sdq, location, quantity, quantity, uomFromX12(el(sdq, 1)));
          if (problem !== undefined) return problem;
        }
      }
      return undefined;
    }
    const onHand = item.onHand ?? item.available;
    if (onHand === undefined || item.qty === undefined) {
      return elementProblem(
        "CDK_EDI_CONTENT",
        file,
        item.lin,
        3,
        `item ${item.sku} has no QTY*17 (on hand) or QTY*33 (available); expected one`,
      );
    }
    return this.#emit(item, item.qty, this.#warehouse, onHand, item.available ?? onHand, item.uom);
  }

  #emit(
    item: Item,
    at: X12Segment,
    warehouse: string,
    onHand: string,
    available: string,
    uom: string | undefined,
  ): X12Problem | undefined {
    const reserved = compareDecimals(onHand, available) > 0 ? subtractDecimals(onHand, available) : "0";
    const origins = new X12Origins(at);
    origins.set("/sku", item.lin, 3);
    const value = {
      schemaVersion: 1,
      sku: item.sku,
      warehouse,
      uom: uom ?? "EA",
      onHand,
      reserved,
      available,
      ...(item.incoming === undefined ? {} : { incoming: item.incoming }),
      asOf: this.#asOf,
      source: this.#context.options.connection,
    };
    return emitChecked(this.#context, "stock-level", value, origins);
  }
}

/** The 846 mapper. */
export const x12StockMapper: X12MapperFactory = {
  type: "846",
  entity: "stock-level",
  create: (context) => new StockMapper(context),
};
