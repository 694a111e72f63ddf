/** The provisioner contract for `type: local`, steps started from the process itself (as in `eve run`). */
import { createLocalTarget } from "./local-target.js";
import { describeProvisionerContract } from "./provisioner-contract.js";

const target = createLocalTarget(true);
describeProvisionerContract("local, steps started in this process", () => target);
