import { checkModel } from "../core/model/model-checks.ts";
import { MODEL_BASE_URI } from "../core/model/model-primitives.ts";
import { entityOfSchemaId } from "../core/model/model-registry.ts";
import type { ValidateCanonical } from "./mapping.ts";

/**
 * The validator mappings run in production: the canonical model's shape check and then its
 * consistency checks (`checkModel`), for a target written `order/v1`. A target the model does not
 * have is one problem at `""`, so a mapping file with a mistyped target fails visibly on its first
 * document (and in `crossdock mapping test`) rather than passing unchecked.
 */
export const validateCanonical: ValidateCanonical = (entity, value) => {
  const name = /^[a-z][a-z0-9-]*\/v[1-9][0-9]*$/.test(entity)
    ? entityOfSchemaId(`${MODEL_BASE_URI}${entity}`)
    : undefined;
  if (name === undefined) return [{ path: "", message: `the canonical model has no entity "${entity}"` }];
  const result = checkModel(name, value);
  return result.ok
    ? []
    : result.problems.map((problem) => ({ path: problem.path, message: problem.message }));
};
