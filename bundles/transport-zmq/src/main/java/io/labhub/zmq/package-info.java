/**
 * Payload helpers for LabHub's ZeroMQ channels: {@link io.labhub.zmq.Json} turns objects into UTF-8 JSON
 * payloads and back, with typed errors for malformed input.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.labhub.zmq;
