package io.labhub.broker;

import io.labhub.api.ChannelInfo;
import io.labhub.broker.internal.BrokerLoop;
import io.labhub.security.CurveSecurity;
import io.labhub.validation.Validator;

import java.util.List;
import java.util.Objects;

/**
 * A running broker, usable with or without OSGi: {@link #start} binds both sockets (CURVE server,
 * authenticated by the ZAP handler of {@code security}) and runs the socket loop on its own thread;
 * {@link #close} stops that thread and unbinds. The protocol is docs/protocol.md.
 */
public final class BrokerServer implements Broker, AutoCloseable {

    private final BrokerLoop loop;

    private BrokerServer(BrokerLoop loop) {
        this.loop = loop;
    }

    /**
     * Starts a broker and returns once both sockets are bound.
     *
     * @param config    endpoints, heartbeat rules, size limit
     * @param security  the runtime's CurveZMQ security; its ZAP handler must be running (it is, once the
     *                  service exists)
     * @param validator checks every name, key and metadata map before the registry sees it
     * @return the running broker
     * @throws io.labhub.api.LabHubException {@code INTERNAL} when an endpoint cannot be bound
     */
    public static BrokerServer start(BrokerConfig config, CurveSecurity security, Validator validator) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(validator, "validator");
        return new BrokerServer(BrokerLoop.start(config, security, validator));
    }

    @Override
    public String endpoint() {
        return loop.endpoint();
    }

    @Override
    public String eventsEndpoint() {
        return loop.eventsEndpoint();
    }

    @Override
    public String publicKey() {
        return loop.publicKey();
    }

    @Override
    public List<ChannelInfo> channels() {
        return loop.channels();
    }

    @Override
    public List<BrokerClientInfo> clients() {
        return loop.clients();
    }

    @Override
    public BrokerStatus status() {
        return loop.status();
    }

    /** Test hook (package-private): the broker loop's next iteration stalls this long. */
    void stallOnceForTest(java.time.Duration stall) {
        loop.stallOnceForTest(stall);
    }

    /** Test hook (package-private): whether the loop is inside such a stall. */
    boolean stallingForTest() {
        return loop.stallingForTest();
    }

    /** Stops the socket thread (waits for it) and unbinds both endpoints. Idempotent. */
    @Override
    public void close() {
        loop.close();
    }

    @Override
    public String toString() {
        return "BrokerServer[" + endpoint() + ", events " + eventsEndpoint() + "]";
    }
}
