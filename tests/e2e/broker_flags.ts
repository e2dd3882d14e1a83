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
