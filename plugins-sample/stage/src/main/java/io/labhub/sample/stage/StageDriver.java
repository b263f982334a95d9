package io.labhub.sample.stage;

import io.labhub.api.Hub;
import io.labhub.api.InvalidInputException;
import io.labhub.api.RequestServer;
import io.labhub.api.ZmqOptions;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Schema;
import io.labhub.api.text.SafeText;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated one-axis motor stage on a reqrep channel (default {@code stage.x}). Commands, as text:
 * <ul>
 * <li>{@code move MM}: moves to MM millimetres at the configured speed; the reply comes on arrival,
 *     {@code moved to 12.500 mm in 0.50 s}, or, if a {@code stop} or another move came first, an error</li>
 * <li>{@code position}: {@code position 12.500 mm} (plus {@code moving} while it moves)</li>
 * <li>{@code stop}: {@code stopped at 7.200 mm}</li>
 * </ul>
 * A target outside the travel range or an unknown command is answered with a typed error
 * ({@link InvalidInputException}, INVALID_ARGUMENT), which the client receives as the same type.
 * Requests run on the server's worker threads (several, so {@code stop} is served during a move).
 * Configuration pid {@code io.labhub.sample.stage}.
 */
@Component(configurationPid = "io.labhub.sample.stage", immediate = true, service = {})
@Designate(ocd = StageDriver.Config.class)
public class StageDriver {

    private static final Logger LOG = LoggerFactory.getLogger(StageDriver.class);

    @ObjectClassDefinition(name = "LabHub sample motor stage")
    public @interface Config {
        @AttributeDefinition(description = "The reqrep channel of the axis")
        String channel() default "stage.x";

        @AttributeDefinition(description = "Lower end of travel, in millimetres")
        double minMm() default 0.0;

        @AttributeDefinition(description = "Upper end of travel, in millimetres")
        double maxMm() default 100.0;

        @AttributeDefinition(description = "Speed, in millimetres per second", min = "0.001")
        double speedMmPerS() default 25.0;
    }

    /**
     * Requests and replies are text, each the whole message (one open-length utf8 field, docs/schemas.md):
     * the bytes on the wire are the same as without a schema.
     */
    static final Schema SCHEMA = Schema.builder().text("command", Dtype.UTF8, 0)
            .attribute("commands", "move MM | position | stop")
            .reply(Schema.builder().text("reply", Dtype.UTF8, 0).build())
            .build();

    private final Motion axis;
    private final RequestServer server;

    @Activate
    public StageDriver(@Reference Hub hub, Config config) {
        this.axis = new Motion(config.minMm(), config.maxMm(), config.speedMmPerS(), config.minMm(), System::nanoTime);
        this.server = hub.createServer(config.channel(), request -> handle(axis, request), ZmqOptions.DEFAULTS.withWorkerThreads(4).withMetadata(Map.of(
                "unit", "mm", "min", Double.toString(config.minMm()), "max", Double.toString(config.maxMm()),
                "speedMmPerS", Double.toString(config.speedMmPerS()), "commands", "move MM | position | stop"))
                .withSchema(SCHEMA));
        LOG.info("stage on '{}': [{}, {}] mm at {} mm/s", config.channel(), config.minMm(), config.maxMm(), config.speedMmPerS());
    }

    /** Answers one request against {@code axis}; static so that it is testable without a Hub. */
    static byte[] handle(Motion axis, byte[] request) throws InterruptedException {
        String text = new String(request, StandardCharsets.UTF_8).trim();
        String[] words = text.split("\\s+");
        String reply = switch (words[0].toLowerCase(Locale.ROOT)) {
            case "move" -> move(axis, words);
            case "position" -> String.format(Locale.ROOT, "position %.3f mm%s", axis.position(), axis.moving() ? " moving" : "");
            case "stop" -> String.format(Locale.ROOT, "stopped at %.3f mm", axis.stop());
            default -> throw new InvalidInputException("stage.command", text,
                    "unknown command '" + SafeText.display(text) + "'; the stage knows: move MM, position, stop");
        };
        return reply.getBytes(StandardCharsets.UTF_8);
    }

    private static String move(Motion axis, String[] words) throws InterruptedException {
        if (words.length != 2) {
            throw new InvalidInputException("stage.move", String.join(" ", words), "usage: move MM (one number, in millimetres)");
        }
        double target;
        try {
            target = Double.parseDouble(words[1]);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("stage.move", words[1], "move needs a number of millimetres, not '" + SafeText.display(words[1]) + "'");
        }
        long started = System.nanoTime();
        long[] move = axis.moveTo(target);
        if (!axis.awaitArrival(move[0], move[1])) {
            // not a bad request: the client receives it as a RemoteException naming IllegalStateException
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "move to %.3f mm interrupted at %.3f mm by a stop or another move", target, axis.position()));
        }
        return String.format(Locale.ROOT, "moved to %.3f mm in %.2f s", target, (System.nanoTime() - started) / 1e9);
    }

    @Deactivate
    void deactivate() {
        axis.stop(); // wakes a waiting move
        server.close();
        LOG.info("stage on '{}' stopped", server.name());
    }
}
