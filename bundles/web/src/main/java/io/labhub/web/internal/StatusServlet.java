package io.labhub.web.internal;

import io.labhub.api.Hub;
import io.labhub.core.status.StatusModel;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/**
 * {@code GET /api/status}: core's {@link StatusModel} (each driver bundle and component ONLINE / OFFLINE / FAILED
 * with the reason, the rows {@code hub:status} prints), the hub's own state (broker connected, transports) and,
 * where the broker runs in this runtime, its clients ({@code broker}: null elsewhere), and where the recorder runs,
 * its run ({@code recorder}: null elsewhere).
 */
final class StatusServlet extends ConsoleServlet {

    private static final long serialVersionUID = 1L;

    private final transient BundleContext context;
    private final transient ServiceComponentRuntime scr;
    private final transient Hub hub;
    private final transient BrokerView broker;
    private final transient RecorderView recorder;

    /**
     * @param broker   this runtime's broker, or null where its API is not wired
     * @param recorder this runtime's recorder, or null where its API is not wired
     */
    StatusServlet(Gate access, BundleContext context, ServiceComponentRuntime scr, Hub hub, BrokerView broker,
                  RecorderView recorder) {
        super(access);
        this.context = context;
        this.scr = scr;
        this.hub = hub;
        this.broker = broker;
        this.recorder = recorder;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Map<String, Object> out = read(context, scr, hub);
        out.put("broker", broker == null ? null : broker.json());
        out.put("recorder", recorder == null ? null : recorder.json());
        Http.json(resp, 200, out);
    }

    static Map<String, Object> read(BundleContext context, ServiceComponentRuntime scr, Hub hub) {
        List<StatusModel.Row> rows = StatusModel.rows(context.getBundles(), scr);
        int[] counts = StatusModel.counts(rows);
        Map<String, Object> summary = new LinkedHashMap<>();
        for (StatusModel.Status s : StatusModel.Status.values()) {
            summary.put(s.name(), counts[s.ordinal()]);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("hub", ChannelTable.hub(hub.status()));
        out.put("summary", summary);
        out.put("components", rows);
        return out;
    }
}
