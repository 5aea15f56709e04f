/**
 * Beta's guard rails as a Pulumi policy pack. To check a preview against it:
 *
 *     cd policy && npm install && cd ..
 *     pulumi preview --policy-pack policy
 *
 * (`pulumi up --policy-pack policy` enforces it on updates the same way.) Every policy is
 * mandatory: a violation fails the preview or update. The rules are in `rules/`, one file
 * each; see README.md.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

export { policies };

// Starts the policy server the Pulumi CLI talks to; that is why tests import `./policies` instead.
new PolicyPack("beta-guard-rails", { policies });
