package io.labhub.api.spi;

import io.labhub.api.ChannelKind;

/**
 * Common part of every transport service. A transport is registered as an OSGi service under the
 * interface of its kind; the Hub tracks them dynamically, so a kind becomes available when its bundle
 * starts and unavailable ({@link io.labhub.api.TransportUnavailableException}) when it stops.
 */
@org.osgi.annotation.versioning.ConsumerType
public interface Transport {

    ChannelKind kind();
}
