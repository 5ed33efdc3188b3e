import { CoopError, coopErrorCodes } from "../errors/index.js";

/**
 * Best-of-n, contrastive or token-ensemble settings out of range (from a request or a catalog variant); the
 * message names the setting, its range and the value given.
 */
export class EnsembleSettingsError extends CoopError {
  constructor(message: string) {
    super(coopErrorCodes.ensembleSettings, message);
    this.name = "EnsembleSettingsError";
  }
}
