/**
 * CurveZMQ security shared by every LabHub ZeroMQ socket: this runtime's key pair, the ZAP
 * authenticator with its allow-list, and helpers that turn a socket into a CURVE server or client.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.labhub.security;
