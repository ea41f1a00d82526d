/** One RPC served by the sandbox. */
export interface CallRecord {
  transport: "jsonrpc" | "json2" | "session" | "xmlrpc";
  db: string;
  uid: number | false;
  model: string;
  method: string;
  /** Records read or written by the call (the per-record latency base). */
  records: number;
  startedAt: number;
  durationMs: number;
  /** `ok`, `error:<odoo exception name>`, `fault:<kind>`, or `denied` for a refused login. */
  outcome: string;
}

/** Every RPC served, in completion order; tests and the control route read it. */
export class CallLog {
  private entries: CallRecord[] = [];

  add(record: CallRecord): void {
    this.entries.push(record);
  }

  all(): readonly CallRecord[] {
    return this.entries;
  }

  /** Calls of one model and (optionally) method. */
  of(model: string, method?: string): CallRecord[] {
    return this.entries.filter((e) => e.model === model && (method === undefined || e.method === method));
  }

  reset(): void {
    this.entries = [];
  }
}
