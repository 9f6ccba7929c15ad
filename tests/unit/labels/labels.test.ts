import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GlassboxError } from '../../../src/engine/errors';
import { IMAGENET_LABELS, LABEL_TEXT_RULE, labelTextProblem, labelsFromMetadata, parseLabels, resolveLabels } from '../../../src/engine/labels/labels';

const corpus = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../corpus/bad-inputs.json'), 'utf8')) as {
  labels: { file: string; text: string; code: string; message: string; detail: string }[];
};

function expectLabelsInvalid(fn: () => unknown): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(GlassboxError);
  expect((thrown as GlassboxError).code).toBe('LABELS_INVALID');
}

describe('parseLabels', () => {
  it('reads plain text one label per line and strips WordNet ids (synset_words.txt)', () => {
    const text = 'n01440764 tench, Tinca tinca\nn01443537 goldfish, Carassius auratus\nn01484850 great white shark\n';
    expect(parseLabels(text)).toEqual(['tench, Tinca tinca', 'goldfish, Carassius auratus', 'great white shark']);
  });

  it('handles CRLF, a BOM and surrounding whitespace, and keeps labels that merely start with n', () => {
    expect(parseLabels('\uFEFFcat\r\n  dog  \r\nnewt\r\n')).toEqual(['cat', 'dog', 'newt']);
    // Only an "n" followed by exactly eight digits and a space is a WordNet id.
    expect(parseLabels('n123 thing\nn0144076 short id')).toEqual(['n123 thing', 'n0144076 short id']);
  });

  it('reads a JSON array of strings', () => {
    expect(parseLabels('["cat", "dog", "bird"]', 'labels.json')).toEqual(['cat', 'dog', 'bird']);
  });

  it('reads a JSON object keyed by index and fills gaps as "class i"', () => {
    expect(parseLabels('{"0": "a", "2": "c"}')).toEqual(['a', 'class 1', 'c']);
    // Order of keys in the file does not matter.
    expect(parseLabels('{"1": "b", "0": "a"}')).toEqual(['a', 'b']);
  });

  it('reads a JSON object mapping names to indices', () => {
    expect(parseLabels('{"dog": 1, "cat": 0, "bird": 2}')).toEqual(['cat', 'dog', 'bird']);
  });

  it('reads Keras-style [[wnid, name], ...] arrays and {"0": [wnid, name]} objects', () => {
    expect(parseLabels('[["n01440764", "tench"], ["n01443537", "goldfish"]]')).toEqual(['tench', 'goldfish']);
    expect(parseLabels('{"0": ["n01440764", "tench"], "1": ["n01443537", "goldfish"]}')).toEqual(['tench', 'goldfish']);
  });

  it('refuses invalid JSON, mixed arrays and objects of neither kind with LABELS_INVALID', () => {
    expectLabelsInvalid(() => parseLabels('["cat", "dog"'));
    expectLabelsInvalid(() => parseLabels('{"0": "cat",}'));
    expectLabelsInvalid(() => parseLabels('["cat", 3]'));
    expectLabelsInvalid(() => parseLabels('{"cat": "dog"}'));
  });

  it('refuses empty and whitespace-only files with LABELS_INVALID', () => {
    expectLabelsInvalid(() => parseLabels(''));
    expectLabelsInvalid(() => parseLabels('  \n\r\n\t '));
    expectLabelsInvalid(() => parseLabels('\uFEFF'));
  });

  it('refuses an empty JSON list or object: a labels file with no labels is a mistake', () => {
    expect(() => parseLabels('[]', 'a.json')).toThrow(expect.objectContaining({ code: 'LABELS_INVALID' }));
    expect(() => parseLabels('{}', 'b.json')).toThrow(expect.objectContaining({ code: 'LABELS_INVALID' }));
  });

  it('names the file in the error message', () => {
    expect(() => parseLabels('', 'my-classes.txt')).toThrow(/my-classes\.txt/);
  });
});

describe('plain text must look like labels', () => {
  // Ten lines of ImageNet's synset_words.txt, among them its longest (131 characters) and one ending in "R.V.".
  const synsetSample = [
    'n01440764 tench, Tinca tinca',
    'n02268443 dragonfly, darning needle, devil\'s darning needle, sewing needle, snake feeder, snake doctor, mosquito hawk, skeeter hawk',
    'n02086240 Shih-Tzu',
    'n02113023 Pembroke, Pembroke Welsh corgi',
    'n03483316 hand blower, blow dryer, blow drier, hair dryer, hair drier',
    'n04350905 suit, suit of clothes',
    'n07714571 head cabbage',
    'n09468604 valley, vale',
    'n02669723 academic gown, academic robe, judge\'s robe',
    'n02110958 pug, pug-dog',
  ];

  it('accepts class lists: synset_words lines (one in ten may be long), short names, digits, names with apostrophes and hyphens', () => {
    expect(parseLabels(synsetSample.join('\n'))).toHaveLength(10);
    expect(parseLabels('circle\nsquare\ntriangle\nstar\n')).toEqual(['circle', 'square', 'triangle', 'star']);
    expect(parseLabels('0\n1\n2\n3\n4\n5\n6\n7\n8\n9')).toHaveLength(10);
    expect(parseLabels("jack-o'-lantern\npotter's wheel\nyellow lady's slipper")).toHaveLength(3);
    expect(parseLabels('cat\n\ndog\n')).toEqual(['cat', '', 'dog']);
  });

  it('refuses a list where more than one line in ten is not a name', () => {
    const twoLong = [...synsetSample, 'n02977058 cash machine, cash dispenser, automated teller machine, automatic teller machine, automated teller, automatic teller, ATM'];
    expect(labelTextProblem(synsetSample.map((l) => l.slice(10)))).toBeUndefined();
    expect(labelTextProblem(twoLong.map((l) => l.slice(10)))).toMatch(/^2 of 11 lines do not look like class names: line 2 is 121 characters long; line 11 is 121 characters long\.$/);
  });

  it.each(corpus.labels)('$file is refused with $code and says why in its detail', ({ file, text, code, message, detail }) => {
    let thrown: unknown;
    try {
      parseLabels(text, file);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(GlassboxError);
    const error = thrown as GlassboxError;
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
    expect(error.detail).toMatch(new RegExp(detail));
    expect(error.detail).toContain(LABEL_TEXT_RULE);
    expect(error.hint).toMatch(/one class name per line/);
  });

  it('tells sentences from names: a sentence end, many small words, or many words', () => {
    expect(labelTextProblem(['Check the labels.', 'cat'])).toMatch(/line 1 ends like a sentence/);
    expect(labelTextProblem(['this is the one we want', 'cat'])).toMatch(/line 1 reads like a sentence/);
    expect(labelTextProblem(['one two three four five six seven eight nine', 'cat'])).toMatch(/line 1 has 9 words without a comma/);
    expect(labelTextProblem(['St. Bernard, St Bernard', 'suit, suit of clothes'])).toBeUndefined();
  });

  it('refuses JSON that does not parse, with the parser text apart from the message', () => {
    try {
      parseLabels('["cat", "dog"', 'classes.json');
      expect.unreachable();
    } catch (e) {
      expect((e as GlassboxError).message).toBe('classes.json looks like JSON but is not valid JSON.');
      expect((e as GlassboxError).detail).toMatch(/^JSON\.parse: /);
    }
  });
});

describe('labelsFromMetadata', () => {
  it('reads a JSON array under "labels"', () => {
    expect(labelsFromMetadata({ labels: '["cat", "dog"]' })).toEqual(['cat', 'dog']);
  });

  it("reads Ultralytics' Python-dict \"names\"", () => {
    expect(labelsFromMetadata({ names: "{0: 'person', 1: 'bicycle'}" })).toEqual(['person', 'bicycle']);
  });

  it('reads Ultralytics names that Python writes in double quotes because they hold an apostrophe', () => {
    // str(dict) in Python: {606: 'clothes iron', 607: "jack-o'-lantern", 608: 'jeans'} — Ultralytics'
    // ImageNet names (yolov8n-cls) include jack-o'-lantern, potter's wheel and yellow lady's slipper.
    const raw = `{0: 'clothes iron', 1: "jack-o'-lantern", 2: 'jeans', 3: "potter's wheel"}`;
    expect(labelsFromMetadata({ names: raw })).toEqual(['clothes iron', "jack-o'-lantern", 'jeans', "potter's wheel"]);
  });

  // labels.ts has a comma-split fallback for metadata, but it only runs when parseLabels throws; a plain
  // one-line "cat, dog, bird" parses as ONE text label, so the fallback never applies to it.
  it('falls back to a comma-separated list', () => {
    expect(labelsFromMetadata({ classes: 'cat, dog , bird' })).toEqual(['cat', 'dog', 'bird']);
  });

  // str(list) in Python, as some exporters write class_names: JSON.parse fails on the single quotes, and the
  // comma fallback then keeps the brackets and quotes: ["['cat'", "'dog']"].
  it("reads a Python list repr ['cat', 'dog']", () => {
    expect(labelsFromMetadata({ class_names: "['cat', 'dog']" })).toEqual(['cat', 'dog']);
  });

  it('prefers "labels" over the other keys and returns undefined without any', () => {
    expect(labelsFromMetadata({ names: "{0: 'x'}", labels: '["a", "b"]' })).toEqual(['a', 'b']);
    expect(labelsFromMetadata({ author: 'someone', version: '3' })).toBeUndefined();
    expect(labelsFromMetadata({})).toBeUndefined();
  });
});

describe('resolveLabels', () => {
  it('prefers the file over the metadata when both fit', () => {
    const r = resolveLabels(2, { file: ['f0', 'f1'], metadata: ['m0', 'm1'] });
    expect(r).toEqual({ labels: ['f0', 'f1'], source: 'file', warning: undefined });
  });

  it('uses the metadata, with a warning, when the file has the wrong length', () => {
    const r = resolveLabels(2, { file: ['f0', 'f1', 'f2'], metadata: ['m0', 'm1'] });
    expect(r.labels).toEqual(['m0', 'm1']);
    expect(r.source).toBe('model metadata');
    expect(r.warning).toMatch(/3/);
    expect(r.warning).toMatch(/2/);
  });

  it('falls back to ImageNet for 1000 classes when the file does not fit', () => {
    const r = resolveLabels(1000, { file: ['a', 'b', 'c'] });
    expect(r.source).toBe('ImageNet (built-in)');
    expect(r.labels).toHaveLength(1000);
    expect(r.warning).toBeTruthy();
  });

  it('uses the built-in ImageNet names for 1000 classes', () => {
    const r = resolveLabels(1000, {});
    expect(r.source).toBe('ImageNet (built-in)');
    expect(r.labels).toHaveLength(1000);
    expect(r.labels[0]).toBe('tench');
    expect(r.labels[285]).toBe('Egyptian cat');
    expect(r.labels[967]).toBe('espresso');
    expect(r.labels[999]).toBe('toilet tissue');
    expect(r.warning).toBeUndefined();
  });

  it('shifts the ImageNet names by one behind "background" for 1001 classes', () => {
    const r = resolveLabels(1001, {});
    expect(r.source).toBe('ImageNet + background (built-in)');
    expect(r.labels).toHaveLength(1001);
    expect(r.labels[0]).toBe('background');
    expect(r.labels[1]).toBe('tench');
    expect(r.labels[286]).toBe('Egyptian cat');
    expect(r.labels[968]).toBe('espresso');
  });

  it('names other counts "class i" with source none', () => {
    const r = resolveLabels(4, {});
    expect(r).toEqual({ labels: ['class 0', 'class 1', 'class 2', 'class 3'], source: 'none', warning: undefined });
  });

  it('returns a copy, so editing the result cannot change the built-in list', () => {
    const r = resolveLabels(1000, {});
    r.labels[0] = 'changed';
    expect(IMAGENET_LABELS[0]).toBe('tench');
    const file = ['a', 'b'];
    const fromFile = resolveLabels(2, { file });
    fromFile.labels[0] = 'z';
    expect(file[0]).toBe('a');
  });
});
