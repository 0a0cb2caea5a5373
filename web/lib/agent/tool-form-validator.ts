/**
 * The playground form's validator: Ajv with the JSON Schema 2020-12 vocabulary, the draft the tools'
 * schemas declare (MCP SDK servers emit it from zod). Only the lazily loaded form imports it.
 */
import { customizeValidator } from "@rjsf/validator-ajv8";
import Ajv2020 from "ajv/dist/2020.js";

// The adapter's option is typed as the draft-07 class; the 2020-12 class is its subclass with another meta-schema.
export const toolFormValidator = customizeValidator({ AjvClass: Ajv2020 as unknown as NonNullable<Parameters<typeof customizeValidator>[0]>["AjvClass"] });
