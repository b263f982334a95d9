/**
 * CurveZMQ security shared by every LabHub ZeroMQ socket: this runtime's key pair, the ZAP
 * authenticator with its allow-list, helpers that turn a socket into a CURVE server or client, and (1.1)
 * {@link io.labhub.security.AdvertisedAddress}, the one rule for the host an endpoint bound to all
 * interfaces publishes.
 *
 * <p>2.0: the key files and the allow-list file ({@code CurveKeys}, {@code AllowList}) are internal
 * ({@code io.labhub.security.internal}); no other bundle used them. Other bundles reach keys and the
 * allow-list through {@link io.labhub.security.CurveSecurity}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package io.labhub.security;
