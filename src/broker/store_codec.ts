/**
 * What the store reads and writes as bytes and JSON: a message's properties
 * in their wire form (the content header's property list), field tables (queue and
 * exchange arguments) as base64 of their wire form, so every AMQP value type
 * comes back exactly, and the definitions of durable exchanges, queues and
 * bindings.
 */
import { Buffer } from "node:buffer";
import { decodeFieldTable, encodeFieldTable, type FieldTable } from "../amqp/field_table.ts";
import { type BasicProperties, readProperties } from "../amqp/properties.ts";
import { Reader } from "../amqp/wire.ts";

export function decodeProperties(bytes: Uint8Array): BasicProperties {
  return readProperties(new Reader(bytes));
}

export function tableToText(t: FieldTable): string {
  return Buffer.from(encodeFieldTable(t)).toString("base64");
}

export function tableFromText(text: string): FieldTable {
  return decodeFieldTable(new Uint8Array(Buffer.from(text, "base64")));
}

export interface ExchangeDefinition {
  vhost: string;
  name: string;
  type: string;
  autoDelete: boolean;
  internal: boolean;
  /** Base64 of the wire-form field table. */
  arguments: string;
}

export interface QueueDefinition {
  vhost: string;
  name: string;
  autoDelete: boolean;
  arguments: string;
}

export interface BindingDefinition {
  vhost: string;
  source: string;
  kind: "queue" | "exchange";
  destination: string;
  routingKey: string;
  arguments: string;
}

/** A definition's key: unique per kind, any characters allowed in the names. */
export function definitionKey(...parts: string[]): string {
  return JSON.stringify(parts);
}
