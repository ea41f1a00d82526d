/**
 * Odoo's exceptions as the wire sees them: a Python class path (`data.name`), a message, and the HTTP
 * status JSON-2 gives it. Thrown by the ORM and the models; the transports turn them into bodies.
 */
export class OdooError extends Error {
  /** Python path of the exception, e.g. `odoo.exceptions.UserError`. */
  readonly odooName: string;
  /** Status JSON-2 answers with (JSON-RPC always answers 200). */
  readonly status: number;
  /** Source frames (file, line, function, code) put above the final line of the fake traceback. */
  readonly frames: readonly string[];

  constructor(odooName: string, message: string, status: number, frames: readonly string[] = []) {
    super(message);
    this.odooName = odooName;
    this.status = status;
    this.frames = frames;
  }
}

const ODOO = "/opt/odoo/odoo";

/** Frames every execute_kw call goes through in Odoo 17 (from the recordings). */
export const RPC_FRAMES: readonly string[] = [
  `  File "${ODOO}/http.py", line 2191, in __call__\n    response = request._serve_nodb()`,
  `  File "${ODOO}/http.py", line 1733, in _serve_nodb\n    response = self.dispatcher.dispatch(rule.endpoint, args)`,
  `  File "${ODOO}/http.py", line 1997, in dispatch\n    result = endpoint(**self.request.params)`,
  `  File "${ODOO}/http.py", line 741, in route_wrapper\n    result = endpoint(self, *args, **params_ok)`,
  `  File "${ODOO}/addons/base/controllers/rpc.py", line 155, in jsonrpc\n    return dispatch_rpc(service, method, args)`,
  `  File "${ODOO}/http.py", line 391, in dispatch_rpc\n    return dispatch(method, params)`,
];

/** The Python-style traceback text Odoo puts in `data.debug`. */
export function tracebackOf(error: OdooError): string {
  const short = error.odooName.startsWith("builtins.") ? error.odooName.slice(9) : error.odooName;
  const frames = [...RPC_FRAMES, ...error.frames].join("\n");
  return `Traceback (most recent call last):\n${frames}\n${short}: ${error.message}\n`;
}

/** `odoo.exceptions.UserError` (JSON-2: 422). */
export function userError(message: string): OdooError {
  return new OdooError("odoo.exceptions.UserError", message, 422);
}
/** `odoo.exceptions.ValidationError` (JSON-2: 422). */
export function validationError(message: string): OdooError {
  return new OdooError("odoo.exceptions.ValidationError", message, 422);
}
/** `odoo.exceptions.AccessError` (JSON-2: 403). */
export function accessError(message: string): OdooError {
  return new OdooError("odoo.exceptions.AccessError", message, 403);
}
/** `odoo.exceptions.AccessDenied` "Access Denied" (JSON-2: 401). */
export function accessDenied(): OdooError {
  return new OdooError("odoo.exceptions.AccessDenied", "Access Denied", 401);
}
/** `odoo.exceptions.MissingError` with Odoo's record/user wording (JSON-2: 404). */
export function missingError(model: string, ids: readonly number[], uid: number): OdooError {
  const list = ids.length === 1 ? `${ids[0]},` : ids.join(", ");
  return new OdooError(
    "odoo.exceptions.MissingError",
    `Record does not exist or has been deleted.\n(Record: ${model}(${list}), User: ${uid})`,
    404,
  );
}
/** Python's TypeError for bad arguments (JSON-2: 422). */
export function typeError(message: string): OdooError {
  return new OdooError("builtins.TypeError", message, 422);
}
/** Python's ValueError for bad values, fields or domains (JSON-2: 422). */
export function valueError(message: string): OdooError {
  return new OdooError("builtins.ValueError", message, 422);
}
/** Python's AttributeError for an unknown method (JSON-2: 404). */
export function attributeError(model: string, method: string): OdooError {
  return new OdooError(
    "builtins.AttributeError",
    `The method '${method}' does not exist on the model '${model}'`,
    404,
  );
}

/** Odoo's wording for a missing ACL, per operation (ir.model.access.check). */
export function aclError(operation: string, description: string, model: string, groups: string): OdooError {
  const verb: Record<string, string> = {
    read: "access",
    write: "modify",
    create: "create",
    unlink: "delete",
  };
  return accessError(
    `You are not allowed to ${verb[operation] ?? operation} '${description}' (${model}) records.\n\n` +
      `This operation is allowed for the following groups:\n\t- ${groups}\n\n` +
      "Contact your administrator to request access if necessary.",
  );
}
