/**
 * The dashboard's broker in e2e tests: its own embedded broker on free
 * ports, so a test never binds 5672/15672 (RabbitMQ runs there in CI) nor
 * depends on what listens there, keeping nothing on disk (a test never
 * writes into the user's state directory).
 */
export const NO_RABBIT = [
  "--broker",
  "embedded",
  "--embedded-ports",
  "0,0",
  "--embedded-data-dir",
  "none",
];

/**
 * The embedded broker's URL in the status bar once connected (`│ amqp://...:PORT │`),
 * never the `connecting to ...` segment, which a narrow bar cuts with an ellipsis.
 */
export const EMBEDDED_URL_SHOWN = /│ amqp:\/\/guest:\*\*\*@127\.0\.0\.1:(\d+) │/;
