package io.labhub.recorder.internal;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableDataset;
import io.jhdf.api.WritableGroup;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Field;
import io.labhub.api.schema.Schema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Turns a run's spools into one HDF5 file (layout: docs/recording.md). A record of scalar fields becomes one
 * compound dataset {@code records} ({@link RecordType}: jhdf 0.13 writes no compound type of its own); a schema with
 * an array or open field keeps each field as its own dataset of the field's own dtype under {@code fields/} (u16 as
 * HDF5 uint16, the same bits as on the wire), with the schema's dtype in the dataset's {@code dtype} attribute, so a
 * camera's pixels are {@code [N, height, width]}. jhdf writes the whole file at close. The run is never in memory:
 * each dataset is a {@link StreamedDataset} that reads its rows from the spool while jhdf writes it (one pass over
 * the spool per dataset; a pass that needs
 * only the entries' fixed parts or one field reads only those bytes), so the heap holds one entry's part and a
 * 1 MiB write buffer at a time, whatever the run's length. One pass first counts the entries and finds the longest.
 */
final class HdfExport {

    private HdfExport() {
    }

    /**
     * Writes {@code file} from a run's spools (the same path for {@code stop} and {@code recover}): the run's
     * start and runtime come from the first spool's header, each channel's name, kind, metadata and schema
     * from its own. The file is written as {@link #partOf FILE.part} and moved into place (a rename) only once it
     * is complete: whatever fails (a full disk, an IOException, a spool changed meanwhile) removes the part and leaves
     * nothing at {@code file}; the spools are never touched here.
     *
     * @param schemaOf  turns a header's schema JSON into a Schema (the Validator's parse)
     * @param recovered whether the spools are a crashed run's ({@code recovered} and {@code droppedBytes}
     *                  attributes)
     * @return the entries written per channel, in file order
     * @throws io.labhub.api.InvalidInputException rule {@code recorder.spool} for a foreign or damaged spool (its
     *         header, its schema, an entry), before any file is created
     * @throws UncheckedIOException when the file cannot be written, or {@code file} appeared meanwhile
     *         ({@link FileAlreadyExistsException}: never replaced)
     */
    static Map<String, Long> write(Path file, List<Path> spools, Function<Spool.Header, Schema> schemaOf, Instant stop,
                                   boolean recovered) {
        // every spool read through once first (headers, schemas, the counting pass): a foreign or damaged spool is
        // refused before any file is created
        List<Counted> counted = new ArrayList<>();
        for (Path spool : spools) {
            Spool.Header h = Spool.header(spool);
            Schema schema = h.schema() == null ? null : schemaOf.apply(h);
            counted.add(count(spool, h, schema));
        }
        Spool.Header first = counted.get(0).header;
        Path part = partOf(file);
        Map<String, Long> written = new LinkedHashMap<>();
        try {
            Files.deleteIfExists(part); // a crashed export's: jhdf opens without truncating, and the spools are still there
            WritableHdfFile h5 = HdfFile.write(part);
            try {
                h5.putAttribute("labhub.recording", "1");
                h5.putAttribute("runStart", String.valueOf(first.runStart()));
                h5.putAttribute("runStop", stop.toString());
                h5.putAttribute("runtime", String.valueOf(first.runtime()));
                if (recovered) {
                    h5.putAttribute("recovered", "true");
                }
                for (Counted c : counted) {
                    written.put(c.header.channel(), writeChannel(h5.putGroup(c.header.channel()), c, recovered));
                }
                h5.close(); // jhdf writes the whole file here: a failure of the disk or of a spool shows here
            } catch (RuntimeException | Error e) {
                abandon(h5, e); // no flush of a file that is deleted anyway
                throw e;
            }
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) { // appeared meanwhile: never replaced
                throw new FileAlreadyExistsException(file.toString(), null,
                        "the file appeared while the export ran; it was not replaced");
            }
            Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(part);
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw (Error) e;
        }
        return written;
    }

    /**
     * Closes the file jhdf was writing without writing it: jhdf 0.13.0's {@code close} writes the file and closes
     * its channel only when that write succeeded, so after a failure (a full disk) the channel would stay open and
     * the deleted part keep its disk space until the channel is collected. It has no abort, so its private
     * {@code fileChannel} is closed by reflection; when that is not possible (another jhdf) it is left to the
     * collector, as before.
     */
    private static void abandon(WritableHdfFile h5, Throwable failure) {
        try {
            java.lang.reflect.Field f = WritableHdfFile.class.getDeclaredField("fileChannel");
            f.setAccessible(true);
            ((java.nio.channels.Channel) f.get(h5)).close();
        } catch (ReflectiveOperationException | RuntimeException | IOException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Where the file is written until it is complete: beside it (same file system, so the move into place is a
     * rename), {@code FILE.part}. The target path never holds a partial file.
     */
    static Path partOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".part");
    }

    /** A spool after the counting pass: what the datasets' shapes need, known before the file is created. */
    private record Counted(Path spool, Spool.Header header, Schema schema, int entries, long badEntries,
                           long producerRestarts, long droppedBytes, int longest, int longestRequest,
                           int longestReply) {
    }

    /** The counting pass: entries, the longest, the bad ones and restarts; a damaged entry is recorder.spool. */
    private static Counted count(Path spool, Spool.Header h, Schema schema) {
        if ("reqrep".equals(h.kind())) {
            long[] count = {0};
            int[] longest = {1, 1}; // request, reply
            Spool.Contents contents = Spool.read(spool, e -> {
                RequestLog.Decoded d = RequestLog.Decoded.of(e.payload());
                count[0]++;
                longest[0] = Math.max(longest[0], d.request().length);
                longest[1] = Math.max(longest[1], d.reply().length);
            });
            return new Counted(spool, h, schema, Math.toIntExact(count[0]), 0, 0, contents.droppedBytes(), 0,
                    longest[0], longest[1]);
        }
        long[] counts = new long[3]; // [valid, bad, producer restarts]
        int[] maxLen = {0};
        int minSize = schema == null ? 0 : schema.size();
        Spool.Contents contents = Spool.read(spool, 0, 0, e -> { // the fixed parts only: no payload is read
            if (e.skipped() == RecorderService.RESTARTED) {
                counts[2]++;
            }
            if (e.length() < minSize) {
                counts[1]++;
            } else {
                counts[0]++;
                maxLen[0] = Math.max(maxLen[0], e.length());
            }
        });
        return new Counted(spool, h, schema, Math.toIntExact(counts[0]), counts[1], counts[2], contents.droppedBytes(),
                maxLen[0], 0, 0);
    }

    private static long writeChannel(WritableGroup g, Counted c, boolean recovered) {
        Spool.Header h = c.header;
        Schema schema = c.schema;
        g.putAttribute("channel", h.channel());
        if (h.kind() != null) {
            g.putAttribute("kind", h.kind());
        }
        for (Map.Entry<String, String> m : h.metadata().entrySet()) {
            g.putAttribute("metadata." + m.getKey(), m.getValue());
        }
        if (schema != null) {
            g.putAttribute("schema", h.schema());
            g.putAttribute("schemaHash", schema.hash());
        }
        if ("reqrep".equals(h.kind())) {
            return writeExchanges(g, c, recovered);
        }
        int n = c.entries;
        g.putAttribute("entries", (long) n);
        g.putAttribute("badEntries", c.badEntries);
        g.putAttribute("producerRestarts", c.producerRestarts);
        if (recovered) {
            g.putAttribute("droppedBytes", c.droppedBytes);
        }
        if (n == 0) {
            return 0; // jhdf writes no empty datasets; "entries" says 0
        }
        int minSize = schema == null ? 0 : schema.size();
        Pass pass = new Pass(c.spool, n, e -> e.length() >= minSize);
        putFixedParts(g, pass);
        if (schema == null) {
            int width = c.longest;
            pass.put(g, "payload", byte.class, false, new long[] {n, width}, 0, width, (e, rows) -> {
                rows.putLittleEndian(e.payload(), 0, e.payload().length, 1);
                rows.zeros(width - e.payload().length);
            }).putAttribute("dtype", "bytes");
            pass.put(g, "length", int.class, false, new long[] {n}, 0, 0, (e, rows) -> rows.putInt(e.length()));
        } else if (RecordType.fits(schema)) {
            int size = schema.size();
            WritableDataset d = g.putDataset("records", new StreamedDataset("records", g, new RecordType(schema), n,
                    pass.rows(0, size, (e, rows) -> rows.putLittleEndian(e.payload(), 0, size, 1))));
            for (Field f : schema.fields()) {
                if (f.unit() != null) {
                    d.putAttribute("unit." + f.name(), f.unit());
                }
            }
        } else {
            WritableGroup fields = g.putGroup("fields");
            for (Field f : schema.fields()) {
                WritableDataset d = putField(fields, pass, f, f.open() ? c.longest - f.offset() : 0);
                d.putAttribute("dtype", f.dtype().wireName());
                if (f.unit() != null) {
                    d.putAttribute("unit", f.unit());
                }
            }
        }
        return n;
    }

    /** {@code sequence}, {@code timestampNs}, {@code receivedNs}, {@code skipped}: from the entries' fixed parts. */
    private static void putFixedParts(WritableGroup g, Pass pass) {
        long[] dims = {pass.entries};
        pass.put(g, "sequence", long.class, false, dims, 0, 0, (e, rows) -> rows.putLong(e.sequence()));
        pass.put(g, "timestampNs", long.class, false, dims, 0, 0, (e, rows) -> rows.putLong(e.timestampNs()));
        pass.put(g, "receivedNs", long.class, false, dims, 0, 0, (e, rows) -> rows.putLong(e.receivedNs()));
        pass.put(g, "skipped", long.class, false, dims, 0, 0, (e, rows) -> rows.putLong(e.skipped()));
    }

    /**
     * One schema field of every entry: {@code [n, shape...]} of the field's stored type, bytes/utf8 with the element
     * length as the last axis ({@code openLength} for an open-length field: the rest of the longest entry). Each
     * entry's row is its payload's bytes at the field's offset (little-endian, as the wire and the file have them);
     * an element past the end of a shorter entry (an open last field) is zeros.
     */
    private static WritableDataset putField(WritableGroup fields, Pass pass, Field f, int openLength) {
        boolean text = f.dtype() == Dtype.BYTES || f.dtype() == Dtype.UTF8;
        List<Long> dims = new ArrayList<>();
        dims.add((long) pass.entries);
        if (f.shape() != null) {
            f.shape().forEach(d -> dims.add((long) d));
        }
        if (text) {
            dims.add((long) (f.open() ? Math.max(1, openLength) : f.length()));
        }
        int elementSize = text ? 1 : f.dtype().size();
        long perEntry = 1;
        for (int d = 1; d < dims.size(); d++) {
            perEntry *= dims.get(d);
        }
        int rowBytes = Math.toIntExact(perEntry * elementSize);
        return pass.put(fields, f.name(), storedType(f.dtype()), unsigned(f.dtype()),
                dims.stream().mapToLong(Long::longValue).toArray(), f.offset(), rowBytes, (e, rows) -> {
                    int whole = e.payload().length / elementSize * elementSize;
                    rows.putLittleEndian(e.payload(), 0, whole, elementSize);
                    rows.zeros(rowBytes - whole);
                });
    }

    /**
     * The datasets of one spool, each written by a pass of its own over the spool when jhdf writes the file
     * ({@link StreamedDataset}): a dataset's rows are the spool's entries that {@code keep} accepts, in order, and
     * nothing but one entry's part and the writer's buffer is in memory at a time.
     */
    private static final class Pass {
        final Path spool;
        final int entries;
        final Predicate<Spool.Entry> keep;

        Pass(Path spool, int entries, Predicate<Spool.Entry> keep) {
            this.spool = spool;
            this.entries = entries;
            this.keep = keep;
        }

        /**
         * Puts the dataset {@code name} into {@code g}: {@code row} writes each kept entry's row from the entry's
         * payload bytes {@code [from, from + max)}.
         */
        WritableDataset put(WritableGroup g, String name, Class<?> type, boolean unsigned, long[] dims, long from,
                            int max, BiConsumer<Spool.Entry, StreamedDataset.Rows> row) {
            return g.putDataset(name, new StreamedDataset(name, g, type, unsigned, dims, rows(from, max, row)));
        }

        /** The rows of every kept entry, each written by {@code row} from its payload bytes {@code [from, from + max)}. */
        StreamedDataset.Source rows(long from, int max, BiConsumer<Spool.Entry, StreamedDataset.Rows> row) {
            return rows -> {
                long[] seen = {0};
                Spool.read(spool, from, max, e -> {
                    if (keep.test(e) && seen[0]++ < entries) {
                        row.accept(e, rows);
                    }
                });
                if (seen[0] != entries) {
                    throw new IllegalStateException(spool + " changed while it was exported: " + seen[0]
                            + " entries, " + entries + " when the export began");
                }
            };
        }
    }

    /**
     * A request/reply channel's log ({@link RequestLog}): the bytes of each request and reply as sent, not split by
     * the schema (the schema attribute has both sides'), zero-padded to the longest with their lengths beside.
     */
    private static long writeExchanges(WritableGroup g, Counted c, boolean recovered) {
        int n = c.entries;
        int[] longest = {c.longestRequest, c.longestReply};
        g.putAttribute("entries", (long) n);
        g.putAttribute("badEntries", 0L);
        if (recovered) {
            g.putAttribute("droppedBytes", c.droppedBytes);
        }
        if (n == 0) {
            return 0;
        }
        Pass pass = new Pass(c.spool, n, e -> true);
        putFixedParts(g, pass);
        long[] dims = {n};
        int all = Integer.MAX_VALUE;
        pass.put(g, "ok", byte.class, false, dims, 0, 1, (e, rows) -> rows.putByte(e.payload()[0] == 1 ? (byte) 1 : 0));
        // each side its bytes zero-padded to the longest, then their lengths: request, requestLength, reply, replyLength
        List<Function<RequestLog.Decoded, byte[]>> sides = List.of(RequestLog.Decoded::request, RequestLog.Decoded::reply);
        String[] names = {"request", "reply"};
        for (int s = 0; s < 2; s++) {
            Function<RequestLog.Decoded, byte[]> side = sides.get(s);
            int width = longest[s];
            pass.put(g, names[s], byte.class, false, new long[] {n, width}, 0, all, (e, rows) -> {
                byte[] bytes = side.apply(RequestLog.Decoded.of(e.payload()));
                rows.putLittleEndian(bytes, 0, bytes.length, 1);
                rows.zeros(width - bytes.length);
            }).putAttribute("dtype", "bytes");
            pass.put(g, names[s] + "Length", int.class, false, dims, 0, all,
                    (e, rows) -> rows.putInt(side.apply(RequestLog.Decoded.of(e.payload())).length));
        }
        return n;
    }

    /** The Java array type a dtype is written from: its own width (an unsigned value's bits in the signed type). */
    static Class<?> storedType(Dtype d) {
        return switch (d) {
            case U8, I8, BOOL, BYTES, UTF8 -> byte.class;
            case U16, I16 -> short.class;
            case U32, I32 -> int.class;
            case U64, I64 -> long.class;
            case F32 -> float.class;
            case F64 -> double.class;
        };
    }

    /** Whether a dtype is written as an HDF5 unsigned integer; HdfReplay checks the file's type by it. */
    static boolean unsigned(Dtype d) {
        return d == Dtype.U8 || d == Dtype.U16 || d == Dtype.U32 || d == Dtype.U64;
    }
}
