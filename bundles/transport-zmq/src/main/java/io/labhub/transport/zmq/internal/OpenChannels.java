package io.labhub.transport.zmq.internal;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The channels a transport component made and that are still open, so that deactivation closes them. */
final class OpenChannels {

    private static final Logger LOG = LoggerFactory.getLogger(OpenChannels.class);

    private final Set<ZmqChannel> open = ConcurrentHashMap.newKeySet();

    <C extends ZmqChannel> C track(C channel) {
        open.add(channel);
        channel.onClosed(() -> open.remove(channel));
        if (!channel.isOpen()) {
            open.remove(channel);
        }
        return channel;
    }

    void closeAll() {
        List<ZmqChannel> all = List.copyOf(open);
        for (ZmqChannel c : all) {
            try {
                c.close();
            } catch (RuntimeException e) {
                LOG.warn("closing {} failed", c.name(), e);
            }
        }
        open.clear();
    }

    int size() {
        return open.size();
    }
}
