package io.labhub.broker;

import io.labhub.api.ChannelInfo;

import java.util.List;

/**
 * A running broker. Implemented by LabHub ({@link BrokerServer}, registered as a service by the broker
 * bundle); read by the shell and by tests.
 *
 * <p>Threading: every method is thread-safe and returns a snapshot of what the broker's socket thread
 * has done so far (copied on the caller's thread, so that a large registry never slows the broker
 * loop); none blocks on the network.
 */
@org.osgi.annotation.versioning.ProviderType
public interface Broker {

    /** @return the request endpoint as bound, with the real port (e.g. {@code tcp://0.0.0.0:5570}) */
    String endpoint();

    /** @return the events (PUB) endpoint as bound, with the real port */
    String eventsEndpoint();

    /** @return the broker's CURVE public key (Z85): what clients use as server key */
    String publicKey();

    /** @return every channel the broker knows, by name, in any state */
    List<ChannelInfo> channels();

    /** @return every client the broker knows, live or recently lost */
    List<BrokerClientInfo> clients();

    /** @return counters and endpoints, for a shell command */
    BrokerStatus status();
}
