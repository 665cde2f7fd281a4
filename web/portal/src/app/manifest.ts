import type { MetadataRoute } from "next";

/** The web app manifest (/manifest.webmanifest): what an installed portal is called, its icons and colours. */
export default function manifest(): MetadataRoute.Manifest {
  return {
    id: "/",
    name: "Tenantry portal",
    short_name: "Tenantry",
    description: "Your online stores, their plans and their people.",
    start_url: "/stores",
    scope: "/",
    display: "standalone",
    background_color: "#ffffff",
    theme_color: "#3c2fd0",
    icons: [
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
      { src: "/icons/icon.svg", sizes: "any", type: "image/svg+xml", purpose: "any" },
    ],
  };
}
