package io.labhub.api;

/**
 * The serving end of a reqrep channel. Requests are handled by the {@link RequestHandler} given at
 * creation, on the server's own threads; several clients are served at once.
 */
@org.osgi.annotation.versioning.ProviderType
public interface RequestServer extends Channel {
}
