package io.labhub.transport.zmq.internal;

import io.labhub.security.CurveSecurity;
import java.util.Objects;

/**
 * What both ZeroMQ transports share: the security service, the settings (reconfigurable: a change
 * applies to channels made afterwards) and the channels they made, closed when the component is
 * deactivated. Each subclass
 * carries the DS annotations on thin overrides (bnd does not read them from a superclass by default).
 */
abstract class ZmqTransportBase {

    protected final CurveSecurity security;
    protected final OpenChannels channels = new OpenChannels();
    protected volatile ZmqSettings settings;

    ZmqTransportBase(CurveSecurity security, ZmqSettings settings) {
        this.security = Objects.requireNonNull(security, "security");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** DS modified method. */
    void modified(ZmqTransportConfig config) {
        settings = ZmqSettings.from(config);
    }

    /** DS deactivate method; also for use outside OSGi. */
    public void close() {
        channels.closeAll();
    }
}
