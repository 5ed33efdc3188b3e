// The engine host's engine side: what runs in the engine process (hostMain.ts is its entry point).
export { RemoteApiKeyStore } from "./remoteApiKeyStore.js";
