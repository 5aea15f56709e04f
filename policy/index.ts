/**
 * Beta's guard rails as a Pulumi policy pack; `beta up` runs it on every update. To check a
 * preview against it by hand (after `npm ci` at the repository root, whose packages the pack
 * resolves, or `npm install` here):
 *
 *     pulumi preview --policy-pack policy --policy-pack-config policy-config.json
 *
 * Every policy is mandatory: a violation fails the preview or update. The rules are in
 * `rules/`, one file each; see README.md.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

export { policies };

// Starts the policy server the Pulumi CLI talks to; that is why tests import `./policies` instead.
new PolicyPack("beta-guard-rails", { policies });
