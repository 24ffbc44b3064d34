// Half of the simulation suite (see suite.ts): 2 seeds × every fault mix × 2,500 calls.
import { simSuite } from "./suite.js";

simSuite([3, 4]);
