/**
 * A decoded field table. In a module of its own so the generated spec can
 * name it in method argument types without importing the field-table codec,
 * which imports the spec's reply codes (that would be an import cycle).
 */
export type FieldTable = Record<string, unknown>;
