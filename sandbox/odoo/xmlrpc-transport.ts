import type { ServerResponse } from "node:http";
import { applyLateFault, renderEarlyFault, send } from "./http-util.ts";
import { authenticate, type TransportDeps, versionInfo } from "./jsonrpc-transport.ts";
import { OdooError, tracebackOf } from "./odoo-error.ts";
import { faultResponse, methodResponse, OverflowError, parseMethodCall } from "./xmlrpc-codec.ts";

const XML = "text/xml; charset=utf-8";

/** Odoo's faultCode mapping: 3 AccessDenied, 4 AccessError, 2 UserError and subclasses, 1 anything else. */
function faultOf(error: OdooError): [number, string] {
  if (error.odooName === "odoo.exceptions.AccessDenied") return [3, error.message];
  if (error.odooName === "odoo.exceptions.AccessError") return [4, error.message];
  if (/^odoo\.exceptions\.(UserError|ValidationError|MissingError|RedirectWarning)$/.test(error.odooName))
    return [2, error.message];
  return [1, tracebackOf(error)];
}

const MARSHAL_NONE_TRACEBACK = `Traceback (most recent call last):
  File "/opt/odoo/odoo/addons/base/controllers/rpc.py", line 147, in xmlrpc_2
    response = self._xmlrpc(service)
               ^^^^^^^^^^^^^^^^^^^^^
  File "/opt/odoo/odoo/addons/base/controllers/rpc.py", line 128, in _xmlrpc
    return xmlrpc.client.dumps((result,), methodresponse=1, allow_none=False)
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/usr/lib/python3.11/xmlrpc/client.py", line 540, in dump_nil
    raise TypeError("cannot marshal None unless allow_none is enabled")
TypeError: cannot marshal None unless allow_none is enabled
`;

const OVERFLOW_TRACEBACK = `Traceback (most recent call last):
  File "/opt/odoo/odoo/addons/base/controllers/rpc.py", line 128, in _xmlrpc
    return xmlrpc.client.dumps((result,), methodresponse=1, allow_none=False)
  File "/usr/lib/python3.11/xmlrpc/client.py", line 527, in dump_long
    raise OverflowError("int exceeds XML-RPC limits")
OverflowError: int exceeds XML-RPC limits
`;

function answer(res: ServerResponse, value: unknown): void {
  let body: string;
  try {
    body = methodResponse(value);
  } catch (error) {
    // The transaction is already committed: XML-RPC only fails to say so (odoo#29768).
    body = faultResponse(1, error instanceof OverflowError ? OVERFLOW_TRACEBACK : MARSHAL_NONE_TRACEBACK);
  }
  send(res, 200, XML, body);
}

/** `/xmlrpc/2/common` and `/xmlrpc/2/object`: enough of XML-RPC for the recorded calls. */
export async function handleXmlRpc(
  deps: TransportDeps,
  res: ServerResponse,
  service: string,
  body: string,
): Promise<void> {
  let call: { method: string; params: unknown[] };
  try {
    call = parseMethodCall(body);
  } catch (error) {
    return send(
      res,
      200,
      XML,
      faultResponse(1, `ExpatError: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
  try {
    if (service === "common") {
      if (call.method === "version") return answer(res, versionInfo(deps.profile));
      if (call.method === "authenticate" || call.method === "login") {
        return answer(res, authenticate(deps, call.params[0], call.params[1], call.params[2]));
      }
      throw new OdooError("builtins.KeyError", `'${call.method}'`, 500);
    }
    if (service === "db" && call.method === "list") return answer(res, [...deps.databases.keys()]);
    if (service !== "object" || (call.method !== "execute_kw" && call.method !== "execute")) {
      throw new OdooError("builtins.NameError", `Method not available ${call.method}`, 500);
    }
    const [db, uid, secret, model, name, ...rest] = call.params;
    const outcome = await deps.dispatcher.dispatch({
      transport: "xmlrpc",
      db: String(db),
      model: String(model),
      method: String(name),
      positional: call.method === "execute_kw" ? (rest[0] ?? []) : rest,
      kwargs: call.method === "execute_kw" ? (rest[1] ?? {}) : {},
      auth: { uid, secret },
    });
    if (outcome.kind === "fault") return renderEarlyFault(res, outcome.fault);
    if (applyLateFault(res, outcome.fault, deps.parked)) return;
    if (outcome.kind === "error") return send(res, 200, XML, faultResponse(...faultOf(outcome.error)));
    return answer(res, outcome.value);
  } catch (error) {
    const odoo = error instanceof OdooError ? error : new OdooError("builtins.Exception", String(error), 500);
    return send(res, 200, XML, faultResponse(...faultOf(odoo)));
  }
}
