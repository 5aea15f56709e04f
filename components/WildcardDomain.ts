import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface WildcardDomainArgs {
  /** Domain every Beta lives under; the record is `*.<domain>`. */
  domain: string;
  /** Route53 zone id holding `domain`. */
  zoneId: pulumi.Input<string>;
  /** DNS name of the router's network load balancer. */
  loadBalancerHostname: pulumi.Input<string>;
}

/**
 * The one `*.<domain>` record, an ALIAS to the router's NLB. Betas never get records of their
 * own, so creating or destroying one makes no AWS call.
 */
export class WildcardDomain extends pulumi.ComponentResource {
  readonly record: aws.route53.Record;

  constructor(name: string, args: WildcardDomainArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:WildcardDomain", name, {}, opts);
    // NLBs live in a per-region hosted zone that AWS publishes; an ALIAS must name it.
    const loadBalancerZone = aws.lb.getHostedZoneIdOutput({ loadBalancerType: "network" }, { parent: this });

    this.record = new aws.route53.Record(
      `${name}-wildcard`,
      {
        zoneId: args.zoneId,
        name: `*.${args.domain}`,
        type: "A",
        aliases: [{ name: args.loadBalancerHostname, zoneId: loadBalancerZone.id, evaluateTargetHealth: true }],
      },
      { parent: this },
    );
    this.registerOutputs({ fqdn: this.record.fqdn });
  }
}

/** A Route53 zone given by id (`Z...`) or by name, as its id. */
export function hostedZoneId(hostedZone: string, provider: aws.Provider): pulumi.Output<string> {
  if (/^Z[A-Z0-9]{4,}$/.test(hostedZone)) return pulumi.output(hostedZone);
  return aws.route53.getZoneOutput({ name: hostedZone, privateZone: false }, { provider }).zoneId;
}
