/** The installed app: the offline page, updates, in English and German. */

export const en = {
  "offline.title": "You are offline",
  "offline.lead":
    "This page needs the network, and the connection is gone. Your stores are safe; check the connection (Wi-Fi, mobile data), then try again.",
  "offline.retry": "Try again",
  "app.update.available": "A new version of the portal is available.",
  "app.update.reload": "Reload",
} as const;

export const de: Record<keyof typeof en, string> = {
  "offline.title": "Sie sind offline",
  "offline.lead":
    "Diese Seite braucht das Netz, und die Verbindung ist weg. Ihre Shops sind sicher; prüfen Sie die Verbindung (WLAN, mobile Daten) und versuchen Sie es dann noch einmal.",
  "offline.retry": "Erneut versuchen",
  "app.update.available": "Eine neue Version des Portals ist verfügbar.",
  "app.update.reload": "Neu laden",
};
