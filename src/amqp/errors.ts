/**
 * The error the codec throws on bad input. `code` is the AMQP reply code the
 * connection must be closed with (all are hard errors):
 * 501 FRAME_ERROR, 502 SYNTAX_ERROR, 503 COMMAND_INVALID, 505 UNEXPECTED_FRAME,
 * 540 NOT_IMPLEMENTED.
 */
export class AmqpFrameError extends Error {
  override name = "AmqpFrameError";
  /** Class and method id of the offending method frame, when known (for connection.close). */
  classId = 0;
  methodId = 0;

  constructor(readonly code: number, message: string) {
    super(message);
  }
}
