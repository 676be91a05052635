// Recording a voice note: the microphone's samples as 16-bit mono PCM (the backend encodes them
// to Opus in Ogg, as WhatsApp and Telegram take voice messages), a level for the meter while
// recording, and a WAV of the same samples for the preview. No platform recorder is needed (the
// web views' MediaRecorder formats differ by OS; none gives Ogg Opus everywhere).

/** Why recording cannot start; each has its own explanation on the button. */
export type RecorderProblem = 'unsupported' | 'blocked' | 'none' | 'busy' | 'failed';

export class RecorderError extends Error {
  constructor(readonly problem: RecorderProblem) {
    super(problem);
  }
}

/** What `getUserMedia`'s failure means for the agent. */
export function problemOf(err: unknown): RecorderProblem {
  const name = err instanceof Error || (typeof err === 'object' && err !== null && 'name' in err) ? String((err as { name: unknown }).name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      return 'blocked';
    case 'NotFoundError':
    case 'OverconstrainedError':
    case 'DevicesNotFoundError':
      return 'none';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'busy';
    default:
      return 'failed';
  }
}

export interface Recording {
  pcm: Int16Array;
  sampleRate: number;
  durationMs: number;
}

/** One buffer of float samples (-1…1) as 16-bit PCM, clipped, and its loudness (RMS, 0…1). Each
 * buffer is converted as it arrives, so stopping a long note leaves only copies to make. */
export function pcm16(samples: Float32Array): { pcm: Int16Array; rms: number } {
  const pcm = new Int16Array(samples.length);
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i] as number;
    sum += x * x;
    const v = x < -1 ? -1 : x > 1 ? 1 : x;
    pcm[i] = v < 0 ? Math.round(v * 0x8000) : Math.round(v * 0x7fff);
  }
  return { pcm, rms: samples.length ? Math.sqrt(sum / samples.length) : 0 };
}

/** Buffers of 16-bit PCM, one after another. */
export function joinPcm(chunks: Int16Array[]): Int16Array {
  const out = new Int16Array(chunks.reduce((a, c) => a + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The samples' bytes, little-endian (WAV's order and the backend's): the array's own memory on
 * every machine the app runs on, a copy on a big-endian one. */
function littleEndianBytes(pcm: Int16Array): Uint8Array<ArrayBuffer> {
  if (LITTLE_ENDIAN && pcm.buffer instanceof ArrayBuffer) return new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const bytes = new Uint8Array(pcm.length * 2);
  const v = new DataView(bytes.buffer);
  pcm.forEach((s, i) => v.setInt16(i * 2, s, true));
  return bytes;
}

/** A WAV file of mono 16-bit PCM (for the preview player). */
export function toWav(pcm: Int16Array, sampleRate: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(44 + pcm.length * 2);
  const v = new DataView(bytes.buffer);
  const text = (at: number, s: string) => [...s].forEach((ch, i) => v.setUint8(at + i, ch.charCodeAt(0)));
  text(0, 'RIFF');
  v.setUint32(4, 36 + pcm.length * 2, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  text(36, 'data');
  v.setUint32(40, pcm.length * 2, true);
  bytes.set(littleEndianBytes(pcm), 44);
  return bytes;
}

/** Little-endian 16-bit PCM as base64 (what `send_voice_note` takes): the web view's own encoder
 * where it has one (`Uint8Array.prototype.toBase64`), else `btoa` a piece at a time. */
export function pcmBase64(pcm: Int16Array): string {
  const bytes = littleEndianBytes(pcm) as Uint8Array & { toBase64?: () => string };
  if (typeof bytes.toBase64 === 'function') return bytes.toBase64();
  // Pieces of a multiple of 3 bytes encode without padding, so their base64 joins up.
  const PIECE = 3 * 0x4000;
  let out = '';
  for (let i = 0; i < bytes.length; i += PIECE) out += btoa(String.fromCharCode(...bytes.subarray(i, i + PIECE)));
  return out;
}

/** The longest note recorded; the recording stops by itself there. */
export const MAX_MS = 15 * 60 * 1000;

/** A recording in progress: `level` (0…1) follows the voice; `stop` keeps it, `cancel` drops it. */
export interface Session {
  readonly sampleRate: number;
  /** Milliseconds recorded so far. */
  elapsed(): number;
  stop(): Recording;
  cancel(): void;
}

/** Starts recording from the default microphone; `onLevel` gets the loudness about 10 times a second. */
export async function startRecording(onLevel: (level: number) => void, onLimit: () => void): Promise<Session> {
  const media = globalThis.navigator?.mediaDevices;
  if (!media?.getUserMedia || typeof AudioContext === 'undefined') throw new RecorderError('unsupported');
  let stream: MediaStream;
  try {
    stream = await media.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } });
  } catch (err) {
    throw new RecorderError(problemOf(err));
  }
  const ctx = new AudioContext();
  const source = ctx.createMediaStreamSource(stream);
  // A ScriptProcessor works in every desktop web view without loading a worklet module.
  const proc = ctx.createScriptProcessor(4096, 1, 1);
  const chunks: Int16Array[] = [];
  let samples = 0;
  let done = false;
  proc.onaudioprocess = (e) => {
    if (done) return;
    const { pcm, rms } = pcm16(e.inputBuffer.getChannelData(0));
    chunks.push(pcm);
    samples += pcm.length;
    onLevel(Math.min(1, rms * 4));
    if ((samples / ctx.sampleRate) * 1000 >= MAX_MS) onLimit();
  };
  source.connect(proc);
  proc.connect(ctx.destination);
  const close = () => {
    done = true;
    proc.disconnect();
    source.disconnect();
    stream.getTracks().forEach((t) => t.stop());
    void ctx.close();
  };
  return {
    sampleRate: ctx.sampleRate,
    elapsed: () => (samples / ctx.sampleRate) * 1000,
    stop() {
      close();
      const pcm = joinPcm(chunks);
      return { pcm, sampleRate: ctx.sampleRate, durationMs: Math.round((pcm.length / ctx.sampleRate) * 1000) };
    },
    cancel: close,
  };
}
