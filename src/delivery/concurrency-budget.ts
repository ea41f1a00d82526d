/**
 * Counts a worker's jobs in flight, in total and per target, and turns the budgets into claim options.
 *
 * A claim can return several jobs of one target, and a claimed job cannot be handed back, so the plan's
 * `limit` is never more than the smallest room left on any target that may still be claimed: whatever
 * mix of targets the store returns, no budget is exceeded. A target with no room is excluded from the
 * claim. The cost is smaller batches while a tight budget is configured, which is cheap next to a
 * target receiving more parallel calls than it allows.
 */
export interface ClaimPlan {
  /** How many jobs to claim; 0 means the worker is full. */
  limit: number;
  excludeTargets: string[];
}

export interface ConcurrencyBudget {
  readonly inFlight: number;
  inFlightFor(target: string): number;
  acquire(target: string): void;
  release(target: string): void;
  plan(): ClaimPlan;
}

export interface ConcurrencyBudgetOptions {
  /** Jobs in flight across all targets. */
  total: number;
  /** Budgets of the targets that have their own; `defaultPerTarget` for the rest. */
  perTarget: ReadonlyMap<string, number>;
  defaultPerTarget: number;
}

export function createConcurrencyBudget(options: ConcurrencyBudgetOptions): ConcurrencyBudget {
  const running = new Map<string, number>();
  let total = 0;
  const budgetOf = (target: string) => options.perTarget.get(target) ?? options.defaultPerTarget;

  return {
    get inFlight() {
      return total;
    },
    inFlightFor: (target) => running.get(target) ?? 0,
    acquire(target) {
      running.set(target, (running.get(target) ?? 0) + 1);
      total++;
    },
    release(target) {
      const held = running.get(target) ?? 0;
      if (held === 0) return;
      if (held > 1) running.set(target, held - 1);
      else running.delete(target);
      total--;
    },
    plan() {
      let limit = Math.max(0, options.total - total);
      // Unseen targets get the default budget, so it bounds the batch too.
      limit = Math.min(limit, options.defaultPerTarget);
      const excludeTargets: string[] = [];
      const targets = new Set([...options.perTarget.keys(), ...running.keys()]);
      for (const target of targets) {
        const room = budgetOf(target) - (running.get(target) ?? 0);
        if (room <= 0) excludeTargets.push(target);
        else limit = Math.min(limit, room);
      }
      return { limit, excludeTargets };
    },
  };
}
