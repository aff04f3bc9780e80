// socialized-loss in an app bundled by Vite: the engine's bytes are embedded in
// the package, so nothing else needs configuring (no .wasm asset, no plugin).
import { loadEngine } from 'socialized-loss';
import { socializeReference } from 'socialized-loss/reference';

const input = { loss: 1_000_000n, insuranceFund: 250_000n, profits: [500_001n, -120_000n, 333_333n, 166_666n, 0n] };

loadEngine().then((engine) => {
  const result = engine.socialize(input);
  const reference = socializeReference(input);
  document.getElementById('out').textContent = JSON.stringify({
    variant: engine.variant,
    haircuts: [...result.haircuts].map(String),
    agrees: result.haircuts.every((h, i) => h === reference.haircuts[i]),
  });
});
