import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runCli } from "../../src/cli/main.ts";
import { systemClock } from "../../src/core/clock.ts";
import { createIdGenerator } from "../../src/core/ids.ts";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.ts";

let dir: string;
let configFile: string;

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env: {}, cwd: dir });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "crossdock-cli-"));
  configFile = join(dir, "crossdock.yaml");
  await writeFile(
    configFile,
    `version: 1
store:
  url: sqlite:hub.db
connections:
  shop: { type: webhook-json }
`,
  );
});
after(() => rm(dir, { recursive: true, force: true }));

test("validate reports a valid file and its essentials", async () => {
  const { code, out } = await cli("validate");
  assert.equal(code, 0);
  assert.match(out, /crossdock\.yaml is valid: environment dev, store sqlite:.*hub\.db, 1 connections/);
});

test("validate points at every problem with file:line:column and exits 1", async () => {
  const bad = join(dir, "bad.yaml");
  await writeFile(bad, "version: 1\nstore:\n  poolSize: ten\nserver:\n  prot: 80\n");
  const { code, err } = await cli("--config", bad, "validate");
  assert.equal(code, 1);
  assert.match(err, /error CDK_CONFIG_INVALID/);
  assert.match(err, /bad\.yaml:3:\d+ store\.poolSize/);
  assert.match(err, /bad\.yaml:5:\d+ server/);
});

test("a missing config file is a clear error", async () => {
  const { code, err } = await cli("--config", "nowhere.yaml", "status");
  assert.equal(code, 1);
  assert.match(err, /CDK_CONFIG_NOT_FOUND/);
  assert.match(err, /nowhere\.yaml/);
});

test("status, exceptions ls/show/retry/discard and replay work on the configured store", async () => {
  const store = await createSqliteStore({
    path: join(dir, "hub.db"),
    clock: systemClock,
    ids: createIdGenerator(systemClock),
  });
  await store.migrate();
  await store.jobs.enqueue([
    { target: "wms", kind: "ship", idempotencyKey: "k-1", payload: { order: "SO1" } },
    { target: "wms", kind: "ship", idempotencyKey: "k-2", payload: { order: "SO2" } },
  ]);
  const claimed = await store.jobs.claim({ workerId: "t", leaseMs: 60_000, limit: 2 });
  const ids: string[] = [];
  for (const job of claimed) {
    const outcome = await store.jobs.fail(job, {
      code: "CDK_TARGET_REJECTED",
      message: `refused ${job.idempotencyKey}`,
      failureClass: "business",
    });
    assert.equal(outcome.outcome, "exception");
    if (outcome.outcome === "exception") ids.push(outcome.exceptionId);
  }
  await store.close();

  const status = await cli("status");
  assert.equal(status.code, 0);
  assert.match(status.out, /exceptions\s+2 open/);

  const ls = await cli("exceptions", "ls");
  assert.match(ls.out, /CDK_TARGET_REJECTED/);
  assert.match(ls.out, new RegExp(ids[0]!));

  const show = await cli("exceptions", "show", ids[0]!);
  assert.match(show.out, /refused k-1|refused k-2/);
  assert.match(show.out, /payload:/);

  const retry = await cli(
    "exceptions",
    "retry",
    ids[0]!,
    "--payload",
    '{"order":"SO1","fixed":true}',
    "--by",
    "ana",
  );
  assert.equal(retry.code, 0, retry.err);
  assert.match(retry.out, /edited payload/);
  const badPayload = await cli("exceptions", "retry", ids[1]!, "--payload", "{oops");
  assert.equal(badPayload.code, 2);
  assert.match(badPayload.err, /--payload is not valid JSON/);

  const noReason = await cli("exceptions", "discard", ids[1]!);
  assert.equal(noReason.code, 2);
  const discard = await cli("exceptions", "discard", ids[1]!, "--reason", "cancelled in Odoo", "--by", "ana");
  assert.equal(discard.code, 0, discard.err);
  const again = await cli("exceptions", "discard", ids[1]!, "--reason", "twice");
  assert.equal(again.code, 1);
  assert.match(again.err, /CDK_EXCEPTION_NOT_OPEN/);

  const open = await cli("--json", "exceptions", "ls");
  assert.deepEqual(JSON.parse(open.out), []);

  const noTarget = await cli("replay");
  assert.equal(noTarget.code, 2);
  const unknown = await cli("replay", "--job", "job_nope");
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /CDK_JOB_NOT_FOUND/);
});

test("a message whose processing job is not made yet: status counts it, replay says why it cannot", async () => {
  const store = await createSqliteStore({
    path: join(dir, "hub.db"),
    clock: systemClock,
    ids: createIdGenerator(systemClock),
  });
  await store.migrate();
  const receipt = await store.inbox.append({
    source: "webhook",
    connection: "pending-shop",
    dedupeKey: "wh-pending",
    body: new TextEncoder().encode("{}"),
  });
  await store.close();

  const status = await cli("--json", "status");
  assert.equal(status.code, 0);
  const inbox = (JSON.parse(status.out).queue as { target: string; ready: number }[]).find(
    (d) => d.target === "crossdock.inbox",
  );
  assert.ok(inbox && inbox.ready >= 1, status.out);
  const replay = await cli("replay", "--message", receipt.id);
  assert.equal(replay.code, 1);
  assert.match(replay.err, /CDK_JOB_NOT_FOUND/);
  assert.match(replay.err, new RegExp(`${receipt.id} has no processing job yet`));
});

test("approvals ls, approve and reject decide what a workflow waits for", async () => {
  const store = await createSqliteStore({
    path: join(dir, "hub.db"),
    clock: systemClock,
    ids: createIdGenerator(systemClock),
  });
  await store.migrate();
  const [first, second] = await store.transaction(async (tx) => {
    const { run } = await tx.startWorkflow({
      type: "order-to-cash",
      key: "SO42",
      input: { total: "12000.00" },
    });
    return [
      await tx.createApproval({ runId: run.id, stepId: "credit", title: "Over credit limit", details: {} }),
      await tx.createApproval({
        runId: run.id,
        stepId: "discount",
        title: "Discount above 20%",
        details: {},
      }),
    ];
  });
  await store.close();

  const ls = await cli("approvals", "ls");
  assert.equal(ls.code, 0, ls.err);
  assert.match(ls.out, /Over credit limit/);
  assert.match(ls.out, /Discount above 20%/);

  const approve = await cli("approvals", "approve", first!.id, "--by", "cfo", "--comment", "known customer");
  assert.equal(approve.code, 0, approve.err);
  assert.match(approve.out, /^approved /);
  const reject = await cli("approvals", "reject", second!.id, "--by", "cfo");
  assert.match(reject.out, /^rejected /);
  const twice = await cli("approvals", "approve", first!.id);
  assert.equal(twice.code, 1);
  assert.match(twice.err, /CDK_APPROVAL_NOT_FOUND/);
  const pending = await cli("--json", "approvals", "ls");
  assert.deepEqual(JSON.parse(pending.out), []);
  const decided = JSON.parse((await cli("--json", "approvals", "ls", "--status", "approved")).out);
  assert.equal(decided[0].decidedBy, "cfo");
  assert.equal(decided[0].comment, "known customer");
});
