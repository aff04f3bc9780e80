// One shard in its own process: serves the shard protocol over the IPC channel that
// its parent opened (fork with serialization: 'advanced', which carries bigints and
// typed arrays). Any transport that carries structured-clone data works the same way.
import { serveShard } from 'socialized-loss/parallel';

serveShard({
  send: (message) => process.send(message),
  listen: (handler) => process.on('message', handler),
  stop: () => process.disconnect(),
});
