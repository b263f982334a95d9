package io.labhub.transport.zmq.internal;

import io.labhub.api.InvalidInputException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Every tunable of the ZeroMQ transport with its default, as one immutable value (see
 * {@link ZmqTransportConfig} for the ConfigAdmin side).
 *
 * @param highWaterMark  messages; used when a channel's options give 0 or less
 * @param maxMessageSize bytes of payload; used when a channel's options give 0 or less
 * @param bindHost       interface producers bind when no endpoint is given ({@code *} = all)
 * @param advertisedHost host published when bound to all interfaces; empty = this machine's address
 * @param lingerMillis   milliseconds a closing socket may spend flushing
 */
public record ZmqSettings(int highWaterMark, int maxMessageSize, String bindHost, String advertisedHost,
                          int lingerMillis) {

    public static final String PID = "io.labhub.transport.zmq";
    public static final int DEFAULT_HIGH_WATER_MARK = 1000;
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 16 << 20;
    public static final String DEFAULT_BIND_HOST = "*";
    public static final int DEFAULT_LINGER_MILLIS = 100;

    public static final ZmqSettings DEFAULTS = new ZmqSettings(DEFAULT_HIGH_WATER_MARK, DEFAULT_MAX_MESSAGE_SIZE,
            DEFAULT_BIND_HOST, "", DEFAULT_LINGER_MILLIS);

    public ZmqSettings {
        bindHost = bindHost == null || bindHost.isBlank() ? DEFAULT_BIND_HOST : bindHost.trim();
        advertisedHost = advertisedHost == null ? "" : advertisedHost.trim();
        if (highWaterMark <= 0) {
            highWaterMark = DEFAULT_HIGH_WATER_MARK;
        }
        if (maxMessageSize <= 0) {
            maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        }
        lingerMillis = Math.max(0, lingerMillis);
    }

    static ZmqSettings from(ZmqTransportConfig c) {
        return new ZmqSettings(c.highWaterMark(), c.maxMessageSize(), c.bindHost(), c.advertisedHost(), c.lingerMillis());
    }

    int hwm(int requested) {
        return requested > 0 ? requested : highWaterMark;
    }

    int maxMessage(int requested) {
        return requested > 0 ? requested : maxMessageSize;
    }

    /** Where a producer binds: its own endpoint, or an ephemeral tcp port on {@link #bindHost}. */
    String bindEndpoint(String requested) {
        if (requested == null || requested.isBlank()) {
            return "tcp://" + bindHost + ":*";
        }
        if (!requested.matches("(tcp|ipc|inproc)://.+")) {
            throw new InvalidInputException("zmq.endpoint", Text.printable(requested),
                    "a ZeroMQ endpoint must look like tcp://host:port (or ipc://, inproc://), got '"
                            + Text.printable(requested) + "'");
        }
        return requested;
    }

    /**
     * What consumers should connect to, given what the socket reports it is bound to ({@code
     * tcp://0.0.0.0:40123} for all interfaces, which nobody can connect to from another host).
     */
    String advertise(String boundEndpoint) {
        String prefix = "tcp://";
        if (!boundEndpoint.startsWith(prefix)) {
            return boundEndpoint;
        }
        int colon = boundEndpoint.lastIndexOf(':');
        String host = boundEndpoint.substring(prefix.length(), colon);
        String port = boundEndpoint.substring(colon + 1);
        boolean wildcard = host.equals("0.0.0.0") || host.equals("*") || host.equals("[::]") || host.equals("::")
                || host.equals("[0:0:0:0:0:0:0:0]");
        if (!wildcard) {
            return boundEndpoint;
        }
        String advertised = advertisedHost.isEmpty() ? localAddress() : advertisedHost;
        if (advertised.contains(":") && !advertised.startsWith("[")) {
            advertised = "[" + advertised + "]";
        }
        return prefix + advertised + ":" + port;
    }

    private static String localAddress() {
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }
}
