/**
 * Sends the dataset through the official Amplitude Node SDK, as an app would. One SDK instance
 * sends one batch at a time, so the people are shared out over several instances; each instance
 * gets its calls in time order (a person's calls keep their order) and at most `batchSize` at a
 * time, so its queue stays small (the SDK's queue bookkeeping is quadratic in its length).
 */
import { createInstance, Identify } from '@amplitude/analytics-node';
import type { DatasetCall, DatasetPerson, IdentifyOperation } from './dataset.js';

export interface SdkSendOptions {
  apiKey: string;
  /** ampstream's HTTP V2 endpoint, e.g. http://127.0.0.1:8080/2/httpapi */
  serverUrl: string;
  instances: number;
  batchSize: number;
}

export interface SdkSendResult {
  /** Calls made (track and identify). */
  calls: number;
  /** Calls the SDK reports as accepted (code 200). */
  accepted: number;
  /** Refused calls by the SDK's code and message. */
  refused: Record<string, number>;
}

function toIdentify(operations: readonly IdentifyOperation[]): Identify {
  const identify = new Identify();
  for (const { op, property, value } of operations) {
    if (op === 'set') identify.set(property, value);
    else if (op === 'setOnce') identify.setOnce(property, value);
    else if (op === 'add') identify.add(property, value as number);
    else identify.append(property, value);
  }
  return identify;
}

/** The calls of these people in time order; a person's own calls are already in time order. */
function timeline(people: readonly DatasetPerson[]): DatasetCall[] {
  return people.flatMap((p) => p.calls).sort((a, b) => a.fields.time - b.fields.time);
}

async function sendThroughOneInstance(calls: readonly DatasetCall[], options: SdkSendOptions, result: SdkSendResult): Promise<void> {
  const amplitude = createInstance();
  // The SDK flushes on its timer; a short interval sends each slice as soon as it is queued.
  await amplitude.init(options.apiKey, {
    serverUrl: options.serverUrl,
    flushQueueSize: options.batchSize,
    flushIntervalMillis: 10,
    flushMaxRetries: 5,
    logLevel: 0,
  }).promise;
  for (let start = 0; start < calls.length; start += options.batchSize) {
    const slice = calls.slice(start, start + options.batchSize);
    const replies = await Promise.all(
      slice.map((call) =>
        call.kind === 'track'
          ? amplitude.track(call.eventType, call.properties, call.fields).promise
          : amplitude.identify(toIdentify(call.operations), call.fields).promise,
      ),
    );
    for (const reply of replies) {
      result.calls++;
      if (reply.code === 200) result.accepted++;
      else {
        const key = `${reply.code} ${reply.message}`;
        result.refused[key] = (result.refused[key] ?? 0) + 1;
      }
    }
  }
}

export async function sendWithSdk(people: readonly DatasetPerson[], options: SdkSendOptions): Promise<SdkSendResult> {
  const result: SdkSendResult = { calls: 0, accepted: 0, refused: {} };
  const shares = Array.from({ length: options.instances }, (_, i) => people.filter((_, index) => index % options.instances === i));
  await Promise.all(shares.map((share) => sendThroughOneInstance(timeline(share), options, result)));
  return result;
}
