// The crash-safe framing under the twin's spool and the agent's queue, tested on its own.
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, FRAME_HEADER_BYTES, scanFrames, type FrameFormat } from '../../../pipeline/storage/framed-records.ts';

const FORMAT: FrameFormat = { what: 'test record', magic: Buffer.from('WLTEST01', 'latin1'), minBodyBytes: 1, maxBodyBytes: 64 };
const frame = (text: string): Buffer => encodeFrame(FORMAT, text.length, (out, body) => out.write(text, body, 'latin1'));
const parseText = (body: Buffer): string => body.toString('latin1');
const flipLastBit = (bytes: Buffer): void => { bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0x01, bytes.length - 1); };
const file = (...frames: Buffer[]): Buffer => Buffer.concat([FORMAT.magic, ...frames]);

describe('framed records', () => {
  it('reads back every record of an intact file, in order', () => {
    const scan = scanFrames(FORMAT, file(frame('first'), frame('second')), (body) => ({ text: parseText(body) }));
    expect(scan).toEqual({ records: [{ text: 'first' }, { text: 'second' }], validBytes: FORMAT.magic.length + 2 * FRAME_HEADER_BYTES + 11, tail: null });
  });

  it('stops at a torn last frame, keeping the intact ones before it', () => {
    const intact = file(frame('kept'));
    for (let cut = 1; cut < FRAME_HEADER_BYTES + 'lost'.length; cut++) {
      const torn = Buffer.concat([intact, frame('lost').subarray(0, cut)]);
      const scan = scanFrames(FORMAT, torn, (body) => ({ text: parseText(body) }));
      expect(scan.records).toEqual([{ text: 'kept' }]);
      expect(scan.validBytes).toBe(intact.length);
      expect(scan.tail).toMatch(/^partial record (header|body)$/);
    }
  });

  it('stops at a frame whose body no longer matches its checksum', () => {
    const damaged = file(frame('good'), frame('rotten'));
    flipLastBit(damaged);
    const scan = scanFrames(FORMAT, damaged, (body) => ({ text: parseText(body) }));
    expect(scan).toMatchObject({ records: [{ text: 'good' }], tail: 'record checksum mismatch' });
  });

  it('treats an implausible length and a missing magic as corruption, and a body the parser refuses as the tail', () => {
    const huge = Buffer.alloc(FRAME_HEADER_BYTES);
    huge.writeUInt32LE(FORMAT.maxBodyBytes + 1, 0);
    expect(scanFrames(FORMAT, file(huge), parseText).tail).toBe(`implausible record length ${FORMAT.maxBodyBytes + 1}`);
    expect(scanFrames(FORMAT, Buffer.from('WLTE'), parseText)).toEqual({ records: [], validBytes: 0, tail: 'missing or partial segment header' });
    const refused = scanFrames(FORMAT, file(frame('ok'), frame('no')), (body) => (parseText(body) === 'no' ? 'refused by the format' : { text: parseText(body) }));
    expect(refused).toMatchObject({ records: [{ text: 'ok' }], tail: 'refused by the format' });
  });

  it('refuses to write a body over the limit, and checks a frame read back on its own', () => {
    expect(() => encodeFrame(FORMAT, FORMAT.maxBodyBytes + 1, () => undefined)).toThrow(/test record of 64 bytes is over the 64-byte limit/);
    const one = frame('alone');
    expect(parseText(decodeFrame(FORMAT, one))).toBe('alone');
    flipLastBit(one);
    expect(() => decodeFrame(FORMAT, one)).toThrow('test record checksum mismatch');
  });
});
