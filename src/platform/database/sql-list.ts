/** A CHECK constraint's value list from constants: `'a', 'b', 'c'` (values are code constants, never user input). */
export const sqlList = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');
