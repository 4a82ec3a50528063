/**
 * Every TypeScript snippet of README.md, docs/guide.md and docs/operators.md compiles against the library as published: `kraken-rx`,
 * `kraken-rx/operators` and `kraken-rx/sim` resolve to src/index.ts, src/operators/index.ts and src/sim/index.ts,
 * and each snippet's body runs inside an async function (the snippets use top-level `await`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

jest.setTimeout(30_000);

const ROOT = path.resolve(__dirname, '../..');
const DOCS = ['README.md', 'docs/guide.md', 'docs/operators.md'];

interface Snippet {
  readonly where: string;
  readonly file: string;
  readonly source: string;
}

function snippets(): Snippet[] {
  const found: Snippet[] = [];
  for (const doc of DOCS) {
    const text = fs.readFileSync(path.join(ROOT, doc), 'utf8');
    for (const m of text.matchAll(/```ts\n([\s\S]*?)```/g)) {
      const line = text.slice(0, m.index).split('\n').length;
      const imports: string[] = [];
      const body: string[] = [];
      let inImport = false;
      for (const l of m[1].split('\n')) {
        if (inImport || /^import /.test(l)) {
          imports.push(l);
          inImport = !/;\s*$/.test(l);
        } else body.push(l);
      }
      found.push({
        where: `${doc}:${line}`,
        file: path.join(ROOT, `__snippet_${found.length}.ts`),
        source: `${imports.join('\n')}\nexport async function snippet(): Promise<void> {\n${body.join('\n')}\n}\n`,
      });
    }
  }
  return found;
}

function compile(list: readonly Snippet[]): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    baseUrl: ROOT,
    paths: { 'kraken-rx': ['src/index.ts'], 'kraken-rx/*': ['src/*/index.ts'] },
  };
  const virtual = new Map(list.map((s) => [s.file, s.source]));
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (file, language, ...rest) => {
    const text = virtual.get(file);
    return text !== undefined ? ts.createSourceFile(file, text, language) : getSourceFile(file, language, ...rest);
  };
  host.fileExists = (file) => virtual.has(file) || fileExists(file);
  host.readFile = (file) => virtual.get(file) ?? readFile(file);
  const program = ts.createProgram([...virtual.keys()], options, host);
  return list.flatMap((s) => {
    const source = program.getSourceFile(s.file);
    return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) => {
      const at = d.start !== undefined && source ? source.getLineAndCharacterOfPosition(d.start).line - 1 : 0;
      return `${s.where} (+${at}): ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
  });
}

/** A snippet that must fail: proves the check reports what it should (compiled in the same program). */
const BAD: Snippet = {
  where: 'bad',
  file: path.join(ROOT, '__snippet_bad.ts'),
  source: `import { KrakenSimulator } from 'kraken-rx/sim';\nexport async function snippet(): Promise<void> {\n  const sim = await KrakenSimulator.start({ seed: 7 });\n  new KrakenDataClient(sim.config());\n}\n`,
};

describe('documentation snippets', () => {
  const list = snippets();

  it('are found in README.md and docs/guide.md', () => {
    expect(list.map((s) => s.where.split(':')[0])).toEqual(expect.arrayContaining(DOCS));
  });

  it('compile against the exported names and signatures (and a name the library does not export is reported)', () => {
    const problems = compile([...list, BAD]);
    expect(problems.filter((p) => !p.startsWith('bad '))).toEqual([]);
    expect(problems.filter((p) => p.startsWith('bad '))).toEqual(["bad (+2): Cannot find name 'KrakenDataClient'."]);
  });
});
