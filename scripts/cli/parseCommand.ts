/** `flowlogs parse FILE [--format FMT]`: each record as a JSON line. */
import { parseFlowLog } from '../../shared/pipeline/rollupFlowLog.js';
import type { FieldValue, FlowLogFormat } from '../../shared/types.js';
import { Output } from './output.js';
import { readFile } from './readFile.js';

async function parseCommand(
  file: string,
  format?: FlowLogFormat
): Promise<void> {
  const parsed = await parseFlowLog({
    chunks: readFile(file),
    label: file,
    format,
  });
  const names = parsed.format.fields.map(
    (field) => [field.key, field.name] as const
  );
  const out = new Output(process.stdout);
  for await (const { result } of parsed.lines) {
    if (!result.success) {
      process.stderr.write(`${result.error.message}\n`);
      continue;
    }
    const json: Record<string, FieldValue> = {};
    for (const [key, name] of names) json[name] = result.data[key] ?? null;
    await out.line(JSON.stringify(json));
  }
  await out.flush();
}

export { parseCommand };
