/**
 * The proxies the router is measured against (bench/router.ts, bench/router-instructions.ts),
 * each in front of an app on `appIp` port 80 and listening on 127.0.0.1:`port`.
 */

/** The reference: nginx with a static `upstream` block and keepalive, passing the Host on. */
export function staticProxyConfig(appIp: string, port: number): string {
  return [
    "upstream app {",
    `  server ${appIp}:80;`,
    "  keepalive 64;",
    "}",
    "server {",
    `  listen 127.0.0.1:${port};`,
    "  location / {",
    "    proxy_pass http://app;",
    "    proxy_http_version 1.1;",
    '    proxy_set_header Connection "";',
    "    proxy_set_header Host $host;",
    "  }",
    "}",
  ].join("\n");
}

/**
 * A static nginx doing the router's non-routing work: the router's maps and the proxy directives
 * of its `location /`, minus what routes (Lua, its variables, the error pages), in front of a
 * static keepalive upstream like the plain static reference's. Taken from the rendered text so
 * it follows the router's header rules as they change.
 */
export function staticWithRouterHeaders(routerConfig: string, appIp: string, port: number): string {
  // The map on $beta_state routes nginx's own errors, which a static proxy does not route.
  const maps = (routerConfig.match(/^map [^\n]*\{\n(?:[^\n]*\n)*?\}$/gm) ?? []).filter((map) => !map.startsWith("map $beta_state "));
  const start = routerConfig.indexOf("proxy_pass http://beta_apps;");
  const open = routerConfig.lastIndexOf("location / {", start);
  const close = routerConfig.indexOf("\n  }\n", start);
  if (maps.length === 0 || start < 0 || open < 0 || close < 0) throw new Error("cannot find the router's maps and location / in its config");
  const location = routerConfig
    .slice(open, close + 4)
    .split("\n")
    .filter((line) => !/^\s*(error_page|recursive_error_pages)\b/.test(line))
    .map((line) => line.replace("proxy_pass http://beta_apps;", "proxy_pass http://app;"))
    .join("\n");
  if (!location.includes("proxy_pass http://app;")) throw new Error("the router's location / has no proxy_pass to its upstream");
  return [...maps, "upstream app {", `  server ${appIp}:80;`, "  keepalive 64;", "}", "server {", `  listen 127.0.0.1:${port};`, location, "}"].join("\n");
}
