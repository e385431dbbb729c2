import type { SchemaElement } from 'hyparquet';

/**
 * Whether hyparquet reads a column as text (`stringFromBytes`): every
 * BYTE_ARRAY column but the ones it turns into something else (DECIMAL,
 * JSON, geometry), and any column annotated UTF8/STRING.
 */
function isTextColumn(element: SchemaElement): boolean {
  const converted = element.converted_type;
  const logical = element.logical_type?.type;
  if (converted === 'DECIMAL' || converted === 'JSON') return false;
  if (converted === 'BSON' || converted === 'INTERVAL') return false;
  if (logical === 'GEOMETRY' || logical === 'GEOGRAPHY') return false;
  if (logical === 'UUID' || logical === 'VARIANT') return false;
  return (
    element.type === 'BYTE_ARRAY' ||
    converted === 'UTF8' ||
    logical === 'STRING'
  );
}

/** Whether hyparquet reads a column's values as they are stored (INT32/INT64). */
function isPlainIntegerColumn(element: SchemaElement): boolean {
  const converted = element.converted_type;
  const logical = element.logical_type;
  return (
    (element.type === 'INT32' || element.type === 'INT64') &&
    (converted === undefined ||
      converted === 'INT_8' ||
      converted === 'INT_16' ||
      converted === 'INT_32' ||
      converted === 'INT_64') &&
    (logical === undefined ||
      (logical.type === 'INTEGER' && logical.isSigned === true))
  );
}

export { isPlainIntegerColumn, isTextColumn };
