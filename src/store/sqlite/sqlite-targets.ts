import type { StoredError } from "../../core/errors.ts";
import { fromJsonOrUndefined, toStoredErrorShape } from "../codec.ts";
import type { TargetState } from "../store.ts";
import type { SqliteContext } from "./sqlite-connection.ts";

/** Pauses a target; claims skip it until `resumeTarget`. Pausing again keeps the newest reason. */
export function pauseTarget(ctx: SqliteContext, target: string, reason: StoredError, now: number): void {
  ctx
    .stmt(
      `INSERT INTO targets (target, paused, reason, paused_at) VALUES (?, 1, ?, ?)
       ON CONFLICT (target) DO UPDATE SET paused = 1, reason = excluded.reason, paused_at = excluded.paused_at`,
    )
    .run(target, JSON.stringify(toStoredErrorShape(reason)), now);
}

/** Resumes a paused target (its reason is cleared); unknown targets are left alone. */
export function resumeTarget(ctx: SqliteContext, target: string): void {
  ctx.stmt("UPDATE targets SET paused = 0, reason = NULL, paused_at = NULL WHERE target = ?").run(target);
}

export function listTargets(ctx: SqliteContext): TargetState[] {
  const rows = ctx.stmt("SELECT * FROM targets ORDER BY target").all() as {
    target: string;
    paused: number;
    reason: string | null;
    paused_at: number | null;
  }[];
  return rows.map((row) => ({
    target: row.target,
    paused: row.paused === 1,
    reason: fromJsonOrUndefined<StoredError>(row.reason),
    pausedAt: row.paused_at ?? undefined,
  }));
}

export function pausedTargetNames(ctx: SqliteContext): string[] {
  return (
    ctx.stmt("SELECT target FROM targets WHERE paused = 1 ORDER BY target").all() as { target: string }[]
  ).map((row) => row.target);
}
