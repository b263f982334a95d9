/**
 * CurveZMQ security shared by every LabHub ZeroMQ socket: this runtime's key pair, the ZAP
 * authenticator with its allow-list, helpers that turn a socket into a CURVE server or client, and (1.1)
 * {@link io.labhub.security.AdvertisedAddress}, the one rule for the host an endpoint bound to all
 * interfaces publishes.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.labhub.security;
