import { createReadStream } from "node:fs";
import { BUILTIN_CSV_LAYOUTS } from "./builtin-csv-layouts.ts";
import { BUILTIN_FIXED_LAYOUTS } from "./builtin-fixed-layouts.ts";
import { compileLayout } from "./check-layout.ts";
import { decodeFlatFile } from "./decode-flat-file.ts";

const dir = "/work/shared/corpus/3pl/";
const pairs: [string, string][] = [
  ["bots-plugins__desadv96_fixedwidth.inh", "bots-desadv96"],
  ["bots-plugins__invoic96_fixedwidth.inh", "bots-invoic96"],
  ["bots-plugins__inhouse810_fixedwidth.inh", "bots-inhouse810"],
  ["bots-plugins__orders_flat_csv_test.csv", "bots-orders-flat"],
  ["bots-plugins__articledata01_semicolon.csv", "bots-articledata"],
  ["bots-plugins__alto_ETRHDR_header.csv", "alto-header"],
  ["bots-plugins__alto_ETRDTL_detail.csv", "alto-detail"],
];
for (const [f, name] of pairs) {
  const b = [...BUILTIN_CSV_LAYOUTS, ...BUILTIN_FIXED_LAYOUTS].find((l) => l.name === name)!;
  const c = compileLayout(b.layout, name);
  const r = await decodeFlatFile(createReadStream(dir + f), c, { fileName: f });
  console.log(
    f,
    r.recordCount,
    JSON.stringify(r.recordTypes),
    r.complete,
    r.errors.map((e) => e.message).slice(0, 5),
  );
  if (process.argv[2] === name) console.log(JSON.stringify(r.records.slice(0, 2), null, 1));
}
