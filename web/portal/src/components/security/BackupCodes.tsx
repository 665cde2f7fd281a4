"use client";

/** Backup codes shown this once: the list, a .txt download (a Blob) and the browser's print dialog. */

import "@/app/security.css";

import { useEffect, useRef } from "react";

import type { Locale, Translate } from "@/lib/i18n";
import { BACKUP_FILE_NAME, backupCodesText, downloadText, formatWhen } from "@/lib/security";

export interface BackupCodesProps {
  t: Translate;
  locale: Locale;
  codes: readonly string[];
  onDone?: () => void;
  done?: string;
  /** How the file is offered; by default a download in the browser (tests pass their own). */
  download?: (text: string, fileName: string) => void;
  /** Move the focus to the codes once shown (the form that asked for them is gone). */
  autoFocus?: boolean;
}

export function BackupCodes({ t, locale, codes, onDone, done, download = downloadText, autoFocus = false }: BackupCodesProps) {
  const section = useRef<HTMLElement>(null);
  useEffect(() => {
    if (autoFocus) section.current?.focus();
  }, [autoFocus]);
  return (
    <section ref={section} tabIndex={autoFocus ? -1 : undefined} className="backup-codes" aria-labelledby="backup-title">
      <h3 id="backup-title">{t("security.backup.title")}</h3>
      <p>{t("security.backup.help")}</p>
      <ul className="codes" aria-label={t("security.backup.list")}>
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <div className="controls no-print">
        <button
          type="button"
          onClick={() => download(backupCodesText(codes, t, formatWhen(new Date().toISOString(), locale)), BACKUP_FILE_NAME)}
        >
          {t("security.backup.download")}
        </button>
        <button type="button" onClick={() => window.print()}>
          {t("security.backup.print")}
        </button>
        {onDone ? (
          <button type="button" className="link" onClick={onDone}>
            {done ?? t("security.backup.done")}
          </button>
        ) : null}
      </div>
    </section>
  );
}
