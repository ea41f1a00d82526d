/**
 * What the end-to-end flow tests share on a running hub: the sandbox Odoo's furniture SKUs to order,
 * and waiting for a workflow run to end with a failure that says why it did not.
 */
import type { OdooClient } from "../../src/connectors/odoo/odoo-client.ts";
import type { Store } from "../../src/store/store.ts";
import { until } from "./until.ts";

/** The first `count` furniture products' SKUs (`FURN_...`) of the sandbox Odoo, in code order. */
export async function furnitureSkus(client: OdooClient | undefined, count = 2): Promise<string[]> {
  const products =
    (await client?.searchRead<{ default_code: string }>(
      "product.product",
      [["default_code", "like", "FURN_%"]],
      ["default_code"],
      { order: "default_code asc", limit: count },
    )) ?? [];
  return products.map((p) => p.default_code);
}

/**
 * Waits until the `type` run for `key` has ended (completed, compensated or failed). On timeout the
 * error shows the run's status and error, the open exceptions and what `context()` adds (a sandbox
 * partner's errors).
 */
export async function untilRunEnds(
  store: Store,
  type: string,
  key: string,
  options: { timeoutMs?: number; context?: () => string } = {},
): Promise<void> {
  await until(
    "the run completed",
    async () => {
      const run = await store.workflows.getByKey(type, key);
      return run?.status === "completed" || run?.status === "compensated" || run?.status === "failed";
    },
    options.timeoutMs ?? 60_000,
  ).catch(async (error: Error) => {
    const run = await store.workflows.getByKey(type, key);
    const exceptions = await store.exceptions.list({ status: "open" });
    throw new Error(
      `${error.message}: run ${run?.status} ${JSON.stringify(run?.error)}; exceptions ${JSON.stringify(exceptions.map((e) => e.error.message))}${options.context ? `; ${options.context()}` : ""}`,
    );
  });
}
