package io.labhub.core.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labhub.api.ChannelExistsException;
import io.labhub.api.Hub;
import io.labhub.api.RequestServer;
import io.labhub.api.TransportUnavailableException;
import io.labhub.api.ZmqOptions;
import io.labhub.core.status.StatusModel;
import io.labhub.core.status.StatusModel.Row;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link StatusModel} as JSON on the reqrep channel {@code hub.status.NODE} (any request payload), so that
 * {@code labhub-cli status} sees a runtime's status without its shell (a {@code --service} runtime has none).
 * NODE is {@code node} of pid {@code io.labhub.core}, by default this host's name made one channel-name level.
 *
 * <p>The reqrep transport's bundle may start after core, so while the Hub has none yet the offer is retried every
 * 500 ms (one daemon thread, ended at deactivation). Another runtime that already offers the same name (two on one
 * broker, one host) keeps its channel: this one logs a WARN naming the setting and serves nothing.
 */
@Component(configurationPid = "io.labhub.core", immediate = true, service = {})
public class StatusChannel {

    private static final Logger LOG = LoggerFactory.getLogger(StatusChannel.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The channel's name is this prefix and the node. */
    public static final String PREFIX = "hub.status.";

    /** Only the attribute this component reads; HubComponent designates the pid's full description. */
    public @interface Config {
        /** The node level of {@code hub.status.NODE}; empty: this host's name. */
        String node() default "";
    }

    private final BundleContext context;
    private final ServiceComponentRuntime scr;
    private final Hub hub;
    private final String node;
    private final ScheduledExecutorService retry;
    private volatile RequestServer server;

    @Activate
    public StatusChannel(BundleContext context, @Reference ServiceComponentRuntime scr, @Reference Hub hub, Config config) {
        this.context = context;
        this.scr = scr;
        this.hub = hub;
        this.node = config.node().isBlank() ? node(hostName()) : config.node().strip();
        this.retry = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "labhub-status-channel");
            t.setDaemon(true);
            return t;
        });
        retry.execute(this::offer);
    }

    private void offer() {
        String name = PREFIX + node;
        try {
            server = hub.createServer(name, request -> report(), ZmqOptions.DEFAULTS.withMetadata(Map.of(
                    "content", "application/json", "producer", "io.labhub.core")));
            LOG.info("status served on {}", name);
        } catch (TransportUnavailableException e) {
            retry.schedule(this::offer, 500, TimeUnit.MILLISECONDS);
        } catch (ChannelExistsException e) {
            LOG.warn("{} is offered by another runtime: this one serves no status; set node in conf/io.labhub.core.cfg", name);
        } catch (RuntimeException e) {
            LOG.warn("cannot offer {}: {}", name, e.toString());
        }
    }

    /** @return the JSON answer: {@code {"node","hub","online","offline","failed","components":[...]}} */
    byte[] report() throws Exception {
        List<Row> rows = StatusModel.rows(context.getBundles(), scr);
        int[] counts = StatusModel.counts(rows);
        ObjectNode root = JSON.createObjectNode();
        root.put("node", node);
        root.put("hub", hub.status().message());
        root.put("online", counts[StatusModel.Status.ONLINE.ordinal()]);
        root.put("offline", counts[StatusModel.Status.OFFLINE.ordinal()]);
        root.put("failed", counts[StatusModel.Status.FAILED.ordinal()]);
        ArrayNode components = root.putArray("components");
        for (Row r : rows) {
            components.addObject().put("bundle", r.bundle()).put("component", r.component())
                    .put("status", r.status().name()).put("detail", r.detail());
        }
        return JSON.writeValueAsBytes(root);
    }

    /**
     * A host name made one channel-name level: its first label, characters other than {@code [A-Za-z0-9_-]} as
     * {@code _}, and an {@code h} in front unless it starts with a letter.
     */
    static String node(String host) {
        String first = host.strip();
        int dot = first.indexOf('.');
        if (dot > 0) {
            first = first.substring(0, dot);
        }
        String level = first.replaceAll("[^A-Za-z0-9_-]", "_");
        if (level.isEmpty() || !Character.isLetter(level.charAt(0)) || level.charAt(0) > 'z') {
            level = "h" + level;
        }
        return level.length() > 64 ? level.substring(0, 64) : level;
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    @Deactivate
    void deactivate() {
        retry.shutdownNow();
        try {
            retry.awaitTermination(5, TimeUnit.SECONDS); // an offer under way sets server first
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RequestServer s = server;
        if (s != null) {
            s.close();
        }
    }
}
