import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Modal, Typography } from 'antd';
import { ScanOutlined } from '@ant-design/icons';
import rewards from '../../i18n/rewards';
import { useT } from '../../i18n';
import { canScan, looksLikeCode } from './model';

/** The part of the Barcode Detection API the scanner uses (not in TypeScript's DOM types yet). */
interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
type DetectorClass = new (options: { formats: string[] }) => Detector;

/**
 * A button that reads a voucher's QR code with the device's camera, where the browser
 * has BarcodeDetector and a camera API; elsewhere it is not shown, and the code is
 * typed. The first code read that looks like a voucher's is handed to onCode.
 */
export function ScanButton({ onCode }: { onCode: (text: string) => void }) {
  const t = useT(rewards);
  const [open, setOpen] = useState(false);
  if (!canScan(typeof window === 'undefined' ? undefined : (window as unknown as Parameters<typeof canScan>[0]))) return null;
  return (
    <>
      <Button size="large" icon={<ScanOutlined />} onClick={() => setOpen(true)}>
        {t('scan.button')}
      </Button>
      <Modal open={open} title={t('scan.title')} footer={null} onCancel={() => setOpen(false)} destroyOnHidden>
        {open && (
          <Camera
            onCode={(c) => {
              setOpen(false);
              onCode(c);
            }}
          />
        )}
      </Modal>
    </>
  );
}

function Camera({ onCode }: { onCode: (text: string) => void }) {
  const t = useT(rewards);
  const video = useRef<HTMLVideoElement>(null);
  const [failed, setFailed] = useState(false);
  const found = useRef(onCode);
  found.current = onCode;

  useEffect(() => {
    let stream: MediaStream | undefined;
    let timer: number | undefined;
    let stopped = false;
    const Barcode = (window as unknown as { BarcodeDetector: DetectorClass }).BarcodeDetector;
    const detector = new Barcode({ formats: ['qr_code'] });
    const scan = async () => {
      if (stopped || !video.current) return;
      try {
        const codes = await detector.detect(video.current);
        const hit = codes.find((c) => looksLikeCode(c.rawValue));
        if (hit && !stopped) {
          found.current(hit.rawValue);
          return;
        }
      } catch {
        // a frame not ready yet: the next one is tried
      }
      timer = window.setTimeout(() => void scan(), 250);
    };
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then(async (s) => {
        stream = s;
        if (stopped || !video.current) return;
        video.current.srcObject = s;
        await video.current.play();
        void scan();
      })
      .catch(() => setFailed(true));
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      stream?.getTracks().forEach((tr) => tr.stop());
    };
  }, []);

  if (failed) return <Alert type="warning" showIcon title={t('scan.failed')} />;
  return (
    <>
      <Typography.Paragraph type="secondary">{t('scan.hint')}</Typography.Paragraph>
      <video ref={video} muted playsInline style={{ width: '100%', borderRadius: 8, background: '#000' }} />
    </>
  );
}
