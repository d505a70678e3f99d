// A metadata column's description as the server gives it, for the tests of the state's actions.
import type { ColumnInfo } from "../api/types";

/** Column `name` of `type`; with `distinct`, those values once each. */
export const col = (name: string, type = "string", distinct?: (string | number)[]): ColumnInfo => ({
  name,
  type,
  distinct: distinct?.map((value) => ({ value, count: 1 })) ?? null,
});
