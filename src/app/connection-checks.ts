/**
 * Connector-specific checks of a connection's settings, run while the configuration is resolved so that
 * `crossdock validate` and `start` report them like every other problem: file, line, column and path.
 * A connector type without a checker here validates its settings when it is built.
 */
import { WEBHOOK_JSON_TYPE } from "../connectors/json/webhook-json-connector.ts";
import { checkOdooConnection, ODOO_CONNECTION_TYPE } from "../connectors/odoo/odoo-connection.ts";
import { checkRestConnection, REST_CONNECTION_TYPE } from "../connectors/rest/rest-connection.ts";
import { checkSftpConnection, SFTP_CONNECTION_TYPE } from "../connectors/sftp/sftp-connection.ts";
import { checkSignatureSettings } from "../gateway/signatures/signature-config.ts";

export interface ConnectionFieldProblem {
  /** The field, relative to the connection. */
  field: string;
  /** Where inside the field, for nested settings: `["signature", "secrets", 1]`. Default `[field]`. */
  path?: readonly (string | number)[];
  message: string;
}

export const CONNECTION_CHECKS: Readonly<
  Record<string, (settings: Readonly<Record<string, unknown>>) => ConnectionFieldProblem[]>
> = Object.freeze({
  [ODOO_CONNECTION_TYPE]: checkOdooConnection,
  [WEBHOOK_JSON_TYPE]: checkSignatureSettings,
  [SFTP_CONNECTION_TYPE]: checkSftpConnection,
  [REST_CONNECTION_TYPE]: checkRestConnection,
});
