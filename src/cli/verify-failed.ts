// verify's verdict when something differs: thrown after the differences are
// printed, it ends the command with exit status 3.

/** Thrown after verify has printed what differs: exit status 3. */
export class VerificationFailed extends Error {
  override name = 'VerificationFailed';
}
