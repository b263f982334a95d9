package io.labhub.recorder.internal;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.DatasetCreationOptions;
import io.jhdf.api.WritableDataset;
import io.jhdf.api.WritableGroup;
import io.labhub.api.schema.Dtype;
import io.labhub.api.schema.Field;
import io.labhub.api.schema.Schema;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns a run's spools into one HDF5 file (layout: docs/recording.md). jhdf 0.13 writes integers (signed or
 * unsigned), floats and strings from Java arrays, the whole file at close, and no compound types: so each
 * schema field becomes its own dataset of the field's own dtype (u16 as HDF5 uint16, from a Java short[] of
 * the same bits), with the schema's dtype in the dataset's {@code dtype} attribute, and one run must fit in
 * memory once (the spool is read back into arrays, then written).
 */
final class HdfExport {

    private HdfExport() {
    }

    /**
     * Writes {@code file} from a run's spools (the same path for {@code stop} and {@code recover}): the run's
     * start and runtime come from the first spool's header, each channel's name, kind, metadata and schema
     * from its own.
     *
     * @param schemaOf  turns a header's schema JSON into a Schema (the Validator's parse)
     * @param recovered whether the spools are a crashed run's ({@code recovered} and {@code droppedBytes}
     *                  attributes)
     * @return the entries written per channel, in file order
     */
    static Map<String, Long> write(Path file, List<Path> spools, Function<Spool.Header, Schema> schemaOf, Instant stop,
                                   boolean recovered) {
        Map<String, Long> written = new LinkedHashMap<>();
        // every header first: a foreign or damaged spool is refused before the file is created
        List<Spool.Header> headers = spools.stream().map(Spool::header).toList();
        Spool.Header first = headers.get(0);
        try (WritableHdfFile h5 = HdfFile.write(file)) {
            h5.putAttribute("labhub.recording", "1");
            h5.putAttribute("runStart", String.valueOf(first.runStart()));
            h5.putAttribute("runStop", stop.toString());
            h5.putAttribute("runtime", String.valueOf(first.runtime()));
            if (recovered) {
                h5.putAttribute("recovered", "true");
            }
            for (int i = 0; i < spools.size(); i++) {
                Spool.Header h = headers.get(i);
                Schema schema = h.schema() == null ? null : schemaOf.apply(h);
                written.put(h.channel(), writeChannel(h5.putGroup(h.channel()), h, schema, spools.get(i), recovered));
            }
        }
        return written;
    }

    private static long writeChannel(WritableGroup g, Spool.Header h, Schema schema, Path spool, boolean recovered) {
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
            return writeExchanges(g, spool, recovered);
        }
        long[] counts = new long[3]; // [valid, bad, producer restarts]
        int[] maxLen = {0};
        int minSize = schema == null ? 0 : schema.size();
        Spool.Contents contents = Spool.read(spool, e -> {
            if (e.skipped() == RecorderService.RESTARTED) {
                counts[2]++;
            }
            if (e.payload().length < minSize) {
                counts[1]++;
            } else {
                counts[0]++;
                maxLen[0] = Math.max(maxLen[0], e.payload().length);
            }
        });
        int n = Math.toIntExact(counts[0]);
        g.putAttribute("entries", (long) n);
        g.putAttribute("badEntries", counts[1]);
        g.putAttribute("producerRestarts", counts[2]);
        if (recovered) {
            g.putAttribute("droppedBytes", contents.droppedBytes());
        }
        if (n == 0) {
            return 0; // jhdf writes no empty datasets; "entries" says 0
        }
        long[] seq = new long[n];
        long[] ts = new long[n];
        long[] recv = new long[n];
        long[] skipped = new long[n];
        List<Column> columns = new ArrayList<>();
        byte[][] raw = null;
        int[] length = null;
        if (schema != null) {
            for (Field f : schema.fields()) {
                columns.add(new Column(f, n, f.open() ? maxLen[0] - f.offset() : 0));
            }
        } else {
            raw = new byte[n][maxLen[0]];
            length = new int[n];
        }
        int[] i = {0};
        byte[][] rawF = raw;
        int[] lengthF = length;
        Spool.read(spool, e -> {
            if (e.payload().length < minSize) {
                return;
            }
            int k = i[0]++;
            seq[k] = e.sequence();
            ts[k] = e.timestampNs();
            recv[k] = e.receivedNs();
            skipped[k] = e.skipped();
            if (rawF != null) {
                System.arraycopy(e.payload(), 0, rawF[k], 0, e.payload().length);
                lengthF[k] = e.payload().length;
            } else {
                ByteBuffer b = ByteBuffer.wrap(e.payload()).order(ByteOrder.LITTLE_ENDIAN);
                for (Column col : columns) {
                    col.fill(k, b);
                }
            }
        });
        g.putDataset("sequence", seq);
        g.putDataset("timestampNs", ts);
        g.putDataset("receivedNs", recv);
        g.putDataset("skipped", skipped);
        if (raw != null) {
            WritableDataset d = g.putDataset("payload", raw);
            d.putAttribute("dtype", "bytes");
            g.putDataset("length", length);
        } else {
            WritableGroup fields = g.putGroup("fields");
            for (Column col : columns) {
                WritableDataset d = fields.putDataset(col.field.name(), col.array, unsigned(col.field.dtype())
                        ? DatasetCreationOptions.builder().unsigned().build() : DatasetCreationOptions.DEFAULT);
                d.putAttribute("dtype", col.field.dtype().wireName());
                if (col.field.unit() != null) {
                    d.putAttribute("unit", col.field.unit());
                }
            }
        }
        return n;
    }

    /**
     * A request/reply channel's log ({@link RequestLog}): the bytes of each request and reply as sent, not split by
     * the schema (the schema attribute has both sides'), zero-padded to the longest with their lengths beside.
     */
    private static long writeExchanges(WritableGroup g, Path spool, boolean recovered) {
        List<Spool.Entry> entries = new ArrayList<>();
        Spool.Contents contents = Spool.read(spool, entries::add);
        int n = entries.size();
        g.putAttribute("entries", (long) n);
        g.putAttribute("badEntries", 0L);
        if (recovered) {
            g.putAttribute("droppedBytes", contents.droppedBytes());
        }
        if (n == 0) {
            return 0;
        }
        long[] seq = new long[n];
        long[] ts = new long[n];
        long[] recv = new long[n];
        long[] skipped = new long[n];
        byte[] ok = new byte[n];
        int[] requestLength = new int[n];
        int[] replyLength = new int[n];
        List<RequestLog.Decoded> decoded = new ArrayList<>(n);
        int maxRequest = 1;
        int maxReply = 1;
        for (int k = 0; k < n; k++) {
            Spool.Entry e = entries.get(k);
            RequestLog.Decoded d = RequestLog.Decoded.of(e.payload());
            decoded.add(d);
            seq[k] = e.sequence();
            ts[k] = e.timestampNs();
            recv[k] = e.receivedNs();
            skipped[k] = e.skipped();
            ok[k] = (byte) (d.ok() ? 1 : 0);
            requestLength[k] = d.request().length;
            replyLength[k] = d.reply().length;
            maxRequest = Math.max(maxRequest, d.request().length);
            maxReply = Math.max(maxReply, d.reply().length);
        }
        byte[][] request = new byte[n][maxRequest];
        byte[][] reply = new byte[n][maxReply];
        for (int k = 0; k < n; k++) {
            System.arraycopy(decoded.get(k).request(), 0, request[k], 0, requestLength[k]);
            System.arraycopy(decoded.get(k).reply(), 0, reply[k], 0, replyLength[k]);
        }
        g.putDataset("sequence", seq);
        g.putDataset("timestampNs", ts);
        g.putDataset("receivedNs", recv);
        g.putDataset("skipped", skipped);
        g.putDataset("ok", ok);
        g.putDataset("request", request).putAttribute("dtype", "bytes");
        g.putDataset("requestLength", requestLength);
        g.putDataset("reply", reply).putAttribute("dtype", "bytes");
        g.putDataset("replyLength", replyLength);
        return n;
    }

    /** One field of every entry: a Java array [n, shape..., (length)] of the stored type. */
    private static final class Column {
        final Field field;
        final Object array;
        final List<Object> leaves = new ArrayList<>();
        final int leafLength;
        final long perEntry;
        final int elementSize;

        Column(Field f, int n, int openLength) {
            this.field = f;
            boolean text = f.dtype() == Dtype.BYTES || f.dtype() == Dtype.UTF8;
            List<Integer> dims = new ArrayList<>();
            dims.add(n);
            if (f.shape() != null) {
                dims.addAll(f.shape());
            }
            if (text) {
                dims.add(f.open() ? Math.max(1, openLength) : f.length());
            }
            this.elementSize = text ? 1 : f.dtype().size();
            long per = 1;
            for (int d = 1; d < dims.size(); d++) {
                per *= dims.get(d);
            }
            this.perEntry = per;
            this.array = Array.newInstance(storedType(f.dtype()), dims.stream().mapToInt(Integer::intValue).toArray());
            collect(array, leaves);
            this.leafLength = Array.getLength(leaves.get(0));
        }

        private static void collect(Object a, List<Object> out) {
            if (a.getClass().getComponentType().isArray()) {
                for (int k = 0; k < Array.getLength(a); k++) {
                    collect(Array.get(a, k), out);
                }
            } else {
                out.add(a);
            }
        }

        void fill(int entry, ByteBuffer b) {
            for (long j = 0; j < perEntry; j++) {
                long flat = entry * perEntry + j;
                Object leaf = leaves.get((int) (flat / leafLength));
                int at = (int) (flat % leafLength);
                int off = Math.toIntExact(field.offset() + j * elementSize);
                if (off + elementSize > b.limit()) {
                    continue; // open last field shorter in this entry: zeros
                }
                switch (field.dtype()) {
                    case U8, I8, BOOL, BYTES, UTF8 -> ((byte[]) leaf)[at] = b.get(off);
                    case U16, I16 -> ((short[]) leaf)[at] = b.getShort(off);
                    case U32, I32 -> ((int[]) leaf)[at] = b.getInt(off);
                    case U64, I64 -> ((long[]) leaf)[at] = b.getLong(off);
                    case F32 -> ((float[]) leaf)[at] = b.getFloat(off);
                    case F64 -> ((double[]) leaf)[at] = b.getDouble(off);
                }
            }
        }
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
