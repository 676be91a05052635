// Message text for the tests and the benchmark of `segments`.

const LINES = [
  'مرحبًا، طلبي #A-1042 لم يصل بعد. تتبّعته على https://noor.ae/track?o=A-1042 ولم أجد شيئًا.',
  'Hi, my order #B-77 arrived damaged, photos at https://photos.example.com/s/Xy12 (see www.noor.ae/returns).',
  'اتصل بي على +971 50 123 4567 أو راسلني على sara.k+orders@mail.noor.ae بعد الساعة الخامسة، شكرًا.',
  'The invoice link https://billing.noor.ae/inv/2026-11?id=98231&lang=ar expired; please resend to ahmed@example.ae.',
  'هل يمكن تغيير العنوان إلى دبي، شارع الشيخ زايد؟ رقم الطلب #C-99812 ورقم الهاتف 0501234567.',
  'Refund status? Ticket ref #R-2044, call 04 123 4567 or see https://help.noor.ae/ar/refunds.',
];

/** About a megabyte of customer messages, Arabic and English, with links, addresses and numbers. */
export function megabyteMessage(): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < 1_000_000; i++) {
    const line = LINES[i % LINES.length] as string;
    parts.push(line);
    length += line.length + 1;
  }
  return parts.join('\n');
}
