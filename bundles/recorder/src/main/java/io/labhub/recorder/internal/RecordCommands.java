package io.labhub.recorder.internal;

import io.labhub.api.InvalidInputException;
import io.labhub.recorder.Recorder;
import io.labhub.recorder.RecordingStatus;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code hub:record start NAME... [--to FILE]}, {@code hub:record stop}, {@code hub:record status},
 * {@code hub:record recover FILE} (the spools of a crashed run into FILE). Kept in the
 * recorder bundle (not the shell's) so a runtime without the recorder feature has no such command.
 */
@Component(service = RecordCommands.class, property = {"osgi.command.scope=hub", "osgi.command.function=record"})
public final class RecordCommands {

    private static final String USAGE = "usage: hub:record start NAME... [--to FILE] | hub:record stop | hub:record status"
            + " | hub:record recover FILE";

    private final Recorder recorder;

    @Activate
    public RecordCommands(@Reference Recorder recorder) {
        this.recorder = recorder;
    }

    public String record(String... args) {
        if (args.length == 0) {
            throw new InvalidInputException("recorder.usage", "", USAGE);
        }
        return switch (args[0]) {
            case "start" -> {
                List<String> names = new ArrayList<>();
                Path file = null;
                for (int i = 1; i < args.length; i++) {
                    if (args[i].equals("--to")) {
                        if (i + 1 >= args.length) {
                            throw new InvalidInputException("recorder.usage", "--to", "--to needs a file");
                        }
                        file = Path.of(args[++i]);
                    } else {
                        names.add(args[i]);
                    }
                }
                if (file == null) {
                    file = Path.of(defaultFileName());
                }
                yield format(recorder.start(names, file.toAbsolutePath()));
            }
            case "stop" -> format(recorder.stop());
            case "status" -> format(recorder.status());
            case "recover" -> {
                if (args.length != 2) {
                    throw new InvalidInputException("recorder.usage", String.join(" ", args), USAGE);
                }
                yield format(recorder.recover(Path.of(args[1]).toAbsolutePath()));
            }
            default -> throw new InvalidInputException("recorder.usage", args[0], USAGE);
        };
    }

    /** {@code recording-YYYYMMDD-HHMMSS.h5}, now: the file of a start that names none (here and in a .cfg). */
    static String defaultFileName() {
        return "recording-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".h5";
    }

    static String format(RecordingStatus s) {
        StringBuilder b = new StringBuilder();
        b.append(s.recording() ? "recording" : "not recording");
        if (s.file() != null) {
            b.append(s.recording() ? " to " : ", last file ").append(s.file());
        }
        if (s.fileError() != null) {
            b.append(System.lineSeparator()).append("  file not written: ").append(s.fileError());
        }
        for (Map.Entry<String, Long> e : s.frames().entrySet()) {
            b.append(System.lineSeparator()).append("  ").append(e.getKey()).append(": ").append(e.getValue())
                    .append(" frames, ").append(s.gaps().getOrDefault(e.getKey(), 0L)).append(" lost");
            String error = s.errors().get(e.getKey());
            if (error != null) {
                b.append(", stopped: ").append(error);
            }
        }
        return b.toString();
    }
}
