/**
 * `crossdock odoo check`: before a first run, tells what an Odoo database lacks for Crossdock: the
 * version and transport, whether the bot user's key is accepted, the modules Crossdock needs, and the
 * bot user's rights on each model and operation the actions use. Every finding says what to do.
 */
import { CrossdockError } from "../../core/errors.ts";
import type { OdooClient } from "./odoo-client.ts";

export interface CheckFinding {
  what: string;
  ok: boolean;
  /** Required findings fail the check; optional ones only warn. */
  required: boolean;
  detail: string;
}

export interface OdooCheckReport {
  version?: number;
  transport?: string;
  findings: CheckFinding[];
  /** True when every required finding is ok. */
  ok: boolean;
}

const MODULES: { name: string | ((major: number) => string); required: boolean; why: string }[] = [
  { name: "sale_management", required: true, why: "sale orders" },
  { name: "stock", required: true, why: "deliveries, receipts and stock levels" },
  { name: "account", required: true, why: "invoices and payments" },
  { name: "purchase", required: false, why: "purchase orders (procure-to-pay)" },
  {
    name: (major) => (major === 16 ? "delivery" : "stock_delivery"),
    required: false,
    why: "carriers and tracking references",
  },
  { name: "base_automation", required: false, why: "webhook wake-ups (polling works without it)" },
];

const RIGHTS: [model: string, operations: string[], required: boolean][] = [
  ["res.partner", ["read", "create", "write"], true],
  ["product.product", ["read"], true],
  ["sale.order", ["read", "create", "write"], true],
  ["stock.picking", ["read", "write"], true],
  ["stock.move", ["read", "write"], true],
  ["stock.quant", ["read", "create", "write"], true],
  ["account.move", ["read", "write"], true],
  ["account.payment", ["read", "create"], true],
  ["ir.model.data", ["read"], true],
  ["purchase.order", ["read", "create", "write"], false],
];

export async function checkOdoo(client: OdooClient): Promise<OdooCheckReport> {
  const findings: CheckFinding[] = [];
  let info: Awaited<ReturnType<OdooClient["connect"]>>;
  try {
    info = await client.connect();
  } catch (error) {
    const message = error instanceof CrossdockError ? `${error.code}: ${error.message}` : String(error);
    findings.push({ what: "connect and authenticate", ok: false, required: true, detail: message });
    return { findings, ok: false };
  }
  findings.push({
    what: "connect and authenticate",
    ok: true,
    required: true,
    detail: `Odoo ${info.major} over ${info.transport}${info.uid === undefined ? "" : `, bot user id ${info.uid}`}`,
  });
  const names = MODULES.map((m) => (typeof m.name === "function" ? m.name(info.major) : m.name));
  const installed = new Set(
    (
      await client
        .searchRead<{ name: string; state: string }>(
          "ir.module.module",
          [
            ["name", "in", names],
            ["state", "=", "installed"],
          ],
          ["name", "state"],
        )
        .catch(() => [])
    ).map((m) => m.name),
  );
  MODULES.forEach((module, i) => {
    const name = names[i] as string;
    const ok = installed.has(name);
    findings.push({
      what: `module ${name}`,
      ok,
      required: module.required,
      detail: ok
        ? `installed (${module.why})`
        : `not installed: needed for ${module.why}; install it in Apps`,
    });
  });
  for (const [model, operations, required] of RIGHTS) {
    const missing: string[] = [];
    for (const operation of operations) {
      if (!(await hasAccess(client, model, operation))) missing.push(operation);
    }
    findings.push({
      what: `rights on ${model}`,
      ok: missing.length === 0,
      required,
      detail:
        missing.length === 0
          ? operations.join(", ")
          : `missing ${missing.join(", ")}: add the bot user to a group that grants them (e.g. Sales / Inventory / Invoicing administrator)`,
    });
  }
  return {
    version: info.major,
    transport: info.transport,
    findings,
    ok: findings.every((f) => f.ok || !f.required),
  };
}

async function hasAccess(client: OdooClient, model: string, operation: string): Promise<boolean> {
  const probe = client.dialect.accessProbe;
  try {
    const answer =
      probe === "has_access"
        ? await client.call({ model, method: "has_access", ids: [], params: { operation } }, { safe: true })
        : await client.call(
            { model, method: "check_access_rights", params: { operation, raise_exception: false } },
            { safe: true },
          );
    return answer === true;
  } catch (error) {
    // An unknown model (module missing) or a refused probe both mean: not usable.
    if (error instanceof CrossdockError && error.failureClass !== "transient") return false;
    throw error;
  }
}
