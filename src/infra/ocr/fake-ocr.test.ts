import { describe, expect, it } from 'vitest';
import { PDF } from '../../modules/files/test-fixtures.ts';
import { FakeOcr, scriptedOcrResult } from './fake-ocr.ts';
import { OcrImageError, OcrUnavailableError } from './ocr.ts';
import { greyPng } from './ocr-test-images.ts';

describe('FakeOcr', () => {
  it('checks input like the real pool, then returns the scripted result', async () => {
    const ocr = new FakeOcr();
    ocr.result = scriptedOcrResult('What is 2 + 2?\nA. four', 88);
    const result = await ocr.recognise(greyPng(120, 40, () => 255));
    expect(result).toMatchObject({
      text: 'What is 2 + 2?\nA. four',
      confidence: 88,
      image: { format: 'png', width: 120, height: 40 },
    });
    expect(result.words.map((w) => w.text)).toEqual(['What', 'is', '2', '+', '2?', 'A.', 'four']);
    expect(result.lines).toHaveLength(2);
    await expect(ocr.recognise(PDF)).rejects.toBeInstanceOf(OcrImageError);
    expect(ocr.calls).toHaveLength(1);
    await ocr.close();
    await expect(ocr.recognise(greyPng(10, 10, () => 0))).rejects.toBeInstanceOf(
      OcrUnavailableError,
    );
  });
});
