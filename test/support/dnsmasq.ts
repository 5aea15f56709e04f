/**
 * A real DNS server for router tests: dnsmasq on a free 127.0.0.1 port (UDP and TCP), answering
 * only the names it is given (`--address=/name/ip`, which also covers subdomains of `name`, and
 * a hosts file it re-reads on SIGHUP, for names that come and go while it runs) and NXDOMAIN
 * for anything else under `localDomains`, like CoreDNS for a missing Service. Answers carry a
 * TTL of `ttlSeconds`, as CoreDNS's kubernetes plugin gives Service records (5 s by default).
 */
import { spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, sleep, stopChild, trackChild } from "./router-net";

export const DNSMASQ_BIN = "/usr/sbin/dnsmasq";

/** Options of {@link startDnsmasq}. */
export interface DnsmasqOptions {
  /** Name → IPv4 address; each also answers for its subdomains (dnsmasq `--address` semantics). */
  addresses: Record<string, string>;
  /** Domains answered only from `addresses`: anything else under them is NXDOMAIN. Default `["cluster.local"]`. */
  localDomains?: readonly string[];
  /** Log every query (`--log-queries`); default true. The benchmark turns it off. */
  logQueries?: boolean;
  /** TTL of every answer, in seconds (`--local-ttl`); default 5, CoreDNS's default for Services. */
  ttlSeconds?: number;
}

/** A running dnsmasq. */
export interface Dnsmasq {
  /** UDP and TCP port on 127.0.0.1. */
  readonly port: number;
  /** `127.0.0.1:<port>`, as nginx's `resolver` wants it. */
  readonly address: string;
  /** The query log (`--log-queries`), for failure messages. */
  log(): string;
  /** Replaces the answers by restarting dnsmasq on the same port (what "creating a Beta" looks like to DNS). */
  setAddresses(addresses: Record<string, string>): Promise<void>;
  /**
   * Replaces the names of the hosts file (exact names only) and sends dnsmasq SIGHUP, so the
   * same process answers them from now on; resolves once dnsmasq answers the new set.
   */
  setHosts(hosts: Record<string, string>): Promise<void>;
  /** dnsmasq's process id: the same before and after {@link setHosts}. */
  pid(): number;
  stop(): Promise<void>;
}

/** Rcode and A records of one answer; rcode 0 = NOERROR, 3 = NXDOMAIN. */
export interface DnsAnswer {
  rcode: number;
  addresses: string[];
}

/** Asks 127.0.0.1:port for the A records of `name` over UDP. */
export function queryA(port: number, name: string, timeoutMs = 1_000): Promise<DnsAnswer> {
  const id = Math.floor(Math.random() * 0xffff);
  const labels = name.split(".").filter((label) => label !== "");
  const question = Buffer.concat([
    ...labels.map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, "ascii")])),
    Buffer.from([0, 0, 1, 0, 1]), // root, QTYPE A, QCLASS IN
  ]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // recursion desired
  header.writeUInt16BE(1, 4);
  const socket = dgram.createSocket("udp4");
  return new Promise<DnsAnswer>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no DNS answer for ${name} from 127.0.0.1:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("error", (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
    socket.on("message", (message) => {
      if (message.readUInt16BE(0) !== id) return;
      clearTimeout(timer);
      socket.close();
      resolve(parseAnswer(message));
    });
    socket.send(Buffer.concat([header, question]), port, "127.0.0.1");
  });
}

function skipName(message: Buffer, offset: number): number {
  let at = offset;
  for (;;) {
    const length = message[at];
    if (length === 0) return at + 1;
    if ((length & 0xc0) === 0xc0) return at + 2;
    at += length + 1;
  }
}

function parseAnswer(message: Buffer): DnsAnswer {
  const rcode = message.readUInt16BE(2) & 0x0f;
  const questions = message.readUInt16BE(4);
  const answers = message.readUInt16BE(6);
  let at = 12;
  for (let i = 0; i < questions; i++) at = skipName(message, at) + 4;
  const addresses: string[] = [];
  for (let i = 0; i < answers; i++) {
    at = skipName(message, at);
    const type = message.readUInt16BE(at);
    const length = message.readUInt16BE(at + 8);
    if (type === 1 && length === 4) addresses.push([...message.subarray(at + 10, at + 14)].join("."));
    at += 10 + length;
  }
  return { rcode, addresses };
}

function dnsmasqArgs(port: number, dir: string, options: DnsmasqOptions): string[] {
  return [
    "--keep-in-foreground",
    "--no-resolv",
    "--no-hosts",
    `--port=${port}`,
    "--listen-address=127.0.0.1",
    "--bind-interfaces",
    // Running as root, dnsmasq would switch to nobody and lose its log file.
    "--user=root",
    `--pid-file=${path.join(dir, "dnsmasq.pid")}`,
    ...(options.logQueries === false ? [] : ["--log-queries"]),
    `--log-facility=${path.join(dir, "dnsmasq.log")}`,
    // Answer every query from scratch, so a replaced set of addresses shows at once.
    "--cache-size=0",
    `--local-ttl=${options.ttlSeconds ?? 5}`,
    // Names that come and go at runtime; dnsmasq re-reads this file on SIGHUP.
    `--addn-hosts=${path.join(dir, "hosts")}`,
    ...(options.localDomains ?? ["cluster.local"]).map((domain) => `--local=/${domain}/`),
    ...Object.entries(options.addresses).map(([name, ip]) => `--address=/${name}/${ip}`),
  ];
}

/** Starts dnsmasq and waits until it answers; call `stop()` in afterAll. */
export async function startDnsmasq(options: DnsmasqOptions): Promise<Dnsmasq> {
  const dir = mkdtempSync(path.join(tmpdir(), "beta-dnsmasq-"));
  const logFile = path.join(dir, "dnsmasq.log");
  const hostsFile = path.join(dir, "hosts");
  writeFileSync(hostsFile, "");
  const readLog = (): string => {
    try {
      return readFileSync(logFile, "utf8");
    } catch {
      return "";
    }
  };
  let port = 0;
  let child: ChildProcess | undefined;
  let current = options;
  let hostsNow: Record<string, string> = {};

  const launch = async (attempts: number): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      if (port === 0) port = await freePort({ udp: true });
      let stderr = "";
      const started = spawn(DNSMASQ_BIN, dnsmasqArgs(port, dir, current), { stdio: ["ignore", "ignore", "pipe"] });
      trackChild(started);
      started.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const ready = await waitForAnswers(port, started);
      if (ready) {
        child = started;
        return;
      }
      await stopChild(started, "SIGKILL");
      if (attempt >= attempts) throw new Error(`dnsmasq did not start on 127.0.0.1:${port}: ${stderr}\n${readLog()}`);
      if (/address already in use/i.test(stderr)) port = 0;
    }
  };

  try {
    await launch(3);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    port,
    address: `127.0.0.1:${port}`,
    log: readLog,
    async setAddresses(addresses) {
      if (child) await stopChild(child);
      current = { ...current, addresses };
      // Same port, so the router's resolver setting stays right.
      await launch(5);
    },
    async setHosts(hosts) {
      const removed = Object.keys(hostsNow).filter((name) => !(name in hosts));
      writeFileSync(hostsFile, Object.entries(hosts).map(([name, ip]) => `${ip} ${name}\n`).join(""));
      child?.kill("SIGHUP");
      // SIGHUP is handled asynchronously: wait until every name answers as written, and removed ones not at all.
      const expected: [string, string | undefined][] = [...Object.entries(hosts), ...removed.map((name): [string, undefined] => [name, undefined])];
      const deadline = Date.now() + 5_000;
      for (;;) {
        const answers = await Promise.all(expected.map(([name]) => queryA(port, name, 200).catch(() => undefined)));
        if (answers.every((answer, i) => answer !== undefined && answer.addresses[0] === expected[i][1])) break;
        if (Date.now() > deadline) throw new Error(`dnsmasq did not take the new hosts file within 5 s:\n${readLog()}`);
        await sleep(20);
      }
      hostsNow = { ...hosts };
    },
    pid: () => child?.pid ?? 0,
    async stop() {
      if (child) await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForAnswers(port: number, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    try {
      await queryA(port, "ready.invalid", 200);
      return true;
    } catch {
      await sleep(25);
    }
  }
  return false;
}
