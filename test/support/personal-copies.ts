/**
 * A platform whose shared services cover every case of personal copies: billing may be copied
 * (the company builds its image), postgres names no image, search is marked copyable: false.
 */
import { kubeconfigPlatformConfig } from "./program";

export const RELEASE = "master-3f2c1ab";
export const BILLING_IMAGE = "registry.example.com/billing";

export function copyablePlatformConfig(): Record<string, unknown> {
  return kubeconfigPlatformConfig({
    sharedServices: [
      {
        name: "billing",
        host: "billing.internal.example.com",
        port: 8080,
        cidrs: ["10.0.8.0/24"],
        image: BILLING_IMAGE,
        healthPath: "/health",
        env: { LOG_LEVEL: "debug", BETA_NAME: "not-this" },
        resources: { requests: { cpu: "50m" }, limits: { memory: "512Mi" } },
        syncPath: "/srv/billing",
      },
      { name: "postgres", host: "10.0.12.34", port: 5432 },
      { name: "search", host: "search.internal.example.com", port: 9200, cidrs: ["10.0.9.0/24"], image: "registry.example.com/search", copyable: false },
    ],
  });
}
