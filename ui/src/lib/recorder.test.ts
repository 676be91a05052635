// Recording a voice note: what a refused or missing microphone means, and the samples' way to
// the backend (16-bit PCM, base64) and to the preview player (WAV).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RecorderError, joinPcm, pcm16, pcmBase64, problemOf, startRecording, toWav } from './recorder';

const named = (name: string) => Object.assign(new Error(name), { name });

describe('a microphone that cannot be used', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('says why, by the kind of failure', () => {
    expect(problemOf(named('NotAllowedError'))).toBe('blocked');
    expect(problemOf(named('SecurityError'))).toBe('blocked');
    expect(problemOf(named('NotFoundError'))).toBe('none');
    // WebKitGTK on a machine without a microphone.
    expect(problemOf({ name: 'OverconstrainedError', message: 'Invalid constraint' })).toBe('none');
    expect(problemOf(named('NotReadableError'))).toBe('busy');
    expect(problemOf(new Error('something else'))).toBe('failed');
    expect(problemOf(undefined)).toBe('failed');
  });

  it('is unsupported where the web view has no media devices', async () => {
    vi.stubGlobal('navigator', {});
    await expect(startRecording(() => {}, () => {})).rejects.toEqual(new RecorderError('unsupported'));
  });

  it('is blocked when the user or the system refuses', async () => {
    vi.stubGlobal('navigator', { mediaDevices: { getUserMedia: () => Promise.reject(named('NotAllowedError')) } });
    vi.stubGlobal('AudioContext', class {});
    const err = await startRecording(() => {}, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecorderError);
    expect((err as RecorderError).problem).toBe('blocked');
  });
});

describe('the samples', () => {
  it('become 16-bit PCM, clipped at full scale, a buffer at a time with its loudness', () => {
    const first = pcm16(new Float32Array([0, 0.5, -0.5]));
    const second = pcm16(new Float32Array([1, -1, 2, -3]));
    expect(Array.from(joinPcm([first.pcm, second.pcm]))).toEqual([0, 16384, -16384, 32767, -32768, 32767, -32768]);
    expect(first.rms).toBeCloseTo(Math.sqrt(0.5 / 3), 6);
    expect(pcm16(new Float32Array(0))).toEqual({ pcm: new Int16Array(0), rms: 0 });
  });

  it('go to the backend as little-endian base64', () => {
    const b64 = pcmBase64(new Int16Array([1, -2, 0x1234]));
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    expect(Array.from(bytes)).toEqual([0x01, 0x00, 0xfe, 0xff, 0x34, 0x12]);
    // A view into a larger buffer gives its own samples only.
    const view = new Int16Array([7, 1, -2, 9]).subarray(1, 3);
    expect(Array.from(Uint8Array.from(atob(pcmBase64(view)), (c) => c.charCodeAt(0)))).toEqual([0x01, 0x00, 0xfe, 0xff]);
    // Large recordings (a minute at 48 kHz, and a sample more: pieces that do not divide it)
    // go through whole and in order.
    const minute = Int16Array.from({ length: 48_000 * 60 + 1 }, (_, i) => (i * 7919) % 65536 - 32768);
    expect(pcmBase64(minute)).toBe(Buffer.from(minute.buffer).toString('base64'));
  });

  it("use the web view's own base64 encoder where it has one, on the samples' bytes only", () => {
    const proto = Uint8Array.prototype as Uint8Array & { toBase64?: () => string };
    const had = Object.getOwnPropertyDescriptor(proto, 'toBase64');
    const seen: number[][] = [];
    proto.toBase64 = function (this: Uint8Array) {
      seen.push(Array.from(this));
      return Buffer.from(this).toString('base64');
    };
    try {
      const view = new Int16Array([7, 1, -2, 9]).subarray(1, 3);
      expect(pcmBase64(view)).toBe('AQD+/w==');
      expect(seen).toEqual([[0x01, 0x00, 0xfe, 0xff]]);
    } finally {
      if (had) Object.defineProperty(proto, 'toBase64', had);
      else delete proto.toBase64;
    }
  });

  it('play back in the preview as a mono 16-bit WAV at their own rate', () => {
    const wav = toWav(new Int16Array([0, 1000, -1000]), 44_100);
    const v = new DataView(wav.buffer);
    const text = (at: number) => String.fromCharCode(...wav.subarray(at, at + 4));
    expect([text(0), text(8), text(12), text(36)]).toEqual(['RIFF', 'WAVE', 'fmt ', 'data']);
    expect(v.getUint16(22, true)).toBe(1);
    expect(v.getUint32(24, true)).toBe(44_100);
    expect(v.getUint16(34, true)).toBe(16);
    expect(v.getUint32(40, true)).toBe(6);
    expect(v.getInt16(46, true)).toBe(1000);
    expect(wav.length).toBe(50);
  });
});
