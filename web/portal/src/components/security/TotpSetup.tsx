"use client";

/** A new authenticator app's secret: the otpauth URI as a QR code (rendered here, `qrcode`), and the key to type. */

import { useEffect, useRef, useState } from "react";

import type { Translate } from "@/lib/i18n";
import { groupSecret, qrDataUrl } from "@/lib/security";

export interface TotpSetupProps {
  t: Translate;
  uri: string;
  secret: string;
  /** Move the focus to the instructions once shown (the button that asked for them is gone). */
  autoFocus?: boolean;
}

export function TotpSetup({ t, uri, secret, autoFocus = false }: TotpSetupProps) {
  const [qr, setQr] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (autoFocus) box.current?.focus();
  }, [autoFocus]);
  useEffect(() => {
    let live = true;
    qrDataUrl(uri).then(
      (url) => live && setQr(url),
      () => live && setQr(null),
    );
    return () => {
      live = false;
    };
  }, [uri]);
  return (
    <div ref={box} tabIndex={autoFocus ? -1 : undefined} className="totp-setup">
      <p>{t("security.tf.scan")}</p>
      {qr ? (
        <img className="qr" src={qr} alt={t("security.tf.qrAlt")} width={200} height={200} />
      ) : (
        <div className="qr skeleton" aria-hidden="true" />
      )}
      <p>{t("security.tf.manual")}</p>
      <p>
        <code className="secret" data-secret={secret}>
          {groupSecret(secret)}
        </code>
      </p>
      <p>{t("security.tf.enterCode")}</p>
    </div>
  );
}
