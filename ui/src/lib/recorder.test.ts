// Recording a voice note: what a refused or missing microphone means, and the samples' way to
// the backend (16-bit PCM, base64) and to the preview player (WAV).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RecorderError, pcmBase64, problemOf, startRecording, toPcm16, toWav } from './recorder';

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
  it('become 16-bit PCM, clipped at full scale', () => {
    const pcm = toPcm16([new Float32Array([0, 0.5, -0.5]), new Float32Array([1, -1, 2, -3])]);
    expect(Array.from(pcm)).toEqual([0, 16384, -16384, 32767, -32768, 32767, -32768]);
  });

  it('go to the backend as little-endian base64', () => {
    const b64 = pcmBase64(new Int16Array([1, -2, 0x1234]));
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    expect(Array.from(bytes)).toEqual([0x01, 0x00, 0xfe, 0xff, 0x34, 0x12]);
    // Large recordings (a minute at 48 kHz) go through in one piece.
    const minute = new Int16Array(48_000 * 60).fill(-1);
    expect(atob(pcmBase64(minute)).length).toBe(minute.length * 2);
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
