/** The client went away before its whole body arrived: nothing to answer, and no server fault. */
export class ClientAbort extends Error {
  constructor() {
    super('the client closed the connection before sending its whole request body');
    this.name = 'ClientAbort';
  }
}
