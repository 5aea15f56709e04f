import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface WildcardCertificateArgs {
  /** Domain every Beta lives under; the certificate covers `*.<domain>`. */
  domain: string;
  /** Route53 zone id holding `domain`, where the DNS validation record goes. */
  zoneId: pulumi.Input<string>;
}

/**
 * One ACM certificate for `*.<domain>`, validated by DNS: every Beta's host is covered, so a
 * new Beta never waits for a certificate.
 */
export class WildcardCertificate extends pulumi.ComponentResource {
  /** ARN of the certificate, available once it is validated. */
  readonly certificateArn: pulumi.Output<string>;

  constructor(name: string, args: WildcardCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:WildcardCertificate", name, {}, opts);
    const childOpts = { parent: this };

    const certificate = new aws.acm.Certificate(
      `${name}-certificate`,
      {
        domainName: `*.${args.domain}`,
        validationMethod: "DNS",
        tags: { "beta:domain": args.domain },
      },
      // Re-issuing takes minutes of broken TLS for every Beta; replace only on purpose.
      { ...childOpts, protect: true },
    );

    // A single wildcard name has a single validation record: one record, never a loop over
    // options that ACM may repeat for `*.x` and `x`.
    const option = certificate.domainValidationOptions[0];
    const record = new aws.route53.Record(
      `${name}-validation-record`,
      {
        zoneId: args.zoneId,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 300,
        // ACM reuses the same record for a re-issued certificate.
        allowOverwrite: true,
      },
      childOpts,
    );

    const validation = new aws.acm.CertificateValidation(
      `${name}-validation`,
      { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
      childOpts,
    );
    this.certificateArn = validation.certificateArn;
    this.registerOutputs({ certificateArn: this.certificateArn });
  }
}
