/**
 * The calculator client: calls func1 and func2 on each target given, through the same typed stub
 * whatever the transport, and prints what came back.
 *
 *   node dist/examples/calc/client.js udp://127.0.0.1:PORT tcp://127.0.0.1:PORT lupine://127.0.0.1:PORT
 */
import { createClient, isRpcError } from "lupine";
import { CalcV1 } from "./gen/calc.js";

const targets = process.argv.slice(2);
if (targets.length === 0) {
  console.error(
    "usage: client.js TARGET... (udp://host:port, tcp://host:port, lupine://host:port)",
  );
  process.exit(2);
}
let failed = false;
for (const target of targets) {
  const calc = createClient(CalcV1, target, { timeoutMs: 5000 });
  try {
    const a = await calc.func1(21);
    const b = await calc.func2(2, 3);
    const c = await calc.func2(2147483647, 1);
    console.log(`${target}: func1(21) = ${a}, func2(2, 3) = ${b}, func2(2147483647, 1) = ${c}`);
  } catch (e) {
    failed = true;
    console.error(`${target}: ${isRpcError(e) ? e.message : String(e)}`);
  } finally {
    await calc.$close();
  }
}
process.exitCode = failed ? 1 : 0;
