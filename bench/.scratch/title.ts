import { createWasmEspeakEngine } from '../../src/tts/espeak-engine.js';

const engine = createWasmEspeakEngine();
const s = engine.open({ language: 'en', voice: 'en', speed: 1 });
for (let i = 0; i < 6; i++) {
  const t = performance.now();
  await s.synthesize(`Chapter ${i + 1}.`);
  console.log((performance.now() - t).toFixed(0), 'ms');
}
const c0 = process.cpuUsage();
const t = performance.now();
const s2 = engine.open({ language: 'en', voice: 'en', speed: 1 });
await s2.synthesize('Chapter 1.');
console.log('new session first request', (performance.now() - t).toFixed(0), 'ms');
s.close();
s2.close();
