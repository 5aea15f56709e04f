#!/usr/bin/env node
// A kubectl stand-in for `beta sync` tests and benchmarks, selected with BETA_KUBECTL.
//
// State comes from the JSON file $FAKE_KUBECTL_STATE, which the test controls:
//   { "pods": [{ "namespace", "name", "uid", "app", "ready", "terminating"?, "createdAt",
//                "containerId"?, "containers": [{ "name", "workingDir"?, "image"? }] }],
//     "failGet": N,    // the next N `get pods` fail like an unreachable API server
//     "failGetMessage": "...", // ...or with this stderr instead (e.g. a 503 from a reachable one)
//     "failExec": N,   // the next N `exec` fail like a dropped connection
//     "noRsync": bool,  // `exec ... -- rsync` fails like a container without rsync
//     "dropSessions": N } // raising N cuts every running exec session, like a network drop
// A running exec session also ends when its pod leaves the state (deleted, replaced).
// Every invocation is appended to $FAKE_KUBECTL_LOG as one JSON line { argv, time }, and
// so are the moments an exec session is up ({ argv: ["#connected", pod] }), is cut
// ({ argv: ["#cut", pod] }) and has ended ({ argv: ["#ended", pod, exitCode] }).
//
// `get pods -n NS -l app.kubernetes.io/name=APP -o json` prints a PodList;
// `exec -i -n NS POD -c CTR -- CMD...` runs CMD on this machine, in the container's
// workingDir, with stdio inherited, so rsync's protocol really flows through it.
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";

// A leading `--context <name>` (beta sync --context) is logged, then set aside.
const invocation = process.argv.slice(2);
const argv = invocation[0] === "--context" ? invocation.slice(2) : invocation;
const statePath = process.env.FAKE_KUBECTL_STATE;
const logPath = process.env.FAKE_KUBECTL_LOG;
if (logPath) appendFileSync(logPath, `${JSON.stringify({ argv: invocation, time: Date.now() })}\n`);
if (!statePath) {
  process.stderr.write("fake-kubectl: FAKE_KUBECTL_STATE is not set\n");
  process.exit(2);
}

const readState = () => JSON.parse(readFileSync(statePath, "utf8"));
const writeState = (state) => {
  const tmp = `${statePath}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2));
  renameSync(tmp, statePath);
};
/** Takes one failure from counter `key`, if any is left. */
const takeFailure = (key) => {
  const state = readState();
  if (!(state[key] > 0)) return false;
  state[key] -= 1;
  writeState(state);
  return true;
};
const flag = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const fail = (message, code = 1) => {
  process.stderr.write(`${message}\n`);
  process.exit(code);
};

function podJson(pod) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: pod.name,
      namespace: pod.namespace,
      uid: pod.uid,
      creationTimestamp: pod.createdAt,
      labels: { "app.kubernetes.io/name": pod.app, "app.kubernetes.io/part-of": "beta" },
      ...(pod.terminating ? { deletionTimestamp: pod.createdAt } : {}),
    },
    spec: { containers: pod.containers.map((c) => ({ name: c.name, image: c.image ?? "example/app:test", ...(c.workingDir ? { workingDir: c.workingDir } : {}) })) },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: pod.ready ? "True" : "False" }],
      containerStatuses: pod.containers.map((c) => ({ name: c.name, ready: pod.ready, containerID: pod.containerId ?? `containerd://${pod.uid}` })),
    },
  };
}

const verb = argv[0];
if (verb === "get" && argv[1] === "pods") {
  if (takeFailure("failGet")) fail(readState().failGetMessage ?? "Unable to connect to the server: dial tcp 127.0.0.1:6443: connect: connection refused");
  const namespace = flag("-n");
  const selector = flag("-l") ?? "";
  const [key, value] = selector.split("=");
  if (argv.includes("-o") && flag("-o") !== "json") fail("fake-kubectl: only -o json is supported");
  const pods = readState().pods.filter((p) => p.namespace === namespace && (key !== "app.kubernetes.io/name" || p.app === value));
  process.stdout.write(`${JSON.stringify({ apiVersion: "v1", kind: "List", items: pods.map(podJson) }, null, 2)}\n`);
  process.exit(0);
}

if (verb === "exec") {
  const dash = argv.indexOf("--");
  if (dash < 0) fail("error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead");
  const head = argv.slice(1, dash);
  const command = argv.slice(dash + 1);
  const namespace = flag("-n");
  const containerName = flag("-c");
  const positional = head.filter((a, i) => !a.startsWith("-") && !["-n", "-c"].includes(head[i - 1]));
  const podName = positional[0];
  if (!head.includes("-i")) fail("fake-kubectl: beta sync must pass -i");
  if (head.includes("-t") || head.includes("-it")) fail("fake-kubectl: a TTY would corrupt rsync's stream");
  const state = readState();
  const pod = state.pods.find((p) => p.namespace === namespace && p.name === podName);
  if (!pod) fail(`Error from server (NotFound): pods "${podName}" not found`);
  const container = pod.containers.find((c) => c.name === containerName);
  if (!container) fail(`error: unable to upgrade connection: container not found ("${containerName}")`);
  if (takeFailure("failExec")) fail("error: unable to upgrade connection: pod does not exist");
  if (state.noRsync && command[0] === "rsync") {
    fail(
      'error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "0123abcd": OCI runtime exec failed: exec failed: unable to start container process: exec: "rsync": executable file not found in $PATH: unknown',
    );
  }
  // The runtime creates a container's workingDir; here it may be a placeholder path.
  const cwd = container.workingDir && existsSync(container.workingDir) ? container.workingDir : undefined;
  const child = spawn(command[0], command.slice(1), { stdio: "inherit", cwd });
  const sessions = state.dropSessions ?? 0;
  if (logPath) appendFileSync(logPath, `${JSON.stringify({ argv: ["#connected", podName], time: Date.now() })}\n`);
  let cut;
  // Like the API server: a session ends with its pod, or when the connection drops.
  const watcher = setInterval(() => {
    let now;
    try {
      now = readState();
    } catch {
      return; // being rewritten
    }
    if (!now.pods.some((p) => p.namespace === namespace && p.name === podName && p.uid === pod.uid)) cut = `error: pod ${podName} is gone: the exec session ended`;
    else if ((now.dropSessions ?? 0) > sessions) cut = "error: lost connection to pod";
    if (cut) {
      clearInterval(watcher);
      if (logPath) appendFileSync(logPath, `${JSON.stringify({ argv: ["#cut", podName], time: Date.now() })}\n`);
      child.kill("SIGKILL");
    }
  }, 20);
  child.on("error", (error) => fail(`fake-kubectl: ${error.message}`, 126));
  child.on("exit", (code) => {
    clearInterval(watcher);
    if (logPath) appendFileSync(logPath, `${JSON.stringify({ argv: ["#ended", podName, String(code)], time: Date.now() })}\n`);
    if (cut) fail(cut);
    process.exit(code ?? 1);
  });
} else {
  fail(`fake-kubectl: unsupported command: ${argv.join(" ")}`);
}
