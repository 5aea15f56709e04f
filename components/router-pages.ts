/**
 * What the router says instead of proxying: the 404 "no such Beta" and 503 "app down" pages, as
 * HTML for browsers and plain text for everything else, each saying what to do next, and the
 * misdirected-request answer. Texts only; router-config.ts puts them into nginx.
 */
import { BETA_PREFIX } from "../lib/names";
import type { ResolvedOptions } from "./router-options";

/** Status the default server answers for any Host that is not a Beta host. */
export const MISDIRECTED_STATUS = 421;

/** The texts for a Beta host whose app did not answer; nginx variables such as `$host` stay in them. */
export interface BetaErrorPages {
  missingHtml: string;
  downHtml: string;
  dnsHtml: string;
  missingText: string;
  downText: string;
  dnsText: string;
}

/** Pages for a Beta host whose app did not answer; `app` is a literal name or `$beta_app`. */
export function betaErrorPages(options: ResolvedOptions, app: string, isDefault: boolean): BetaErrorPages {
  const host = `${options.forwardedProto}://$host/`;
  const beta = "${beta_name}";
  const ns = `${BETA_PREFIX}${beta}`;
  const appText = isDefault ? `its default app ${app}` : `app ${app}`;
  const orApp = isDefault ? "" : ` (or it has no app ${app})`;
  const create = `pulumi stack init ${ns} && pulumi up --stack ${ns}`;
  const missingText =
    `404 Not Found: there is no Beta named ${beta} at ${host}${orApp}.\n` +
    `Create it with: ${create}\n` +
    "A new Beta answers here a few seconds after its first pulumi up.\n";
  const downText =
    `503 Service Unavailable: Beta ${beta} exists, but ${appText} is not answering at ${host}.\n` +
    `It may be starting, crashed or scaled to zero; check with: kubectl -n ${ns} get pods -l app.kubernetes.io/name=${app}\n`;
  const dnsText =
    `503 Service Unavailable: the router cannot look up Beta ${beta} right now (the cluster DNS did not answer).\n` +
    "Try again in a few seconds; if it lasts, check kube-dns: kubectl -n kube-system get pods -l k8s-app=kube-dns\n";
  const page = (title: string, body: string): string =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
    `<body style="font-family:sans-serif;max-width:40em;margin:3em auto">${body}</body></html>\n`;
  const missingHtml = page(
    `No Beta ${beta}`,
    `<h1>No Beta named ${beta}</h1><p>There is no Beta named <b>${beta}</b> at ${host}${orApp}.</p>` +
      `<p>Create it with:</p><pre>pulumi stack init ${ns}\npulumi up --stack ${ns}</pre>` +
      "<p>A new Beta answers here a few seconds after its first <code>pulumi up</code>.</p>",
  );
  const downHtml = page(
    `${app} is not answering`,
    `<h1>${app} is not answering</h1><p>Beta <b>${beta}</b> exists, but ${appText} is not answering at ${host}.</p>` +
      `<p>It may be starting, crashed or scaled to zero. Check with:</p>` +
      `<pre>kubectl -n ${ns} get pods -l app.kubernetes.io/name=${app}</pre>`,
  );
  const dnsHtml = page(
    "Cannot look up this Beta",
    `<h1>Cannot look up Beta ${beta}</h1><p>The router cannot look up Beta <b>${beta}</b> right now: the cluster DNS did not answer.</p>` +
      "<p>Try again in a few seconds. If it lasts, check kube-dns:</p><pre>kubectl -n kube-system get pods -l k8s-app=kube-dns</pre>",
  );
  return { missingHtml, downHtml, dnsHtml, missingText, downText, dnsText };
}

/** Plain-text body of the {@link MISDIRECTED_STATUS} answer: which hosts this router does serve. */
export function misdirectedText(options: ResolvedOptions): string {
  return (
    `${MISDIRECTED_STATUS} Misdirected Request: this router only serves ` +
    `https://<name>.${options.domain} and https://<app>--<name>.${options.domain}\n`
  );
}
