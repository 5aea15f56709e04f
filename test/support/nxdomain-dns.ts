/**
 * A DNS server on a loopback UDP port that answers every query NXDOMAIN with an SOA record in
 * the authority section, as an authoritative server (CoreDNS's kubernetes plugin) does: RFC 2308
 * section 5 lets a resolver cache that "no such name" for min(SOA TTL, SOA MINIMUM). dnsmasq's
 * local domains answer NXDOMAIN without an SOA, which nobody may cache, so the router's cached
 * negative answers need this server to be tested.
 */
import dgram from "node:dgram";

export interface NxdomainDns {
  /** `127.0.0.1:<port>`, for the router's `resolver` option. */
  readonly address: string;
  /** The names asked so far, one entry per query. */
  readonly queries: readonly string[];
  stop(): Promise<void>;
}

function encodeName(name: string): Buffer {
  const labels = name.split(".").filter((label) => label !== "");
  return Buffer.concat([...labels.map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, "ascii")])), Buffer.from([0])]);
}

/** The question's name and where the question section ends. */
function readQuestion(message: Buffer): { name: string; end: number } {
  const labels: string[] = [];
  let at = 12;
  while (message[at] !== 0) {
    labels.push(message.subarray(at + 1, at + 1 + message[at]).toString("ascii"));
    at += message[at] + 1;
  }
  return { name: labels.join("."), end: at + 1 + 4 };
}

/** Starts the server; `zone` is the SOA's owner, `ttl` and `minimum` its TTL and MINIMUM in seconds. */
export async function startNxdomainDns(options: { zone: string; ttl: number; minimum: number }): Promise<NxdomainDns> {
  const socket = dgram.createSocket("udp4");
  const queries: string[] = [];
  socket.on("message", (message, peer) => {
    if (message.length < 17) return;
    const question = readQuestion(message);
    queries.push(question.name);
    const header = Buffer.alloc(12);
    message.copy(header, 0, 0, 2); // the query's id
    header.writeUInt16BE(0x8583, 2); // response, authoritative, recursion desired and available, NXDOMAIN
    header.writeUInt16BE(1, 4); // one question
    header.writeUInt16BE(1, 8); // one authority record
    const rdata = Buffer.concat([encodeName(`ns.${options.zone}`), encodeName(`hostmaster.${options.zone}`), Buffer.alloc(20)]);
    // serial, refresh, retry, expire, minimum
    [1, 7200, 1800, 86400, options.minimum].forEach((value, i) => rdata.writeUInt32BE(value, rdata.length - 20 + i * 4));
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(6, 0); // SOA
    fixed.writeUInt16BE(1, 2); // IN
    fixed.writeUInt32BE(options.ttl, 4);
    fixed.writeUInt16BE(rdata.length, 8);
    socket.send(Buffer.concat([header, message.subarray(12, question.end), encodeName(options.zone), fixed, rdata]), peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => resolve());
  });
  return {
    address: `127.0.0.1:${socket.address().port}`,
    queries,
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
