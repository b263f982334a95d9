package io.labhub.recorder.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labhub.api.InvalidInputException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One channel's entries while a run lasts, appended to a plain file: the HDF5 writer (jhdf) writes the file
 * only at close and cannot append, so the run goes to a spool first and {@link HdfExport} turns the spools into
 * the HDF5 file at stop, or at {@code recover} after a crash, reading them back entry by entry. The spool
 * carries everything the export needs (its {@link Header}), so both take the same path. Format (big-endian, as
 * DataOutput writes): magic "LHSPOOL2", header length i32, header JSON (UTF-8), then per entry: sequence u64,
 * producer timestamp ns, receive timestamp ns, skipped u64, length i32, payload bytes. Entries reach the disk in chunks of
 * the write buffer ({@link #CHUNK}); a torn last entry (crash, full disk) is dropped by {@link #read}, which says
 * how many bytes it dropped.
 */
final class Spool implements AutoCloseable {

    static final long MAGIC = 0x4C4853504F4F4C32L; // "LHSPOOL2"
    /** The write buffer: what a crash can lose at most, besides the frame being written. */
    static final int CHUNK = 1 << 20;
    private static final int MAX_HEADER = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What the export needs besides the entries.
     *
     * @param channel  the channel's name
     * @param kind     its kind's wire name ({@code shm}, {@code pubsub}), or null when unknown
     * @param schema   its schema's JSON, or null for a channel without one
     * @param metadata the channel's metadata
     * @param runStart the run's start (ISO-8601)
     * @param runtime  the recording runtime (pid@host)
     */
    record Header(String channel, String kind, String schema, Map<String, String> metadata, String runStart,
                  String runtime) {
    }

    /**
     * What {@link #read} found.
     *
     * @param entries      whole entries passed to the sink
     * @param droppedBytes bytes after the last whole entry (a torn entry: crash or full disk), 0 for a clean spool
     */
    record Contents(Header header, long entries, long droppedBytes) {
    }

    /** A payload at least this large goes from its segment to the file itself (a gathered write), not via the buffer. */
    static final int DIRECT = 64 << 10;
    private static final int FIXED = 4 * 8 + 4; // sequence, timestamps, skipped, length

    private final Path path;
    private final FileChannel out;
    /**
     * The write buffer, off the heap: a small entry is copied into it once, a large payload is written from where it
     * is (an shm slot: mapped memory, straight to the page cache) together with what the buffer holds, one
     * {@code writev}. A copy into a Java array and a {@code BufferedOutputStream} took two copies more per frame, and
     * spooled at 0.45x of a plain write of the same bytes (benchmarks/README.md, "Recorder").
     */
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK); // big-endian, as DataOutput wrote it
    private final MemorySegment buffered = MemorySegment.ofBuffer(buffer);
    private final ByteBuffer[] gather = new ByteBuffer[2];

    Spool(Path path, Header header) throws IOException {
        this.path = path;
        this.out = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("version", 1);
        h.put("channel", header.channel());
        h.put("kind", header.kind());
        h.put("schema", header.schema());
        h.put("metadata", header.metadata());
        h.put("runStart", header.runStart());
        h.put("runtime", header.runtime());
        byte[] json = JSON.writeValueAsBytes(h);
        try {
            if (json.length > MAX_HEADER) {
                throw new IOException("a spool header of " + json.length + " bytes, more than " + MAX_HEADER);
            }
            ByteBuffer head = ByteBuffer.allocate(12 + json.length).putLong(MAGIC).putInt(json.length).put(json).flip();
            while (head.hasRemaining()) { // on disk before the first frame: a spool that holds a frame can be recovered
                out.write(head);
            }
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
    }

    Path path() {
        return path;
    }

    void append(long sequence, long timestampNs, long receivedNs, long skipped, MemorySegment payload) throws IOException {
        int n = Math.toIntExact(payload.byteSize());
        if (buffer.remaining() < FIXED) {
            flush();
        }
        buffer.putLong(sequence).putLong(timestampNs).putLong(receivedNs).putLong(skipped).putInt(n);
        if (n >= DIRECT) {
            buffer.flip();
            gather[0] = buffer;
            gather[1] = payload.asByteBuffer(); // a heap payload (pub/sub) is copied by the JDK, a mapped one is not
            try {
                while (gather[1].hasRemaining()) {
                    out.write(gather);
                }
            } finally {
                gather[1] = null;
                buffer.clear();
            }
            return;
        }
        if (buffer.remaining() < n) {
            flush();
        }
        MemorySegment.copy(payload, 0, buffered, buffer.position(), n);
        buffer.position(buffer.position() + n);
    }

    private void flush() throws IOException {
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        } finally {
            buffer.clear(); // after a failure (a full disk) what did not reach the file is dropped, not retried
        }
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            out.close();
        }
    }

    /**
     * One spooled entry, or the part of it a read asked for.
     *
     * @param length  the payload's whole length
     * @param payload the payload's bytes in the window the read asked for (all of them for {@link #read(Path, Consumer)})
     */
    record Entry(long sequence, long timestampNs, long receivedNs, long skipped, int length, byte[] payload) {
    }

    /** @return the spool's header; a foreign or damaged spool is an InvalidInputException (rule recorder.spool) */
    static Header header(Path path) {
        return read(path, null).header();
    }

    /**
     * Calls {@code sink} (when not null) for each whole entry. A foreign file, a spool of another version or a
     * damaged header is an InvalidInputException (rule recorder.spool).
     */
    static Contents read(Path path, Consumer<Entry> sink) {
        return read(path, 0, Integer.MAX_VALUE, sink);
    }

    /**
     * As {@link #read(Path, Consumer)}, each entry's payload cut to the bytes {@code [from, from + max)} (fewer where
     * the payload is shorter; {@code max} 0 for none): a pass that needs one field, or only the fixed part, reads
     * no more of the file than that. Holds at most one window of the file ({@link #WINDOW}) and the entry's cut.
     */
    static Contents read(Path path, long from, int max, Consumer<Entry> sink) {
        long[] at = {0};
        Header header;
        try (InputStream raw = Files.newInputStream(path);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, WINDOW))) {
            header = readHeader(path, in, at);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (sink == null) {
            return new Contents(header, 0, 0);
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            Window w = new Window(ch);
            long n = 0;
            long pos = at[0];
            while (true) {
                if (size - pos < ENTRY_HEAD) {
                    return new Contents(header, n, size - pos); // clean end, or torn inside the fixed part
                }
                ByteBuffer head = w.at(pos, ENTRY_HEAD);
                long seq = head.getLong();
                long ts = head.getLong();
                long recv = head.getLong();
                long skipped = head.getLong();
                int len = head.getInt();
                if (len < 0) {
                    throw refuse(path, "negative entry length at byte " + pos);
                }
                if (size - pos - ENTRY_HEAD < len) {
                    return new Contents(header, n, size - pos); // torn last entry
                }
                long start = Math.min(from, len);
                byte[] payload = new byte[(int) Math.min(max, len - start)];
                w.copy(pos + ENTRY_HEAD + start, payload);
                sink.accept(new Entry(seq, ts, recv, skipped, len, payload));
                n++;
                pos += ENTRY_HEAD + len;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes of an entry before its payload: sequence, two timestamps, skipped, length. */
    private static final int ENTRY_HEAD = 8 + 8 + 8 + 8 + 4;
    /** The read buffer of {@link #read(Path, long, int, Consumer)}: small entries come in by the window. */
    static final int WINDOW = 1 << 16;

    /** A read-ahead window over the spool: small reads from it, a large one straight into its destination. */
    private static final class Window {
        private final FileChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocate(WINDOW); // big-endian, as DataOutput wrote it
        private long start;
        private int filled;

        Window(FileChannel ch) {
            this.ch = ch;
        }

        /** @return a buffer positioned at {@code pos} with {@code n} (at most WINDOW) bytes of the file after it */
        ByteBuffer at(long pos, int n) throws IOException {
            if (pos < start || pos + n > start + filled) {
                buf.clear();
                start = pos;
                while (buf.hasRemaining() && ch.read(buf, pos + buf.position()) > 0) {
                    // fill the window as far as the file goes
                }
                filled = buf.position();
                if (filled < n) {
                    throw new EOFException("the spool ended at byte " + (pos + filled) + ", inside an entry");
                }
            }
            return buf.duplicate().order(ByteOrder.BIG_ENDIAN).position((int) (pos - start)).limit((int) (pos - start) + n);
        }

        void copy(long pos, byte[] dst) throws IOException {
            if (dst.length <= WINDOW) {
                at(pos, dst.length).get(dst);
                return;
            }
            ByteBuffer to = ByteBuffer.wrap(dst);
            while (to.hasRemaining()) {
                if (ch.read(to, pos + to.position()) < 0) {
                    throw new EOFException("the spool ended at byte " + (pos + to.position()) + ", inside an entry");
                }
            }
        }
    }

    /** Reads the magic and header; {@code end[0]} becomes the offset of the first entry. */
    private static Header readHeader(Path path, DataInputStream in, long[] end) throws IOException {
        long magic;
        int length;
        try {
            magic = in.readLong();
        } catch (EOFException e) {
            throw refuse(path, "not a recorder spool (shorter than its magic)");
        }
        if (magic != MAGIC) {
            throw refuse(path, "not a recorder spool of this version (magic LHSPOOL2)");
        }
        try {
            length = in.readInt();
        } catch (EOFException e) {
            throw refuse(path, "the spool ends inside its header");
        }
        if (length <= 0 || length > MAX_HEADER) {
            throw refuse(path, "header length " + length + " is not in 1.." + MAX_HEADER);
        }
        byte[] json = in.readNBytes(length);
        if (json.length < length) {
            throw refuse(path, "the spool ends inside its header");
        }
        end[0] = 8 + 4 + length;
        try {
            Map<?, ?> h = JSON.readValue(json, Map.class);
            if (!Integer.valueOf(1).equals(h.get("version")) || !(h.get("channel") instanceof String channel)) {
                throw refuse(path, "the header has no version 1 or no channel");
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            if (h.get("metadata") instanceof Map<?, ?> m) {
                m.forEach((k, v) -> metadata.put(String.valueOf(k), String.valueOf(v)));
            }
            return new Header(channel, text(h.get("kind")), text(h.get("schema")), metadata,
                    text(h.get("runStart")), text(h.get("runtime")));
        } catch (JsonProcessingException e) {
            throw refuse(path, "the header is not JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(Object o) {
        return o instanceof String s ? s : null;
    }

    private static InvalidInputException refuse(Path path, String why) {
        return new InvalidInputException("recorder.spool", path.toString(), why);
    }
}
