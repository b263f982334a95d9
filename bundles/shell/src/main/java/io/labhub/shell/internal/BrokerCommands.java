package io.labhub.shell.internal;

import io.labhub.broker.Broker;
import io.labhub.broker.BrokerClientInfo;
import io.labhub.broker.BrokerStatus;
import io.labhub.crypto.Nacl;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import io.labhub.api.ErrorCode;
import io.labhub.api.LabHubException;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The {@code broker:*} commands, answered by the embedded broker of this runtime.
 */
@Component(service = BrokerCommands.class, property = {
        "osgi.command.scope=broker",
        "osgi.command.function=clients",
        "osgi.command.function=status"})
public class BrokerCommands {

    /** Optional and dynamic: without an embedded broker the commands say so, and the component stays satisfied. */
    private volatile Broker brokerService;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindBroker(Broker b) {
        brokerService = b;
    }

    void unbindBroker(Broker b) {
        if (brokerService == b) {
            brokerService = null;
        }
    }

    private Broker broker() {
        Broker b = brokerService;
        if (b == null) {
            throw new LabHubException(ErrorCode.BROKER_UNAVAILABLE,
                    "no broker runs in this runtime (conf/io.labhub.broker.cfg starts one); hub:channels shows the remote broker's channels");
        }
        return b;
    }

    @Descriptor("list the clients the broker knows: full public key (quoted, to paste into hub:allow), channels produced, last heartbeat, alive")
    public String clients() {
        List<BrokerClientInfo> list = new ArrayList<>(broker().clients());
        list.sort(Comparator.comparing(BrokerClientInfo::clientKey));
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"KEY", "CHANNELS", "LAST HEARTBEAT", "ALIVE"});
        for (BrokerClientInfo c : list) {
            rows.add(new String[] {Format.key(c.clientKey()), Integer.toString(c.channels()),
                    c.lastHeartbeat() == null ? "-" : c.lastHeartbeat().toString(), c.alive() ? "yes" : "no"});
        }
        return list.isEmpty() ? "no clients" : Format.table(rows);
    }

    @Descriptor("show the broker: endpoints, public key, CURVE crypto backend, start time, channels, live clients, requests, refusals, events")
    public String status() {
        BrokerStatus s = broker().status();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"running", s.running() ? "yes" : "no"});
        rows.add(new String[] {"endpoint", s.endpoint()});
        rows.add(new String[] {"events", s.eventsEndpoint()});
        rows.add(new String[] {"publicKey", Format.key(s.publicKey())});
        rows.add(new String[] {"crypto", Nacl.backend() + " (this runtime's CURVE)"});
        rows.add(new String[] {"started", String.valueOf(s.started())});
        rows.add(new String[] {"channels", Integer.toString(s.channels())});
        rows.add(new String[] {"liveClients", Integer.toString(s.liveClients())});
        rows.add(new String[] {"requests", Long.toString(s.requests())});
        rows.add(new String[] {"refused", Long.toString(s.refused())});
        rows.add(new String[] {"events", Long.toString(s.events())});
        return Format.table(rows);
    }
}
