/** The provisioner contract for `type: local`, steps started through the spawn helper (as in the app). */
import { createLocalTarget } from "./local-target.js";
import { describeProvisionerContract } from "./provisioner-contract.js";

const target = createLocalTarget(false);
describeProvisionerContract("local", () => target);
