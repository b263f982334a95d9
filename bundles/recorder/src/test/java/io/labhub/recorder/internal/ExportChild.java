package io.labhub.recorder.internal;

import io.labhub.api.ChannelKind;
import io.labhub.api.InvalidInputException;
import io.labhub.validation.Validator;
import io.labhub.validation.Validators;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The export alone in a JVM of its own, for {@link HdfExportStreamTest} (which starts it with a small heap): the
 * recorder's own {@link HdfExport#write}, with the schema parse {@link RecorderService} uses. Prints
 * {@code exported {channel=entries, ...} ms=... maxHeap=... peakHeap=...} and exits 0, or dies of what it throws
 * (an OutOfMemoryError included: exit 1 with the stack trace). Arguments: the HDF5 file, then the spools.
 */
public final class ExportChild {

    private ExportChild() {
    }

    public static void main(String[] args) {
        Validator validator = Validators.defaults();
        List<Path> spools = new ArrayList<>();
        for (int k = 1; k < args.length; k++) {
            spools.add(Path.of(args[k]));
        }
        long t0 = System.nanoTime();
        Map<String, Long> written = HdfExport.write(Path.of(args[0]), spools, h -> validator.schema(
                h.kind() == null ? null : ChannelKind.fromWireName(h.kind()).orElse(null),
                SchemaJson.map(h.schema(), why -> new InvalidInputException("recorder.spool", h.channel(), why))),
                Instant.parse("2026-12-03T12:00:00Z"), false);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.println("exported " + written + " ms=" + ms + " maxHeap=" + Runtime.getRuntime().maxMemory()
                + " peakHeap=" + peak);
    }
}
