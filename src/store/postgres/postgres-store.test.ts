import { runStoreContract } from "../store.contract.ts";
import { createContractFixture } from "./postgres-test-fixture.ts";

runStoreContract({ name: "postgres", create: createContractFixture });
